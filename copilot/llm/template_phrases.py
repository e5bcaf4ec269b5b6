"""Reply templates of the template drafter (模板模式), per language.

Placeholders: {answer}/{extra} (FAQ answers). Facts only ever come from evidence; these
phrases add tone, never claims. Posts and messages take their phrasing from
prompts/template/<language>.yaml.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "holding": "您好，感谢您的耐心！这个问题我需要和同事确认一下，确认后第一时间回复您，请稍等~",
        "holding_short": "收到~我先帮您核实一下具体情况，稍后给您准确答复。",
        "reply": "您好！{answer}如还有其他问题，随时告诉我哦~",
        "reply_more": "您好！{answer}另外，{extra}有需要随时找我~",
        "reply_short": "亲，{answer}",
    },
    "en": {
        "holding": "Thanks for your patience! Let me check this with a colleague and get back to "
        "you shortly.",
        "holding_short": "Got it - I'll confirm the details and reply to you soon.",
        "reply": "Hi! {answer} Let me know if there's anything else I can help with.",
        "reply_more": "Hi! {answer} Also, {extra} Just ask if you need anything.",
        "reply_short": "{answer}",
    },
}
