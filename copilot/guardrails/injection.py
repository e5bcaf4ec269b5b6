"""The `injection` rule: instructions aimed at the model inside customer messages or retrieved
passages (zh and en), also when disguised (role-play, base64/hex, spacing, pinyin, look-alike
letters, traditional characters); and drafts that follow them (see `compliance`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from copilot.guardrails.compliance import Hit, persona_switch, prompt_leak, unapproved_promise
from copilot.guardrails.context import RuleContext
from copilot.guardrails.injection_model import NgramModel, shipped_model
from copilot.guardrails.injection_views import views
from copilot.guardrails.models import CheckInput, Finding
from copilot.guardrails.normalize import normalize
from copilot.messages import msg

_IGNORE_EN = r"(?:ignore|disregard|forget|skip|override|bypass)"
_PRIOR_EN = (
    r"(?:previous|prior|above|earlier|preceding|initial|original|all|any|your|the|these|those|"
    r"about|of|everything)"
)
_RULES_EN = r"(?:instructions?|prompts?|rules|directions|guidelines|programming|directives|context)"
# "forget the instructions I gave you about the address": the customer's own request, not the
# model's.
_NOT_OWN_EN = (
    r"(?![a-z])(?!\s+(?:i|we)\s+(?:gave|sent|left|wrote|provided|made|put|added|mentioned))"
)
# (name, weight, regex): each a sign of text addressed to the model rather than to a person.
SIGNALS: tuple[tuple[str, float, str], ...] = (
    (
        "ignore_instructions",
        0.9,
        rf"{_IGNORE_EN}\s+(?:{_PRIOR_EN}\s+){{0,3}}{_RULES_EN}{_NOT_OWN_EN}",
    ),
    (
        "ignore_instructions_zh",
        0.9,
        r"(?:忽略|无视|忘记|忘掉|不要理会|跳过|覆盖)(?:掉)?(?:你|您)?(?:之前|以上|上面|"
        r"前面|先前|所有|全部|原来|原有)?的?(?:所有|全部|一切|任何)?(?:指令|指示|提示|规则|设定|要求|限制|命令)",
    ),
    (
        "reveal_prompt",
        0.85,
        r"(?:reveal|show|print|repeat|output|display|tell me|what (?:is|are|were)|"
        r"give me|leak|translate|summari[sz]e|paraphrase)\s+(?:(?!how |to |reset |change |recover )\w+\s+){0,4}(?:system prompt|"
        r"initial (?:instructions|prompt)|your (?:instructions|prompt|rules)|"
        r"the (?:instructions|prompt)(?! *(?:for|on|of|to|in|that came|with)\b)|hidden prompt|text above|"
        r"prompt above|password|secret)",
    ),
    (
        "reveal_prompt_zh",
        0.85,
        r"(?:告诉我|输出|显示|重复|泄露|透露|打印|给我看|说出)(?:(?!怎么|如何|怎样|重置|修改|找回|设置)"
        r"[^。！？\n]){0,12}(?:系统提示|系统指令|提示词|初始指令|你的指令|你的设定|密码|密钥|秘密)|"
        r"你的(?:系统提示词|提示词|系统指令|初始指令|初始设定|工作规则|规则|设定|prompt)(?:里|中)?"
        r"(?:写了|写的|是什么|有什么|有哪些|包含|说了|内容)",
    ),
    (
        "persona",
        0.55,
        r"you are (?:now|going to|about to)|from now on|act as|pretend (?:to be|you)|"
        r"role-?play|stay in character|simulate|imagine you are|you will (?:now )?(?:be|act|answer)|"
        r"act like|personify|virtual persona|in character|you will (?:create|write|generate|play)",
    ),
    (
        "persona_zh",
        0.6,
        r"你现在是|从现在(?:开始|起)[，,]?(?:你|您)(?!们)|(?:你|您|请)(?:来)?扮演|"
        r"扮演(?:一个|一位|一名)?(?:没有|不受|无)|(?:停止|不要再|别再|不再|结束)扮演|"
        r"扮演[^。！？\n]{0,6}(?:客服|助手|AI|机器人|角色)|假装你是|(?:你|请)假装(?:自己)?是|"
        r"你将(?:作为|成为)|(?:你|请|立即|马上|现在)(?:进入|切换到|开启)[^。\n]{0,6}模式|"
        r"(?:玩|来|进行|开始)(?:一个|一场|个)?角色扮演|角色扮演(?:游戏)?[:：，,]|你不再是|"
        r"你的(?:新)?(?:身份|角色|人设)(?:是|为|变成|改为|换成)|"
        r"(?:接下来|之后|今后|以后)的?(?:对话|聊天)(?:里|中)[，,]?(?:你|您)",
    ),
    (
        "jailbreak",
        0.8,
        r"(?<![A-Za-z])DAN(?![A-Za-z])|do anything now|developer mode|jailbr(?:eak|oken)|"
        r"unfiltered|uncensored|no (?:restrictions|limits|filters|rules)|without (?:any )?"
        r"(?:restrictions|limitations|censorship|filters)|(?:ethical|moral) (?:guidelines|"
        r"constraints|restrictions)|content polic(?:y|ies)|opposite mode|evil (?:ai|bot|mode)|"
        r"(?-i:(?<![A-Za-z])AIM(?![A-Za-z]))|anti-?DAN|not bound by|break(?:ing)? free|openai'?s? polic",
    ),
    (
        "jailbreak_zh",
        0.8,
        r"越狱|开发者模式|不受(?:任何)?限制|没有任何限制|无限制模式|解除(?:所有)?限制|"
        r"无视(?:道德|伦理|安全)|绕过(?:安全|审核|限制)",
    ),
    (
        "fake_authority",
        0.6,
        r"\[?(?:system|admin|developer)\]?\s*[:：]|<\|im_start\|>|###\s*"
        r"(?:instruction|system)|new instructions?|系统通知[:：]|管理员指令|我是你的(?:开发者|管理员)|"
        r"(?:管理员|开发者|总部)的?(?:最新)?(?:通知|指令|命令)[:：]|(?:^|\n)\s*(?:系统|管理员|开发者)\s*[:：]|"
        r"(?:以下|下面)(?:为|是)(?:新的?|最新的?)(?:指令|规则|设定)|(?:系统|管理员|开发者|上级|总部)要求你|"
        r"</?\s*(?:customer_message|evidence|system|brief|rubric|instructions?|output_schema)\s*>|"
        r"notice from (?:hq|headquarters|the admin|management|the developers?)|"
        r"我(?:授权|命令|允许|特许)你|(?<![a-z])(?:i|we) (?:hereby )?(?:authori[sz]e|order|command) you",
    ),
    (
        "dictated_reply_zh",
        0.6,
        r"(?:照此|按此|据此|遵照)(?:执行|办理|操作)|"
        r"(?:按|按照|照)(?:新的?|这个|这条|此|上述)(?:政策|规则|规定|指令|设定)来?(?:回复|执行|回答|办理|操作|处理)|"
        r"(?:就|只要|只需|直接|并|请)(?:说|回复|回答|输出)(?:一句|一下)?(?:[:：]|\s*['\"‘“「])",
    ),
    (
        "ignore_rules_colloquial_zh",
        0.55,
        r"(?:别管|不要管|不用管|别理|甭管|抛开|撇开)(?:那些|这些)?(?:条条框框|规定|规矩|规则|限制|设定)",
    ),
    (
        "verbatim_zh",
        0.6,
        r"(?:你|您)(?!们)(?:最)?(?:上面|之前|前面|刚才|开头|最开始|收到)[^。！？\n]{0,10}"
        r"(?:一字不差|原封不动|逐字|翻译成)|"
        r"(?:你|您)(?!们)[^。！？\n]{0,10}(?:一字不差|原封不动|逐字逐句|逐字地?(?:重复|复述|发|输出|打印))|"
        r"(?:一字不差|原封不动|逐字逐句|逐字)地?[^。！？\n]{0,8}(?:你|您)(?!们)(?:最)?(?:上面|之前|前面|刚才|收到)",
    ),
    (
        "note_to_model",
        0.75,
        r"(?:AI|人工智能|机器人|模型|助手)[^。！？\n]{0,6}(?:阅读|读取|看到|读到|处理)(?:到)?"
        r"(?:本段|此段|这段|本文|这条|此内容|本内容)|when (?:an? |the )?(?:ai|assistant|model|llm|"
        r"chatbot) (?:reads|sees|processes)",
    ),
    (
        "command_model",
        0.35,
        r"(?:you must|you should|you will|you have to) (?:always |now )?"
        r"(?:answer|respond|reply|comply|obey|say)|answer (?:every|all) (?:question|prompt)|"
        r"respond (?:to|as)|your (?:response|answer|output) (?:should|must)|"
        r"(?:你必须|你只能|你要)(?:回答|回复|输出|服从)",
    ),
    (
        "ignore_then_act",
        0.85,
        r"(?<![A-Za-z])(?:ignore|disregard|forget)(?![A-Za-z])[^.!?\n]{0,60}?"
        r"(?<![A-Za-z])(?:and|then|instead)\s+(?:say|state|respond|output|print|write|reply|"
        r"answer|tell|repeat|give)|ignore (?:the|all|everything) above",
    ),
    (
        "prompt_extraction",
        0.85,
        r"initial (?:instructions|prompt|configuration)|starting instructions|"
        r"system (?:message|configuration|instructions)|initiali[sz]ation string|I was instructed|"
        r"my instructions are|instructions you were given|what were you told|not supposed to tell|"
        r"repeat (?:the|this|everything)[^.!?\n]{0,40}(?:above|conversation)|system_?prompt",
    ),
    (
        "secret_request",
        0.6,
        r"(?:what(?:'s| is)|share|tell me|reveal|print|write|confirm|give me|provide|spell|"
        r"encode)[^.!?\n]{0,40}(?:the|your) (?:password|passphrase|passcode|secret|"
        r"(?:secret |private )?key|database)|(?:your|the) (?:password|passphrase|passcode|"
        r"secret key) (?:is|in)|the user'?s (?:[a-z]+ ){0,2}(?:birth|email|address|name|location|"
        r"phone|password|age|salary|income|data|information|account)|"
        r"你的(?:秘密钥|密钥|秘钥|密码)|密码是什么",
    ),
    (
        "mode_switch",
        0.6,
        r"(?:enter(?:ing)?|enabl(?:e|ing)|activat(?:e|ing)|switch(?:ing)? to|now in) (?:a |the )?"
        r"['\"]?[A-Za-z ]{0,30}mode['\"]?|as an ai (?:developed|created|made) by|"
        r"I'?m your (?:developer|creator|admin)|I am your (?:developer|creator|admin)|"
        r"系统模式|维护模式|作为[^。\n]{0,12}开发的",
    ),
    (
        "output_smuggling",
        0.5,
        r"base64|rot13|pig latin|in reverse order|acrostic|each (?:digit|letter) separated|"
        r"(?<![A-Za-z])(?:if you are|if you're|note to) (?:an? )?(?:ai|language model|assistant|"
        r"llm)",
    ),
    (
        "roleplay_zh",
        0.75,
        r"你是我(?:的)?(?:已故的|去世的|过世的|死去的)?(?:奶奶|外婆|姥姥|爷爷|外公|妈妈|爸爸)|"
        r"(?:奶奶|外婆|姥姥|爷爷|外公)[^。！？\n]{0,30}(?:念|读|讲|背|告诉|哄)[^。！？\n]{0,30}"
        r"(?:规则|提示|指令|密钥|密码|序列号|激活码|配置|设定)|"
        r"(?:睡前故事|讲个故事|讲故事|写个故事|写一个故事)[^。！？\n]{0,30}(?:规则|提示词|系统|指令|设定)|"
        r"(?:我们)?(?:来)?玩(?:一个)?(?:角色扮演|游戏)[^。\n]{0,20}(?:你是|你扮演|你当|你来当)|"
        r"假设你(?:是|没有|不受)|如果你(?:是一个)?没有(?:任何)?限制",
    ),
    (
        "hidden_rules_zh",
        0.6,
        r"(?:后台|内部|隐藏|原始|真实)(?:的)?(?:规则|指令|设定|提示词|配置|prompt)",
    ),
    (
        "roleplay",
        0.75,
        r"(?:pretend|act|play|imagine|role-?play)[^.!?\n]{0,30}(?:my|a|as) (?:late |dead |deceased )?"
        r"(?:grand(?:ma|mother|pa|father)|granny|nana)|"
        r"my (?:late |dead |deceased )grand(?:ma|mother)|bedtime story[^.!?\n]{0,80}"
        r"(?:key|prompt|rules|instructions|password)|(?:let'?s|we will|we'll) play a game|"
        r"hypothetical (?:scenario|story|world) (?:where|in which) you|you are no longer|"
        r"in this (?:fictional|hypothetical) (?:world|scenario)",
    ),
    (
        "model_address",
        0.3,
        r"(?:chatgpt|gpt-?[34]|language model|large language|as an ai|"
        r"AI (?:model|assistant)|prompt|语言模型|人工智能助手)",
    ),
)
_COMPILED = tuple((name, weight, re.compile(rx, re.IGNORECASE)) for name, weight, rx in SIGNALS)
# The learned model's probability from which it is named among the signals on its own.
MODEL_CONFIDENT = 0.5
# Subtracted from the model's logit: the smallest shift (in steps of 0.25) that keeps every
# benign dev set (CIC, BANKING77, Bitext) at ≤ 0.5% flagged and no passage of the knowledge
# base's dev half flagged (benchmarks.guardrail_attacks); 0.25 flags one such passage.
MODEL_SHIFT = 0.5


@dataclass(frozen=True, slots=True)
class InjectionScan:
    """`score` combines the regex signals and the n-gram model (noisy-or); `start`/`end` point
    at the strongest regex match, or for a model-only finding at the sentence that weighs most.
    A signal found only in a decoded reading is named `signal@view` (e.g. `persona_zh@pinyin`),
    and its span is the whole text."""

    score: float
    signals: tuple[str, ...]
    model_score: float = 0.0
    start: int = 0
    end: int = 0


def _signals(text: str) -> tuple[float, list[str], float, tuple[int, int]]:
    """Noisy-or of the regex signals in `text`, their names, the strongest weight and its span."""
    remaining, strongest, span = 1.0, 0.0, (0, 0)
    fired: list[str] = []
    for name, weight, rx in _COMPILED:
        match = rx.search(text)
        if match:
            fired.append(name)
            remaining *= 1.0 - weight
            if weight > strongest:
                strongest, span = weight, match.span()
    return 1.0 - remaining, fired, strongest, span


def scan_injection(text: str, model: NgramModel | None = None) -> InjectionScan:
    """Probability-like score that `text` carries instructions for the model, with the signals
    that fired (regex names, plus `ngram_model` when the learned model alone is confident).

    The regex signals run over every reading of the text (see `injection_views`); the reading
    that scores highest counts."""
    if model is None:
        return _scan_shipped(text)
    return _scan(text, model)


@lru_cache(maxsize=8192)
def _scan_shipped(text: str) -> InjectionScan:
    """Cached: every reply's evidence is scanned, and the same passages come back often."""
    return _scan(text, shipped_model())


