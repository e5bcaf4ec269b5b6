"""Recognizers for personal data written the international/English way: email, phone, SSN, IP."""

from __future__ import annotations

import ipaddress
import re

from copilot.guardrails.pii_cn import CODE_CONTEXT, SERVICE_LINE
from copilot.guardrails.recognizer import Pattern, PatternRecognizer, digits_of

_ASCII_WORD = "A-Za-z0-9"
_LOCAL = rf"[{_ASCII_WORD}][{_ASCII_WORD}_%+-]{{0,63}}"
_LABEL = rf"[{_ASCII_WORD}](?:[{_ASCII_WORD}-]{{0,61}}[{_ASCII_WORD}])?"
_AT = r"(?:[ ]?[\[(<{【](?i:at)[\])>}】][ ]?|[ ](?i:at)[ ]|[ ]?(?:艾特|圈[aA]|@)[ ]?)"
_DOT = r"(?:[ ]?[\[(<{【](?i:dot)[\])>}】][ ]?|[ ](?i:dot)[ ]|[ ]?(?:点|。)[ ]?|\.)"
_TLDS = "com|cn|net|org|edu|gov|info|biz|io|me|co|cc|tv|hk|tw|jp|uk|us|de|fr|ca|au|sg|top|vip|xyz"


class EmailRecognizer(PatternRecognizer):
    """Email addresses; starts only where an ASCII word does not continue (works after 汉字)."""

    entity = "EMAIL"
    placeholder = "邮箱"
    placeholder_en = "EMAIL"
    # Local part ≤ 64 chars, domain labels ≤ 63 chars, 2-24 letter TLD. Bounded repeats and a
    # start look-behind keep this linear on long runs of letters.
    # Every spelling of the at sign that `_AT` reads (@, at, 艾特, 圈a), first character first
    # so that the search skips to it.
    trigger = r"[@aA艾圈](?:(?<=@)|(?<=[aA])[tT]|(?<=艾)特|(?<=圈)[aA])"
    patterns = (
        Pattern(
            "email",
            rf"[{_ASCII_WORD}](?<![{_ASCII_WORD}._%+-].)[{_ASCII_WORD}._%+-]{{0,63}}@"
            rf"(?:[{_ASCII_WORD}](?:[{_ASCII_WORD}-]{{0,61}}[{_ASCII_WORD}])?\.){{1,8}}"
            rf"[A-Za-z]{{2,24}}(?![{_ASCII_WORD}-])",
            0.9,
        ),
        # Spelled out to dodge filters: name at mail dot com, name[at]mail[dot]com,
        # name艾特qq点com, name圈a163.com. Known top-level domains only, so prose stays prose.
        Pattern(
            "email_spelled",
            rf"(?P<v>[{_ASCII_WORD}](?<![{_ASCII_WORD}._%+-].)[{_ASCII_WORD}_%+-]{{0,63}}"
            rf"(?:{_DOT}{_LOCAL}){{0,3}}{_AT}"
            rf"(?:{_LABEL}{_DOT}){{1,4}}(?i:{_TLDS}))(?![{_ASCII_WORD}-])",
            0.9,
        ),
    )


