"""Recognizers for Chinese personal data: resident ID, mobile, landline, bank card, WeChat, QQ,
licence plate, passport, address and names introduced in context."""

from __future__ import annotations

import operator
import re

from copilot.guardrails.normalize import normalize
from copilot.guardrails.recognizer import Pattern, PatternRecognizer, digits_of, gs1_ok, luhn_ok

# Words before a long number that say it is an order/tracking/product code, not a person's.
CODE_CONTEXT = (
    "订单", "单号", "运单", "快递", "物流", "条码", "条形码", "货号", "编号", "编码", "商品码",
    "流水", "序列号", "批号", "order", "tracking", "sku", "ean", "upc", "gtin", "barcode", "券码",
    "兑换码",
)  # fmt: skip
# Lengths of GS1 product codes (EAN-8, UPC-A, EAN-13, GTIN-14), which end in a mod-10 check digit.
_GS1_LENGTHS = frozenset({8, 12, 13, 14})
# 400/800 numbers are companies' national service lines (企业客服热线), never a person's; 800 is
# also the North-American toll-free code. Ten digits after an optional +86/+1 country code.
SERVICE_LINE = re.compile(r"(?:86|1)?[48]00\d{7}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CJK = "\u4e00-\u9fff"
# Digit groups of 1, 3, 3 and 4 digits and nothing else: 1-800-555-0199.
_NORTH_AMERICAN = re.compile(r"[^0-9]*[0-9][^0-9]+[0-9]{3}[^0-9]+[0-9]{3}[^0-9]+[0-9]{4}[^0-9]*")


def resident_id_check(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character (0-9 or X) completing a resident ID's 17 digits."""
    if len(body) != len(_ID_WEIGHTS):
        raise ValueError(f"a resident ID body has 17 digits, not {len(body)}")
    total = sum(map(operator.mul, map(int, body), _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


class ResidentIdRecognizer(PatternRecognizer):
    """18-character resident ID (GB 11643): region, birth date, sequence, ISO 7064 check char."""

    entity = "CN_RESIDENT_ID"
    placeholder = "身份证号"
    placeholder_en = "ID_NUMBER"
    # 6 region digits, 8 birth-date digits, 3 sequence digits, check digit or X; optional
    # single space/dash between the 6-8-4 groups; not part of a longer alphanumeric run.
    views = ("digits",)
    min_digits = 17  # 6 region + 8 birth-date + 3 sequence digits
    patterns = (
        Pattern(
            "resident_id_18",
            # not inside a longer code, but right after sfz (身份证 in pinyin initials) it is one
            r"[1-9](?<![0-9].)(?:(?<![A-Za-z].)|(?<=[Ss][Ff][Zz].))"
            r"\d{5}[ -]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
            r"(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[0-9Xx](?![0-9A-Za-z])",
            0.4,
        ),
    )
    context = ("身份证", "证件", "id card", "idcard", "sfz")

    def validate(self, value: str) -> bool | None:
        body = digits_of(value)
        return resident_id_check(body[:17]) == body[17]


class MobileRecognizer(PatternRecognizer):
    """Mainland mobile numbers 1[3-9]x-xxxx-xxxx, optionally with +86/0086 and separators."""

    entity = "CN_MOBILE"
    placeholder = "手机号"
    placeholder_en = "PHONE"
    # 11 digits in 3-4-4 groups (space/dash allowed between groups), not inside a longer number.
    views = ("plain", "digits")
    min_digits = 11
    patterns = (
        Pattern(
            "cn_mobile",
            r"[+0(1](?<![0-9].)(?:(?<=\+)86[ -]?1|(?<=0)086[ -]?1|(?<=\()\+?86\)[ -]?1|(?<=1))"
            r"[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])",
            0.75,
        ),
    )
    context = ("手机", "电话", "联系", "号码", "致电", "打给", "tel", "phone", "call", "mobile")
    negative_context = CODE_CONTEXT

    def plausible(self, value: str, raw: str, cue: str | None) -> bool:
        # Written 1-800-555-0199 it is a North-American number, not a mainland mobile.
        written = raw if raw.isascii() else normalize(raw).text
        return _NORTH_AMERICAN.fullmatch(written) is None


class LandlineRecognizer(PatternRecognizer):
    """Fixed-line numbers with an area code: (010)12345678, 021-12345678, 0755 1234 5678."""

    entity = "CN_LANDLINE"
    placeholder = "座机号"
    placeholder_en = "PHONE"
    views = ("plain", "digits")
    min_digits = 10  # area code with its 0, 7+ digits
    patterns = (
        # Area code in brackets or followed by a dash/space, then 7-8 digits, optional extension.
        Pattern(
            "cn_landline_sep",
            r"[(0](?<![0-9].)(?:(?<=\()0\d{2,3}\)|(?<=0)\d{2,3}[ -])[ ]?\d{3,4}[ -]?\d{4}(?:-\d{1,4})?"
            r"(?![0-9])",
            0.6,
        ),
        # Same without a separator: only counts next to a phone word.
        Pattern("cn_landline_bare", r"0(?<![0-9].)\d{2,3}\d{7,8}(?![0-9])", 0.2),
    )
    context = ("电话", "座机", "固话", "联系", "致电", "tel", "phone")
    negative_context = CODE_CONTEXT


class BankCardRecognizer(PatternRecognizer):
    """Payment cards: 15-19 digits (groups of 4 may be spaced) that pass the Luhn check."""

    entity = "BANK_CARD"
    placeholder = "银行卡号"
    placeholder_en = "CARD_NUMBER"
    views = ("digits",)
    min_digits = 11  # 4 then 10 more: the shortest unbroken card
    patterns = (
        # Issuer digit 2-6, then 4-digit groups with an optional space/dash, 16-19 digits in all.
        Pattern(
            "card_16_19",
            r"[2-6](?<![0-9].)\d{3}(?:[ -]?\d{4}){3}(?:[ -]?\d{1,3})?(?![0-9])",
            0.3,
        ),
        # American Express layout 4-6-5.
        Pattern("card_amex", r"3(?<![0-9].)[47]\d{2}[ -]?\d{6}[ -]?\d{5}(?![0-9])", 0.3),
        # 12-15 digit cards (Maestro, Diners, JCB 1800/2131, 13-digit Visa) written unbroken.
        Pattern(
            "card_12_15",
            r"[1-6](?<![0-9].)(?:(?<=[356])\d|(?<=4)|(?<=1)8|(?<=2)1)\d{10,13}(?![0-9])",
            0.3,
        ),
    )
    context = ("卡号", "银行卡", "信用卡", "储蓄卡", "card", "visa", "mastercard", "银联")
    negative_context = (*CODE_CONTEXT, "身份证", "证件")

    def validate(self, value: str) -> bool | None:
        return luhn_ok(digits_of(value))

    def plausible(self, value: str, raw: str, cue: str | None) -> bool:
        # A product barcode (valid GS1 check digit) is no card unless a card word stands by it.
        digits = digits_of(value)
        return cue is not None or len(digits) not in _GS1_LENGTHS or not gs1_ok(digits)


class WeChatRecognizer(PatternRecognizer):
    """WeChat ids (6-20 chars, letter first) only right after a WeChat word or its slang (加V,
    vx, V信, 薇信, 绿泡泡, 卫星号): context-gated."""

    entity = "WECHAT_ID"
    placeholder = "微信号"
    placeholder_en = "WECHAT_ID"
    trigger = "[vVwW微薇威徽卫绿]"  # a letter every cue word and wxid_ contains
    patterns = (
        # 微信, weixin, wechat, v信, 薇信/威信/徽信, 卫星号, 绿泡泡, vx/wx (not inside a word),
        # 加v/+v, v: — in any letter case; the first character is read first (a fast scan).
        Pattern(
            "wechat_after_word",
            r"[微薇威徽卫绿加+wWvV](?:(?<=[微薇威徽])信|(?<=卫)星号|(?<=绿)泡泡|(?<=[加+])[ ]?[vV]"
            r"|(?<=[wW])(?i:eixin|echat)|(?<=[wW])(?<!(?i:[a-z]).)[xX]"
            r"|(?<=[vV])(?:信|(?<!(?i:[a-z]).)(?:[xX]|(?=[ ]?[:：]))))"
            r"[ ]?(?:号码|号|id)?[ ]?(?:[:：是为][ ]?)?(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19})"
            r"(?![-_A-Za-z0-9])",
            0.85,
        ),
        Pattern("wxid", r"wxid_(?<![A-Za-z0-9_].{5})[a-z0-9]{6,20}(?![A-Za-z0-9_])", 0.9),
    )


class QQRecognizer(PatternRecognizer):
    """QQ numbers (5-11 digits) only right after a QQ word (QQ, 扣扣, 企鹅号): context-gated."""

    entity = "QQ"
    placeholder = "QQ号"
    placeholder_en = "QQ"
    views = ("digits",)
    trigger = "[qQ扣企](?:(?<=[qQ扣])|(?<=企)鹅)"  # first character first: a fast scan
    min_digits = 5
    patterns = (
        Pattern(
            "qq_after_word",
            r"(?:Q(?<![A-Za-z].)[Qq]|q(?<![A-Za-z].)q|扣扣|企鹅)[ ]?(?:号码|号)?[ ]?(?:[:：是为][ ]?)?"
            r"(?P<v>[1-9]\d{4,10})(?![0-9])",
            0.85,
        ),
    )


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"


class PlateRecognizer(PatternRecognizer):
    """Licence plates: province character, letter, 5-6 letters/digits (粤B·12345, 沪AD12345)."""

    entity = "CN_PLATE"
    placeholder = "车牌号"
    placeholder_en = "PLATE"
    min_digits = 3  # `validate` wants three
    trigger = f"[{_PROVINCES}][A-HJ-NP-Z]"  # a province, then its city letter
    patterns = (
        Pattern(
            "cn_plate",
            rf"[{_PROVINCES}][A-HJ-NP-Z][·• -]?[A-HJ-NP-Z0-9]{{5,6}}(?![A-Za-z0-9])",
            0.7,
        ),
    )
    context = ("车牌", "车号", "plate")

    def validate(self, value: str) -> bool | None:
        # A plate always has digits; this keeps words like 京AB CDEF out.
        return None if sum(ch.isdigit() for ch in value) >= 3 else False


class PassportRecognizer(PatternRecognizer):
    """Passport numbers (E12345678, EA1234567): only next to a passport word."""

    entity = "PASSPORT"
    placeholder = "护照号"
    placeholder_en = "PASSPORT"
    min_digits = 7
    patterns = (
        Pattern("cn_passport", r"[EGDPSeg](?<![A-Za-z0-9].)[A-Z]?\d{7,8}(?![A-Za-z0-9])", 0.3),
    )
    context = ("护照", "passport")


_STREET_TYPES = "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Lu|Jie|Hutong"


class AddressRecognizer(PatternRecognizer):
    """Street addresses: optional province/city/district, then road + number (+ building/room);
    written the English way, a house number, one to three capitalised words and the street type
    (88 Jianguo Rd)."""

    entity = "ADDRESS"
    placeholder = "地址"
    placeholder_en = "ADDRESS"
    # Starts where Chinese text does not continue (or after 是/在/到/寄/住/址), so "我的地址是"
    # is left out; ends after 号 and optional building/unit/room parts.
    # a road word then its number, or a word then an English street type; first character first
    trigger = (
        rf"[路街道巷弄胡 ](?:(?<=[路街道巷弄])[ ]?[0-9]|(?<=胡)同[ ]?[0-9]"
        rf"|(?<=[a-z] )(?:{_STREET_TYPES})(?![A-Za-z]))"
    )
    patterns = (
        Pattern(
            "cn_street_address",
            rf"(?:(?<![{_CJK}])|(?<=[是在到寄住址至往成为]))(?![住在到寄送地址往至是改成为])"
            rf"(?P<v>(?:[{_CJK}]{{2,8}}?(?:省|自治区))?(?:[{_CJK}]{{2,6}}?市)?"
            rf"(?:[{_CJK}]{{1,6}}?(?:区|县|旗))?[{_CJK}0-9A-Za-z]{{1,12}}?"
            rf"(?:路|街|大道|巷|弄|胡同|道)[ ]?\d{{1,5}}[ ]?(?:号|弄)"
            rf"(?:[{_CJK}0-9A-Za-z-]{{0,12}}?(?:号楼|栋|幢|座|单元|室|楼|层))*"
            # a room number written bare at the end (3幢502，…; A座1208): digits then 室/房 or
            # the end of the phrase, never a year or a quantity (1号2024年)
            rf"(?:[ ]?[0-9]{{2,5}}(?:[室房]|(?=[^0-9A-Za-z{_CJK}]|$)))?)",
            0.7,
        ),
        Pattern(
            "en_street_address",
            rf"[1-9](?<![0-9A-Za-z].)[0-9]{{0,4}}[A-Za-z]?[ ](?:[A-Z][a-z]+[ ]){{1,3}}"
            rf"(?:{_STREET_TYPES})\.?(?![A-Za-z])",
            0.7,
        ),
    )
    context = ("地址", "住址", "收货", "寄到", "送到", "住在", "address", "ship to", "deliver")


# Common surnames (single and double) that open a name after 我叫/我是/收件人/联系人.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_DOUBLE_SURNAMES = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|令狐|夏侯|宇文|司徒"
# Words that introduce the speaker's or a recipient's name.
_INTRO = (
    "我叫|我是|我的名字是|名字叫|名叫|姓名|收件人|收货人|联系人|签收人|持卡人|本人"
    # the surname first, then the full name: 本人姓王，叫王小丫 / 我姓李叫李娟
    f"|姓(?:{_DOUBLE_SURNAMES}|[{_SURNAMES}]),?[ ]?(?:全名|名字)?叫"
)
_INTRO_EN = "My name is|my name is|Name:|name:|I am|I'm|This is|this is"
# A given-name character: Chinese, but never a function word, verb, title or noun that turns
# 我是金卡会员 / 我叫车来取 / 我是高级会员 / 王小姐 into a "name".
_NAME_CHAR = (
    rf"(?:(?![的了是在有和与跟说电手号码会员卡级客户人省市区县买卖用过来去到要想把被给也都就还"
    rf"吗呢吧啊呀哦嘛么个只位件单递车妈爸你我他她收联地住寄姓名先女老职业第次姐哥叔姨士])[{_CJK}])"
)
# A name ends where Chinese text stops, or before a contact word, title or sentence particle
# (王小红电话…, 王小红女士, 王小红呀): 我是宁波人 and 我是常州的 are left alone.
_NAME_END = rf"(?=$|[^{_CJK}]|电话|手机|号码|联系|地址|收货|住在|先生|女士|小姐|[呀啊哦呢吧嘛哈])"


class PersonRecognizer(PatternRecognizer):
    """Names introduced by 我叫/我是/姓名/收件人/联系人/本人 (zh) or "my name is" (en):
    context-gated, surname first, ending at a name boundary."""

    entity = "PERSON"
    placeholder = "姓名"
    placeholder_en = "NAME"
    trigger = f"{_INTRO}|{_INTRO_EN}"  # a name is read only after its introduction
    patterns = (
        Pattern(
            "cn_name_after_intro",
            rf"(?:{_INTRO})[ ]?[:：是为]?[ ]?"
            rf"(?P<v>(?:{_DOUBLE_SURNAMES}|[{_SURNAMES}]){_NAME_CHAR}{{1,2}}){_NAME_END}",
            0.8,
        ),
        Pattern(
            "en_name_after_intro",
            rf"(?:{_INTRO_EN})[ ](?P<v>[A-Z][a-z]+(?:[ ][A-Z][a-z]+){{1,2}})",
            0.6,
        ),
    )
