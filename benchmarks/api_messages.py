"""Customer messages the API benchmark and its locust users send (no locust import here:
locust patches the process it is imported into)."""

MESSAGES = [
    "退货运费谁出",
    "宝宝7公斤穿什么码的纸尿裤",
    "奶粉开封后能放多久",
    "几天能发货",
    "会员生日有什么福利",
    "How long does delivery take?",
    "推车可以带上飞机吗",
    "满多少包邮",
]