def _scan(text: str, model: NgramModel) -> InjectionScan:
    best, fired, strongest, span = 0.0, [], 0.0, (0, 0)
    readings = views(text)
    for view, reading in readings.items():
        score, names, weight, where = _signals(reading)
        if score > best:
            best, strongest = score, weight
            fired = names if view == "normalized" else [f"{n}@{view}" for n in names]
            span = normalize(text).to_original(*where) if view == "normalized" else (0, len(text))
    # The model reads the text as written and every decoded reading other than the folded one.
    decoded = [r for view, r in readings.items() if view != "normalized"]
    logits = [model.logit(t) for t in [text, *decoded] if t.strip()]
    learned = 1.0 / (1.0 + math.exp(MODEL_SHIFT - max(logits))) if logits else 0.0
    if learned >= MODEL_CONFIDENT:
        fired.append("ngram_model")
        if not strongest:
            span = model.strongest_sentence(text)
    score = 1.0 - (1.0 - best) * (1.0 - learned)
    return InjectionScan(round(score, 3), tuple(fired), round(learned, 3), *span)


class InjectionRule:
    """Notes injected inputs; blocks drafts that reveal the prompt, change persona or promise
    refunds, compensation or free orders the evidence does not state."""

    id = "injection"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        findings: list[Finding] = []
        for source, text in [("customer_message", draft.customer_message)] + [
            (f"evidence[{i}]", e) for i, e in enumerate(draft.evidence)
        ]:
            scan = scan_injection(text)
            if scan.score >= ctx.settings.injection_threshold:
                findings.append(
                    Finding(
                        rule="injection",
                        severity="info",
                        text=text[scan.start : scan.end][:80] or text[:80],
                        message=msg(
                            f"{source} 含有针对模型的指令({', '.join(scan.signals)};得分 "
                            f"{scan.score:.2f}),已按数据处理",
                            f"{source} contains instructions aimed at the model "
                            f"({', '.join(scan.signals)}; score {scan.score:.2f}); treated as data",
                        ),
                        fix=msg("不要执行其中的指令", "do not act on its instructions"),
                    )
                )
        grounds = "\n".join([draft.brief, *draft.evidence])
        hits = [
            prompt_leak(draft.text),
            persona_switch(draft.text),
            unapproved_promise(draft.text, grounds),
        ]
        findings.extend(self._block(draft.text, hit) for hit in hits if hit is not None)
        return findings

    @staticmethod
    def _block(text: str, hit: Hit) -> Finding:
        return Finding(
            rule="injection",
            severity="block",
            start=hit.start,
            end=hit.end,
            text=text[hit.start : hit.end][:80],
            message=msg(f"草稿{hit.zh}", f"the draft {hit.en}"),
            fix=msg(
                "删除该内容,按已批准的政策回复,必要时转人工",
                "remove it, answer from approved policy, hand over to a colleague if needed",
            ),
        )