class PhoneRecognizer(PatternRecognizer):
    """North-American and international numbers written with separators; 400/800 business
    service lines are not personal."""

    entity = "PHONE"
    placeholder = "电话"
    placeholder_en = "PHONE"
    min_digits = 7  # `validate` wants 7-15
    patterns = (
        # (555) 123-4567, 555-123-4567, +1 555 123 4567, 555.123.4567
        Pattern(
            "nanp",
            r"[+1(2-9](?<![0-9A-Za-z].)(?:(?<=\+)1[ .-]?(?:\([2-9]\d{2}\)|[2-9]\d{2})"
            r"|(?<=1)[ .-]?(?:\([2-9]\d{2}\)|[2-9]\d{2})|(?<=\()[2-9]\d{2}\)|(?<=[2-9])\d{2})"
            r"[ .-]?\d{3}[ .-]\d{4}"
            r"(?:[ ]?(?:x|ext\.?)[ ]?\d{1,5})?(?![0-9])",
            0.6,
        ),
        # +44 20 7946 0958, 001-234-567-8901: a country prefix then 2-5 digit groups.
        Pattern(
            "international",
            r"[+0](?<![0-9A-Za-z].)(?:(?<=\+)|(?<=0)0)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){1,2}"
            r"(?:[ .-]\d{2,5}){1,4}(?![0-9])",
            0.55,
        ),
        # National numbers with a trunk 0: 07700 063 966, 0490 75 40 81, (0)20 7946 0958.
        Pattern(
            "trunk_zero",
            r"[(0](?<![0-9A-Za-z.,].)(?:(?<=\()0|(?<=0))\d{1,4}\)?[ .-]\d{2,4}(?:[ .-]\d{2,4}){1,3}"
            r"(?![0-9])",
            0.5,
        ),
        # Bracketed area code: (37) 788-063.
        Pattern("bracket_area", r"\((?<![0-9].)\d{2,3}\)[ ]?\d{3}[ -]\d{3,4}(?![0-9])", 0.5),
        # 10 bare digits, or short digit groups (699 956 915), only near a phone word.
        Pattern("bare10", r"[2-9](?<![0-9].)\d{9}(?![0-9])", 0.2),
        Pattern("grouped", r"\d(?<![0-9.,].)\d{1,3}(?:[ .-]\d{2,4}){1,4}(?![0-9.,])", 0.2),
    )
    context = ("phone", "call", "tel", "mobile", "cell", "fax", "number", "电话", "联系")
    negative_context = CODE_CONTEXT
    # dd-mm-yyyy and yyyy-mm-dd look like grouped numbers; they are dates.
    _DATE = re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{4}[-./]\d{1,2}[-./]\d{1,2}")

    def validate(self, value: str) -> bool | None:
        digits = digits_of(value)
        if not 7 <= len(digits) <= 15 or self._DATE.fullmatch(value):
            return False
        if SERVICE_LINE.fullmatch(digits):
            return False
        return None


class SsnRecognizer(PatternRecognizer):
    """US social security numbers (AAA-GG-SSSS) with the SSA's never-issued ranges removed."""

    entity = "US_SSN"
    placeholder = "社保号"
    placeholder_en = "SSN"
    min_digits = 9
    patterns = (
        Pattern("ssn_dashed", r"\d(?<![0-9].)\d{2}(?P<sep>[- .])\d{2}(?P=sep)\d{4}(?![0-9])", 0.6),
        Pattern("ssn_bare", r"\d(?<![0-9].)\d{8}(?![0-9])", 0.2),
    )
    context = ("ssn", "social security", "social sec")

    def validate(self, value: str) -> bool | None:
        digits = digits_of(value)
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            return False
        return None if len(set(digits)) > 1 else False


class IpRecognizer(PatternRecognizer):
    """IPv4 dotted quads and IPv6 addresses, confirmed by the standard-library parser."""

    entity = "IP_ADDRESS"
    placeholder = "IP地址"
    placeholder_en = "IP_ADDRESS"
    # A digit then a dot (v4) or a hex digit then a colon (v6), first character first.
    trigger = r"[0-9A-Fa-f](?:(?<=[0-9])\.|:)"
    patterns = (
        Pattern("ipv4", r"\d(?<![0-9.].)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?!\.?[0-9])", 0.6),
        Pattern(
            "ipv6",
            r"[0-9A-Fa-f](?<![0-9A-Fa-f:].)[0-9A-Fa-f]{0,3}:(?:[0-9A-Fa-f]{1,4}:){1,6}:?"
            r"(?:[0-9A-Fa-f]{1,4}:?){0,6}"
            r"[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])",
            0.6,
        ),
    )
    context = ("ip", "address", "地址", "服务器")

    def validate(self, value: str) -> bool | None:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return None
