"""Evidence for a prompt: fence passages as data, judge relevance, fit the token budget.

Retrieved passages and customer text go inside tags the system prompt declares as data. Tag-like
text inside them is neutralised so a passage cannot close its own fence. When the prompt is too
long, the lowest-ranked passages go first, then the last one is shortened; instructions, the
customer message and the schema are never trimmed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set as AbstractSet

from copilot.drafting.models import Citation
from copilot.drafting.prompts import PromptSpec
from copilot.errors import InputError
from copilot.llm.tokens import TokenCounter
from copilot.messages import Text, msg
from copilot.retrieval.models import Hit
from copilot.retrieval.text import keyword_tokens, query_tokens

# An opening or closing tag of any fence we use; matched case-insensitively inside data.
FENCE_TAG = re.compile(
    r"<(/?)\s*(evidence|customer_message|context|thread|turn|brief|customer_fields|rubric|input|"
    r"output)\b",
    re.IGNORECASE,
)
MIN_PASSAGE_TOKENS = 48
QUOTE_CHARS = 120
# An empty prompt variable, in the prompt's language.
NOTHING = {"zh": "(无)", "en": "(none)"}
# Decimals of a passage's P(answers) in the prompt; passages are ranked on it as shown.
ANSWER_DIGITS = 2


def fence_safe(text: str) -> str:
    """Text with fence tags defused (``<evidence`` → ``‹evidence``) so data stays data."""
    return FENCE_TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def cite_id(hit: Hit, rank: int) -> str:
    return hit.citation.strip("[]") or f"K{rank}"


def to_citation(cid: str, hit: Hit) -> Citation:
    """A passage as a draft cites it: id, source file and a short quote."""
    quote = hit.text.strip().replace("\n", " ")
    short = quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS] + "…"
    return Citation(id=cid, source=hit.source, quote=short)


def resolve_citations(ids: list[str], sources: dict[str, Hit]) -> tuple[list[Citation], list[str]]:
    """(citations for the ids that name shown evidence, ids that name nothing shown)."""
    wanted = [cid.strip().strip("[]") for cid in ids]
    known = [to_citation(cid, sources[cid]) for cid in dict.fromkeys(wanted) if cid in sources]
    return known, [cid for cid in wanted if cid not in sources]


def render_evidence(hits: list[Hit], empty: str, answers: dict[str, float] | None = None) -> str:
    """The passages fenced as data; with `answers` (passage id → P(answers the question)) each
    carries its probability as an attribute."""
    if not hits:
        return empty
    answers = answers or {}
    return "\n".join(
        f'<evidence id="{cite_id(hit, rank)}" source="{fence_safe(hit.source)}" '
        f'type="{hit.doc_type}"'
        + (f' answers="{answers[hit.id]:.{ANSWER_DIGITS}f}"' if hit.id in answers else "")
        + f">\n{fence_safe(hit.text.strip())}\n</evidence>"
        for rank, hit in enumerate(hits, start=1)
    )


def is_relevant(
    hit: Hit,
    query_tokens: AbstractSet[str],
    min_vector: float,
    min_keyword_vector: float,
    min_coverage: float,
) -> bool:
    """A passage counts as evidence for the ask when it is semantically close enough; or
    matched by keywords and at least loosely close; or when its heading (an FAQ question, a
    section title) contains nearly all of the ask's keywords — embeddings of a short question
    against a long answer score low even when the question is the same."""
    vector = hit.vector_score or 0.0
    if vector >= min_vector:
        return True
    if hit.keyword_rank is not None and vector >= min_keyword_vector:
        return True
    if hit.keyword_rank is None or len(query_tokens) < 2:
        return False
    covered = query_tokens & _passage_tokens(hit.heading or hit.text)
    return len(covered) / len(query_tokens) >= min_coverage


@functools.lru_cache(maxsize=4096)
def ask_tokens(query: str) -> frozenset[str]:
    """The keyword tokens of an ask (the ones the keyword search used)."""
    return frozenset(query_tokens(query))


@functools.lru_cache(maxsize=4096)
def _passage_tokens(text: str) -> frozenset[str]:
    """The keyword tokens of a passage's heading or text, tokenised once per process."""
    return frozenset(keyword_tokens(text))


def build_within_budget(
    spec: PromptSpec,
    variables: dict[str, str],
    hits: list[Hit],
    counter: TokenCounter,
    budget: int,
    empty: str,
    answers: dict[str, float] | None = None,
) -> tuple[str, str, list[Hit], list[Text]]:
    """(system, user, hits kept, notes) for a prompt that fits `budget` tokens."""
    kept = list(hits)
    notes: list[Text] = []
    while True:
        evidence = render_evidence(kept, empty, answers)
        system, user = spec.render({**variables, "evidence": evidence})
        if counter.messages_fit(budget, system, user):
            return system, user, kept, notes
        used = counter.count_messages(system, user)
        if len(kept) > 1:
            dropped = kept.pop()
            dropped_id = cite_id(dropped, len(kept) + 1)
            notes.append(
                msg(
                    f"证据 {dropped_id} 因长度预算被省略",
                    f"evidence {dropped_id} dropped for the token budget",
                )
            )
            continue
        if kept:
            over = used - budget
            room = counter.count(kept[0].text) - over - 8
            if room >= MIN_PASSAGE_TOKENS:
                short = counter.truncate(kept[0].text, room) + "…"
                kept[0] = kept[0].model_copy(update={"text": short})
                notes.append(
                    msg(
                        "证据 K1 已截短以符合长度预算", "evidence K1 shortened for the token budget"
                    )
                )
                continue
            kept = []
            notes.append(
                msg(
                    "证据全部省略:提示词已超出长度预算",
                    "all evidence dropped: the prompt is over the token budget",
                )
            )
            continue
        raise InputError(
            msg(
                f"请求过长:提示词需要 {used} tokens,上限 {budget}",
                f"request too long: the prompt needs {used} tokens, the budget is {budget}",
            ),
            where="customer_message, brief",
            hint=msg(
                "缩短客户消息或简报,或调大 SIYU_LLM_CONTEXT_TOKENS",
                "shorten the message or brief, or raise SIYU_LLM_CONTEXT_TOKENS",
            ),
        )
