"""Scenario templates of the template drafter (模板模式), per language.

Placeholders: {answer}/{extra} (FAQ answers), {topic}, {facts}, {brief}, {fact},
{salutation}, {offer}, {items}, {tier}, {tip}, {name}. "member" is the noun a bare tier name
(金禾, Gold) takes; a tier that already names it (金禾会员, Gold member) does not. Facts only
ever come from evidence or the operator's brief; these phrases add tone, never claims.
"""

from __future__ import annotations

OPTOUT_ZH = "回复TD退订"
OPTOUT_EN = "Reply TD to unsubscribe."

PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "holding": "您好，感谢您的耐心！这个问题我需要和同事确认一下，确认后第一时间回复您，请稍等~",
        "holding_short": "收到~我先帮您核实一下具体情况，稍后给您准确答复。",
        "reply": "您好！{answer}如还有其他问题，随时告诉我哦~",
        "reply_more": "您好！{answer}另外，{extra}有需要随时找我~",
        "reply_short": "亲，{answer}",
        "bullet": "✅ {fact}",
        "no_facts": "(知识库中暂无相关产品资料，请运营补充事实后再发布)",
        "post_tips": "【干货分享|{topic}】\n今天和大家聊聊{topic}的小知识👇\n{facts}\n\n{brief}\n"
        "大家还有什么想了解的，欢迎在群里留言交流~",
        "post_seeding": "【好物种草|{topic}】\n忙碌的一天结束，给自己一点认真的照顾🌿\n{facts}\n\n"
        "{brief}\n用过的姐妹也来说说你的感受吧~",
        "post_ugc": "【互动话题】关于{topic}，你有什么心得或小妙招？\n{facts}\n\n{brief}\n"
        "欢迎在群里晒出你的使用体验，一起交流💬",
        "post_promo": "【福利预告|{topic}】\n{brief}\n{facts}\n\n活动规则以官方公告为准，有疑问随时问我~",
        "dear": "亲爱的{name}",
        "dear_anon": "亲爱的顾客",
        "offer": "为您送上：{brief}",
        "your_order": "您最近购买的商品",
        "tier": "作为我们的{tier}，",
        "member": "会员",
        "tip": "小贴士：{tip}",
        "msg_birthday": "{salutation}，祝您生日快乐！🎂{offer}感谢一路以来的陪伴，愿新的一岁美好常在。",
        "msg_dormant": "{salutation}，好久不见，最近还好吗？{offer}我们一直在，期待再次为您服务。",
        "msg_member_day": "{salutation}，会员日来啦！{tier}{offer}感谢您的支持。",
        "msg_koc": "{salutation}，感谢您一直以来的支持和真诚分享！诚挚邀请您成为我们的体验官，{offer}"
        "期待您的加入。",
        "msg_post_purchase": "{salutation}，{items}用得还习惯吗？{offer}有任何问题随时找我。",
        "optout": f" {OPTOUT_ZH}",
    },
    "en": {
        "holding": "Thanks for your patience! Let me check this with a colleague and get back to "
        "you shortly.",
        "holding_short": "Got it - I'll confirm the details and reply to you soon.",
        "reply": "Hi! {answer} Let me know if there's anything else I can help with.",
        "reply_more": "Hi! {answer} Also, {extra} Just ask if you need anything.",
        "reply_short": "{answer}",
        "bullet": "- {fact}",
        "no_facts": "(No product facts found in the knowledge base: add facts before posting.)",
        "post_tips": "Tips | {topic}\nA few things worth knowing about {topic}:\n{facts}\n\n{brief}\n"
        "Questions? Drop them in the group!",
        "post_seeding": "Little luxuries | {topic}\nAfter a long day, a moment of real care:\n"
        "{facts}\n\n{brief}\nTried it already? Tell us how it went!",
        "post_ugc": "Let's talk: what's your best tip for {topic}?\n{facts}\n\n{brief}\n"
        "Share your photos and stories in the group!",
        "post_promo": "Offer | {topic}\n{brief}\n{facts}\n\nSee the official notice for full rules.",
        "dear": "Dear {name}",
        "dear_anon": "Dear customer",
        "offer": "Here's a little something for you: {brief} ",
        "your_order": "your recent order",
        "tier": "as our valued {tier}, ",
        "member": " member",
        "tip": " Tip: {tip}",
        "msg_birthday": "{salutation}, happy birthday! {offer}Thank you for being with us.",
        "msg_dormant": "{salutation}, it's been a while - how are you? {offer}We'd love to see you "
        "again.",
        "msg_member_day": "{salutation}, member day is here! {tier}{offer}Thank you for your "
        "support.",
        "msg_koc": "{salutation}, thank you for your honest reviews! We'd love to invite you to "
        "our tester programme. {offer}",
        "msg_post_purchase": "{salutation}, how are you getting on with {items}? {offer}I'm here "
        "if you need anything.",
        "optout": f" {OPTOUT_EN}",
    },
}
