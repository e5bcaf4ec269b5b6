"""The `marketing` rule: a community's rolling window stays under the marketing cap, counting the
draft; a tips/UGC post stays under its sentence cap.

A draft counts as marketing when it is declared `promo` (whatever the scorer says) or when the
scorer finds it promotional (whatever it is declared as). The scorer reads the normalised text,
so ９９, 九块九, 9️⃣9️⃣, traditional characters and zero-width characters do not hide a promotion.
The window counts the draft, so a promotion in a window with no other post makes 100% and is
blocked: until tips or UGC posts are planned, the community would receive nothing but marketing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from copilot.config import GuardrailSettings
from copilot.guardrails.context import MarketingAssessment, RuleContext
from copilot.guardrails.marketing_classifier import PostScore, SentenceScore, score_post
from copilot.guardrails.models import CheckInput, Finding, MarketingSummary
from copilot.messages import Msg, msg

_TIPS_FIX = msg(
    "改写为干货/用户晒单话题帖,删去价格、优惠和购买号召",
    "rewrite it as a tips or UGC post: drop prices, discounts and calls to buy",
)
_WINDOW_FIX = msg(
    "改发一条干货或用户晒单(UGC)帖,促销顺延到占比回落后",
    "post a tips or UGC post instead and move the promotion to a later day",
)


def counts_as_marketing(draft: CheckInput, post: PostScore) -> bool:
    """Declared promo always counts; any other post counts when its content is promotional."""
    return draft.post_type == "promo" or post.is_marketing


def assess(draft: CheckInput, settings: GuardrailSettings, when: datetime) -> MarketingAssessment:
    """Marketing summary of the draft and, for community posts, (share before, share after)."""
    post = score_post(draft.text)
    marketing = counts_as_marketing(draft, post)
    shares = _window_shares(draft, marketing, when, settings)
    summary = MarketingSummary(
        is_marketing=marketing,
        score=post.score,
        sentence_share=round(post.sentence_share, 3),
        window_share=None if shares is None else round(shares[1], 3),
    )
    return MarketingAssessment(summary, post, shares)


def _window_shares(
    draft: CheckInput, is_marketing: bool, when: datetime, settings: GuardrailSettings
) -> tuple[float, float] | None:
    """Marketing share of the rolling window ending at the draft: without and with it."""
    if draft.task != "post":
        return None
    span = timedelta(days=settings.marketing_window_days)
    posts = [
        (_aware(h.scheduled_at, when), score_post(h.text).is_marketing)
        for h in draft.history
        if not settings.marketing_same_community_only
        or (h.community or draft.community) == draft.community
    ]
    # The rolling window ends at the draft; posts planned later are judged in their own window.
    inside = [m for t, m in posts if when - span < t <= when]
    before = sum(inside) / len(inside) if inside else 0.0
    return before, (sum(inside) + is_marketing) / (len(inside) + 1)


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def _strongest(post: PostScore) -> SentenceScore | None:
    return max(post.sentences, key=lambda s: s.score, default=None)


def _declared_otherwise(draft: CheckInput, post: PostScore) -> Msg | None:
    """What to say when a post declared as tips/UGC/seeding reads as a promotion."""
    if draft.post_type in (None, "promo") or not post.is_marketing:
        return None
    return msg(
        f"(声明为 {draft.post_type},内容评分为促销 {post.score:.2f},按营销计入) ",
        f"(declared {draft.post_type}, scored promotional {post.score:.2f}, counted as marketing) ",
    )


class MarketingRule:
    """Caps marketing: window share for community posts, sentence share for tips/UGC posts."""

    id = "marketing"

    def check(self, draft: CheckInput, ctx: RuleContext) -> list[Finding]:
        if ctx.assessment is None:
            return []  # the pipeline has blocked the draft: the assessment failed
        settings = ctx.settings
        summary, post, shares = ctx.assessment.summary, ctx.assessment.post, ctx.assessment.shares
        findings: list[Finding] = []
        declared = _declared_otherwise(draft, post)
        if shares is not None and summary.is_marketing and shares[1] > settings.marketing_cap:
            before, after = (round(x * 100) for x in shares)
            cap = round(settings.marketing_cap * 100)
            days = settings.marketing_window_days
            strongest = _strongest(post) if draft.post_type != "promo" else None
            start, end = (strongest.start, strongest.end) if strongest else (0, len(draft.text))
            findings.append(
                Finding(
                    rule="marketing",
                    severity="block",
                    start=start,
                    end=end,
                    text=draft.text[start:end][:60],
                    message=(declared or "")
                    + msg(
                        f"{days} 天内营销内容占比当前 {before}%,发布后将达 {after}%,"
                        f"超过 {cap}% 上限",
                        f"marketing share in the rolling {days}-day window is {before}% and would "
                        f"reach {after}%, above the {cap}% cap",
                    ),
                    fix=_TIPS_FIX if declared else _WINDOW_FIX,
                )
            )
        share = post.sentence_share
        if draft.post_type in ("tips", "ugc") and share > settings.tips_sentence_cap:
            first = next(s for s in post.sentences if s.is_marketing)
            findings.append(
                Finding(
                    rule="marketing",
                    severity="block",
                    start=first.start,
                    end=first.end,
                    text=first.text,
                    message=(declared or "")
                    + msg(
                        f"{draft.post_type} 帖中营销句占 {round(share * 100)}%,"
                        f"超过 {round(settings.tips_sentence_cap * 100)}% 上限",
                        f"{round(share * 100)}% of the sentences of this {draft.post_type} post "
                        f"are marketing, above the {round(settings.tips_sentence_cap * 100)}% cap",
                    ),
                    fix=_TIPS_FIX,
                )
            )
        return findings
