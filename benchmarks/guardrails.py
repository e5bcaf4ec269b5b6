"""Guardrail benchmarks: PII (vs Presidio's pattern recognizers), injection (see
guardrail_attacks.py), drafts that obey an injection, marketing, sensitive data, latency.

    python -m benchmarks.guardrails [DATA_DIR]      # or set SIYU_BENCH_DATA

Prints figures only; nothing is written. Research-only data is read in place, never copied.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import cast

from faker import Faker
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UsSsnRecognizer,
)

from benchmarks import guardrail_attacks
from benchmarks.data_folder import data_dir
from copilot.guardrails import CheckInput, check, scan_pii
from copilot.guardrails.marketing_classifier import score_post
from copilot.guardrails.recognizer import luhn_digit

REPO = Path(__file__).resolve().parent.parent
Span = tuple[int, int, str]
# Our entity types → the evaluation label set of each corpus.
EN_LABELS = {"CN_MOBILE": "PHONE_NUMBER", "CN_LANDLINE": "PHONE_NUMBER", "PHONE": "PHONE_NUMBER",
             "BANK_CARD": "CREDIT_CARD", "EMAIL": "EMAIL_ADDRESS", "ADDRESS": "STREET_ADDRESS"}  # fmt: skip
PRESIDIO_TO_OURS = {
    "PHONE_NUMBER": "CN_MOBILE",
    "CREDIT_CARD": "BANK_CARD",
    "EMAIL_ADDRESS": "EMAIL",
}


# ---------------------------------------------------------------- PII
def presidio_scanner(regions: tuple[str, ...]) -> Callable[[str], list[Span]]:
    recognizers = [
        (PhoneRecognizer(supported_regions=regions), "PHONE_NUMBER"),
        (CreditCardRecognizer(), "CREDIT_CARD"),
        (EmailRecognizer(), "EMAIL_ADDRESS"),
        (UsSsnRecognizer(), "US_SSN"),
        (IpRecognizer(), "IP_ADDRESS"),
    ]

    def scan(text: str) -> list[Span]:
        return [
            (r.start, r.end, r.entity_type)
            for recognizer, entity in recognizers
            # pattern recognizers do not read the NLP artifacts
            for r in recognizer.analyze(text, [entity], nlp_artifacts=cast(NlpArtifacts, None))
        ]

    return scan


def prf(gold: list[set[Span]], pred: list[set[Span]], kind: str) -> tuple[float, float, float, int]:
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        g_k, p_k = {s for s in g if s[2] == kind}, {s for s in p if s[2] == kind}
        tp, fp, fn = tp + len(g_k & p_k), fp + len(p_k - g_k), fn + len(g_k - p_k)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp + fn


def presidio_research(data: Path) -> tuple[list[str], list[set[Span]]]:
    rows = json.loads((data / "presidio_research/synth_dataset_v2.json").read_text("utf-8"))
    texts = [r["full_text"] for r in rows]
    gold = [{(s["start_position"], s["end_position"], s["entity_type"]) for s in r["spans"]}
            for r in rows]  # fmt: skip
    return texts, gold


def chinese_corpus(seed: int = 11, n: int = 1200) -> tuple[list[str], list[set[Span]], list[bool]]:
    """Chat-style Chinese sentences with labelled spans, plus hard negatives (flag True)."""
    fake, rnd = Faker("zh_CN"), random.Random(seed)
    Faker.seed(seed)

    def card() -> str:
        body = "62" + "".join(rnd.choice("0123456789") for _ in range(rnd.choice((13, 16))))
        number = body + luhn_digit(body)
        return (
            " ".join(number[i : i + 4] for i in range(0, len(number), 4))
            if rnd.random() < 0.4
            else number
        )

    def mobile() -> str:
        m = fake.phone_number()
        form = rnd.random()
        if form < 0.2:
            return f"+86 {m[:3]} {m[3:7]} {m[7:]}"
        if form < 0.4:
            return f"{m[:3]}-{m[3:7]}-{m[7:]}"
        return m.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}) if form < 0.5 else m

    def address() -> str:
        return (f"{fake.province()}{fake.city()}{fake.district()}区{fake.street_name()}"
                f"{rnd.randint(1, 999)}号{rnd.randint(1, 30)}栋{rnd.randint(1, 6)}单元"
                f"{rnd.randint(101, 2605)}室")  # fmt: skip

    positive = [
        ("亲，我的手机号是{v}，麻烦帮我改一下收货电话", "CN_MOBILE", mobile),
        ("有问题打我电话 {v} 谢谢", "CN_MOBILE", mobile),
        ("身份证{v}，实名认证一直不通过怎么办", "CN_RESIDENT_ID", fake.ssn),
        ("清关需要身份证号：{v}", "CN_RESIDENT_ID", fake.ssn),
        ("退款打到这张卡吧 {v}", "BANK_CARD", card),
        ("我的银行卡号{v}，开户行招商银行", "BANK_CARD", card),
        ("发票发我邮箱{v}就行", "EMAIL", fake.email),
        ("邮箱 {v} 收不到验证码", "EMAIL", fake.free_email),
        ("地址改成{v}，谢谢", "ADDRESS", address),
        ("寄到{v}吧", "ADDRESS", address),
        ("收件人：{v}，麻烦加急", "PERSON", fake.name),
        ("你好我叫{v}，上周买的奶粉还没到", "PERSON", fake.name),
    ]
    negative: list[Callable[[], str]] = [
        lambda: f"订单号{rnd.randint(10**18, 10**19 - 1)}什么时候发货",
        lambda: f"顺丰单号SF{rnd.randint(10**12, 10**13 - 1)}一直没更新",
        lambda: f"中通快递 7{rnd.randint(10**13, 10**14 - 1)} 显示已签收",
        lambda: f"商品条码69{rnd.randint(10**10, 10**11 - 1)}是正品吗",
        lambda: (
            f"到手价{rnd.randint(59, 999)}元，满{rnd.choice((199, 299))}减{rnd.choice((20, 50))}"
        ),
        lambda: (
            f"{rnd.randint(2024, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d} 20:00 开始"
        ),
        lambda: (
            f"身份证{(lambda s: s[:17] + str((int(s[17]) + 1) % 10) if s[17] != 'X' else s[:17] + '0')(fake.ssn())}对吗"
        ),
        lambda: (
            f"卡号{(lambda c: c[:-1] + str((int(c[-1]) + 1) % 10))(card().replace(' ', ''))}绑不上"
        ),
        lambda: f"尾号{rnd.randint(1000, 9999)}的卡已解绑",
    ]
    texts, gold, hard = [], [], []
    for _ in range(n):
        if rnd.random() < 0.7:
            template, kind, make = rnd.choice(positive)
            value = make()
            start = template.index("{v}")
            texts.append(template.replace("{v}", value))
            gold.append({(start, start + len(value), kind)})
            hard.append(False)
        else:
            texts.append(rnd.choice(negative)())
            gold.append(set())
            hard.append(True)
    return texts, gold, hard


def ours(texts: Iterable[str], labels: dict[str, str] | None = None) -> list[set[Span]]:
    labels = labels or {}
    return [{(e.start, e.end, labels.get(e.type, e.type)) for e in scan_pii(t)} for t in texts]


def throughput(scan: Callable[[str], object], texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        scan(text)
    return sum(map(len, texts)) / (time.perf_counter() - started)


def bench_pii(data: Path) -> None:
    print("\n== PII: precision / recall / F1 (exact spans) — ours vs Presidio pattern recognizers")
    en_texts, en_gold = presidio_research(data)
    presidio_en = presidio_scanner(("US", "UK", "DE", "FR", "IL", "IN", "CA", "BR"))
    our_en, their_en = ours(en_texts, EN_LABELS), [set(presidio_en(t)) for t in en_texts]
    print(f"(a) presidio_research synth_dataset_v2 ({len(en_texts)} sentences)")
    both = ("PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS", "US_SSN", "IP_ADDRESS")
    _table(en_gold, our_en, their_en, both, ("PERSON", "STREET_ADDRESS"))
    zh_texts, zh_gold, hard = chinese_corpus()
    presidio_zh = presidio_scanner(("CN",))
    our_zh = ours(zh_texts)
    their_zh = [
        {(s, e, PRESIDIO_TO_OURS.get(k, k)) for s, e, k in presidio_zh(t)} for t in zh_texts
    ]
    print(f"(b) Chinese chat-style set from Faker zh_CN ({len(zh_texts)} sentences, "
          f"{sum(hard)} hard negatives)")  # fmt: skip
    _table(zh_gold, our_zh, their_zh, ("CN_MOBILE", "BANK_CARD", "EMAIL"),
           ("CN_RESIDENT_ID", "ADDRESS", "PERSON"))  # fmt: skip
    for name, pred in (("ours", our_zh), ("Presidio", their_zh)):
        clean = sum(1 for p, h in zip(pred, hard, strict=True) if h and not p)
        print(f"  hard negatives left unflagged ({name}): {clean}/{sum(hard)} = "
              f"{clean / sum(hard):.3f}")  # fmt: skip
    corpus = en_texts + zh_texts
    mine = throughput(scan_pii, corpus)
    theirs = throughput(presidio_en, corpus)
    print(f"  scan throughput on both sets: ours {mine / 1e3:.0f} k chars/s, Presidio "
          f"{theirs / 1e3:.0f} k chars/s → {mine / theirs:.1f}× (target ≥ 5×)")  # fmt: skip


def _table(gold: list[set[Span]], mine: list[set[Span]], theirs: list[set[Span]],
           shared: tuple[str, ...], ours_only: tuple[str, ...]) -> None:  # fmt: skip
    print(f"  {'type':<16}{'n':>5}  {'ours P/R/F1':<22}{'Presidio P/R/F1':<22}")
    for kind in shared + ours_only:
        p, r, f, n = prf(gold, mine, kind)
        peer = "(not supported)"
        if kind in shared:
            pp, pr, pf, _ = prf(gold, theirs, kind)
            peer = f"{pp:.3f}/{pr:.3f}/{pf:.3f}"
        print(f"  {kind:<16}{n:>5}  {p:.3f}/{r:.3f}/{f:.3f}     {peer}")


# ---------------------------------------------------------------- marketing
def _scores(rows: list[tuple[str, int]]) -> str:
    tp = sum(1 for t, y in rows if y and score_post(t).is_marketing)
    fp = sum(1 for t, y in rows if not y and score_post(t).is_marketing)
    fn = sum(1 for t, y in rows if y and not score_post(t).is_marketing)
    accuracy = (len(rows) - fp - fn) / len(rows)
    f1 = 2 * tp / (2 * tp + fp + fn)
    return f"n={len(rows):<5} accuracy {accuracy:.3f}  F1 {f1:.3f}  (target F1 ≥ 0.9)"


def bench_marketing(data: Path) -> None:
    print("\n== Marketing classifier")
    own = [
        json.loads(line) for line in (REPO / "evals/marketing/posts.jsonl").open(encoding="utf-8")
    ]
    rows = [(r["text"], r["label"]) for r in own]
    print(f"  evals/marketing dev split (even rows, tuned on)  {_scores(rows[::2])}")
    print(f"  evals/marketing test split (odd rows)            {_scores(rows[1::2])}")
    for lang in ("zh", "en"):
        subset = [(r["text"], r["label"]) for r in own[1::2] if r["lang"] == lang]
        print(f"  evals/marketing test split, {lang}                  {_scores(subset)}")
    for kind in ("tips", "ugc", "seeding", "promo"):
        kept = [r for r in own[1::2] if r["lang"] == "en" and r["type"] == kind]
        right = sum(score_post(r["text"]).is_marketing == bool(r["label"]) for r in kept)
        print(f"    en {kind:<8} correct {right}/{len(kept)}")
    ads = [json.loads(line)["summary"] for line in (data / "advertisegen_dev/dev.json").open()]
    news = [json.loads(line)["sentence"] for line in (data / "dataclue_tnews/dev.json").open()]
    reviews = [json.loads(line)["sentence"]
               for line in (data / "fewclue_eprstmt/test_public.json").open()]  # fmt: skip
    public = [(t, 1) for t in ads] + [(t, 0) for t in news + reviews]
    print(f"  advertisegen (+) vs tnews + eprstmt (−)          {_scores(public)}")
    review_fp = sum(score_post(t).is_marketing for t in reviews)
    print(f"  product reviews flagged as marketing: {review_fp}/{len(reviews)}")


# ---------------------------------------------------------------- latency
def bench_latency() -> None:
    print("\n== Latency: full pipeline, no LLM")
    base = ("双11会员日，小禾家有机米粉到手价99元，满299减50，点击小程序链接下单！宝宝辅食添加要由少"
            "到多，一次只加一种新食物。联系电话13812345678，回复TD退订。")  # fmt: skip
    text = (base * 6)[:500]
    draft = CheckInput(
        id="bench", task="message", text=text, evidence=["有机米粉会员价99元，满299减50"],
        purpose="marketing_personalisation", consents=["marketing_personalisation"],
        fields={"name": "王芳"}, customer_message="我想问下米粉什么时候有活动",
    )  # fmt: skip
    post = draft.model_copy(update={"task": "post", "community": "g1", "post_type": "promo",
                                    "scheduled_at": "2026-11-10T10:00:00+08:00",
                                    "history": [{"scheduled_at": "2026-11-09T10:00:00+08:00",
                                                 "text": base}] * 6})  # fmt: skip
    for name, item in (("1:1 message", draft), ("community post, 6 in history", post)):
        timings = []
        for i in range(300):
            # a different text each time, so no cache helps
            varied = item.model_copy(update={"text": f"{i:03d}" + item.text[3:]})
            started = time.perf_counter()
            check(varied)
            timings.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"  {name:<30} 500 chars: p50 {statistics.median(timings):.2f} ms, "
              f"p95 {p95:.2f} ms (target ≤ 10 ms)")  # fmt: skip
    print("  adversarial input (scan_pii / full pipeline), seconds; linear means 2 MB ≈ 2 × 1 MB")
    for name, char in (("digits", "7"), ("one letter", "a"), ("one CJK char", "哈"),
                       ("digit-dot", "1.")):  # fmt: skip
        row = []
        for size in (1_000_000, 2_000_000):
            text = char * (size // len(char))
            started = time.perf_counter()
            scan_pii(text)
            mid = time.perf_counter()
            check(CheckInput(id="adv", task="post", text=text))
            row.append(
                f"{size // 1_000_000} MB {mid - started:.2f}/{time.perf_counter() - mid:.2f}"
            )
        print(f"  {name:<14} " + "   ".join(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, help="data folder (or SIYU_BENCH_DATA)")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # Presidio's tldextract logs its failed list download
    data = data_dir(args.data)
    bench_pii(data)
    guardrail_attacks.bench_injection(data)
    guardrail_attacks.bench_compliance()
    bench_marketing(data)
    guardrail_attacks.bench_marketing(data)
    guardrail_attacks.bench_sensitive()
    bench_latency()


if __name__ == "__main__":
    main()
