"""PII benchmark: recall per obfuscation class, precision on hard negatives, speed.

    python -m benchmarks.pii --data DATA_DIR [--split dev|test] [--errors N]
    (or set SIYU_BENCH_DATA=DATA_DIR)

How the sets are built (nothing is written; research-only data is read in place):

- Carrier text: real Chinese sentences from CLUENER2020 dev (research use). Even rows are the
  dev split (used while tuning), odd rows the test split (reported). CLUENER's own labels are
  not used; its sentences already contain years, scores and counts ("2比1").
- Positives: a synthetic value with a valid checksum is generated (mainland mobile; resident ID
  with its ISO 7064 check character; 16/19-digit bank card with its Luhn digit; email; WeChat
  id), written in one obfuscation class, introduced by a cue phrase and inserted at a clause
  boundary of a real sentence. Gold = the inserted value's span.
- Hard negatives: order numbers, tracking numbers, product barcodes (valid GS1 check digit),
  prices, dates, 400/800 service lines and masked numbers (138****5678, 尾号5678), inserted the
  same way; the carrier sentences alone are negatives too.
- Seeds differ per split, so dev and test share no generated value and no carrier sentence.

Figures: recall per class (a hit = an entity of the right type whose span covers the value),
precision of all detections of the scored types over positives + negatives, the share of hard
negatives left unflagged per class, pipeline p95 per 500-char draft, and scan speed against
Presidio's pattern recognizers (the `bench` extra) on the same texts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.data_folder import data_dir
from benchmarks.guardrails import presidio_scanner
from copilot.guardrails import CheckInput, check, scan_pii
from copilot.guardrails.normalize import normalize
from copilot.guardrails.pii_cn import resident_id_check
from copilot.guardrails.recognizer import gs1_digit, luhn_digit

SCORED = frozenset({"CN_MOBILE", "CN_RESIDENT_ID", "BANK_CARD", "EMAIL", "WECHAT_ID"})
SEEDS = {"dev": 101, "test": 202}
_REGIONS = ("110101", "110105", "310115", "440305", "330106", "510107", "420102", "320106")
_CHINESE = "〇一二三四五六七八九"
_FINANCIAL = "零壹贰叁肆伍陆柒捌玖"
_TRADITIONAL_FINANCIAL = "零壹貳參肆伍陸柒捌玖"
_CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
_DINGBAT = "⓿❶❷❸❹❺❻❼❽❾"
_FORMAT_CHARS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u00ad")


@dataclass(frozen=True)
class Case:
    text: str
    kind: str | None  # entity type expected, None for a negative
    start: int = 0
    end: int = 0
    label: str = ""  # obfuscation class or negative class


# ---------------------------------------------------------------- values
def _digits(rnd: random.Random, n: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(n))


def mobile(rnd: random.Random) -> tuple[str, tuple[int, ...]]:
    return f"1{rnd.choice('3456789')}{_digits(rnd, 9)}", (3, 4, 4)


def resident_id(rnd: random.Random) -> tuple[str, tuple[int, ...]]:
    year, month, day = rnd.randint(1950, 2008), rnd.randint(1, 12), rnd.randint(1, 28)
    body = f"{rnd.choice(_REGIONS)}{year}{month:02d}{day:02d}{_digits(rnd, 3)}"
    return body + resident_id_check(body), (6, 8, 4)


def bank_card(rnd: random.Random) -> tuple[str, tuple[int, ...]]:
    length = rnd.choice((16, 19))
    body = rnd.choice(("62", "4", "5")) + _digits(rnd, length - 1 - 1)
    body = body[: length - 1]
    return body + luhn_digit(body), (4, 4, 4, 4, 3) if length == 19 else (4, 4, 4, 4)


NUMBERS: dict[str, tuple[str, Callable[[random.Random], tuple[str, tuple[int, ...]]], tuple[str, ...]]] = {
    "CN_MOBILE": ("手机", mobile, ("我的手机号是", "有事打我电话", "联系电话：", "回电请打", "麻烦打")),
    "CN_RESIDENT_ID": ("身份证", resident_id, ("身份证号", "我的身份证是", "证件号码：", "实名信息 身份证")),
    "BANK_CARD": ("卡号", bank_card, ("退款打到我的卡", "银行卡号", "我的卡号是", "信用卡")),
}  # fmt: skip


# ---------------------------------------------------------------- obfuscations of numbers
def _per_digit(value: str, write: Callable[[str], str]) -> str:
    return "".join(write(ch) if ch.isdigit() else ch for ch in value)


def _grouped(value: str, groups: tuple[int, ...], separator: str) -> str:
    parts, position = [], 0
    for size in groups:
        parts.append(value[position : position + size])
        position += size
    return separator.join(parts)


def _one_of(rnd: random.Random, *options: str) -> str:
    return rnd.choice(options)


NumberObfuscation = Callable[[random.Random, str, tuple[int, ...]], str]
NUMBER_CLASSES: dict[str, NumberObfuscation] = {
    "plain": lambda rnd, v, g: v,
    "separators . / - space": lambda rnd, v, g: _grouped(v, g, _one_of(rnd, ".", "/", "-", " ", " - ")),
    "one digit per space": lambda rnd, v, g: " ".join(v),
    "line break inside": lambda rnd, v, g: _grouped(v, g, _one_of(rnd, "\n", "\r\n")),
    "Chinese numerals": lambda rnd, v, g: _per_digit(v, lambda d: _CHINESE[int(d)]),
    "幺/两/零 numerals": lambda rnd, v, g: _per_digit(
        v, lambda d: {"1": "幺", "2": rnd.choice("二两"), "0": rnd.choice("零〇")}.get(d, _CHINESE[int(d)])
    ),
    "financial/traditional numerals": lambda rnd, v, g: _per_digit(
        v, lambda d: rnd.choice((_FINANCIAL, _TRADITIONAL_FINANCIAL))[int(d)]
    ),
    "full-width + Chinese mix": lambda rnd, v, g: _per_digit(
        v, lambda d: rnd.choice((chr(ord(d) + 0xFEE0), _CHINESE[int(d)], d))
    ),
    "format characters (Cf)": lambda rnd, v, g: "".join(ch + rnd.choice(_FORMAT_CHARS) for ch in v[:-1]) + v[-1],
    "keycap emoji": lambda rnd, v, g: _per_digit(v, lambda d: f"{d}\ufe0f\u20e3"),
    "circled/dingbat digits": lambda rnd, v, g: _per_digit(v, lambda d: rnd.choice((_CIRCLED, _DINGBAT))[int(d)]),
    "announced in two parts": lambda rnd, v, g: (
        f"{v[:3]}{_one_of(rnd, ' 后八位', '，后面是', ' 剩下的', '，后面')}{v[3:]}"
        if len(v) == 11 else f"{v[:6]}{_one_of(rnd, ' 后面是', '，剩下的')}{v[6:]}"
    ),
}  # fmt: skip


# ---------------------------------------------------------------- emails and WeChat ids
_NAMES = ("wangfang", "li.lei", "zhang_wei88", "chen.jing2020", "mama_xiaoyu", "liu.yang.bj")
_DOMAINS = ("qq.com", "163.com", "126.com", "gmail.com", "example.com", "sina.cn", "foxmail.com")


def _email_parts(rnd: random.Random) -> tuple[str, str, str]:
    domain, tld = rnd.choice(_DOMAINS).split(".")
    return f"{rnd.choice(_NAMES)}{rnd.randint(1, 999)}", domain, tld


EMAIL_CLASSES: dict[str, Callable[[random.Random], str]] = {
    "email plain": lambda rnd: "{}@{}.{}".format(*_email_parts(rnd)),
    "email at/dot": lambda rnd: "{} at {} dot {}".format(*_email_parts(rnd)),
    "email [at]/(dot)": lambda rnd: "{}{}{}{}{}".format(
        (p := _email_parts(rnd))[0], _one_of(rnd, "[at]", "(at)", "[AT]"), p[1],
        _one_of(rnd, "[dot]", "(dot)", "."), p[2],
    ),
    "email 艾特/点": lambda rnd: "{}{}{}{}{}".format(
        (p := _email_parts(rnd))[0], _one_of(rnd, "艾特", " 艾特 "), p[1], _one_of(rnd, "点", " 点 ", "."), p[2]
    ),
    "email 圈a": lambda rnd: "{}圈a{}.{}".format(*_email_parts(rnd)),
}  # fmt: skip
_WECHAT_CUES = ("加V", "加v", "vx", "VX：", "V信", "薇信", "绿泡泡", "微信号：", "wx", "威信")
_HANDLE_WORDS = ("mama", "baobao", "xiaohe", "lily", "tiantian", "yoyo", "sunny")


def wechat_handle(rnd: random.Random) -> str:
    return f"{rnd.choice(_HANDLE_WORDS)}{rnd.choice(('_', '', '-'))}{rnd.randint(100, 99999)}"


# ---------------------------------------------------------------- hard negatives
def _ean13(rnd: random.Random) -> str:
    body = f"69{rnd.randint(0, 9)}{_digits(rnd, 9)}"
    return body + gs1_digit(body)


NEGATIVES: dict[str, Callable[[random.Random], str]] = {
    "order number": lambda rnd: f"订单号{rnd.choice(('', ' ', '：'))}{rnd.randint(10**17, 10**20 - 1)}",
    "tracking number": lambda rnd: rnd.choice((
        f"顺丰单号SF{_digits(rnd, 12)}", f"中通快递 7{_digits(rnd, 13)} 显示已签收",
        f"快递单号{rnd.choice(('YT', 'JT', ''))}{_digits(rnd, 13)}", f"运单号 {_digits(rnd, 12)}",
    )),
    "barcode": lambda rnd: rnd.choice((
        f"商品编码{_ean13(rnd)}", f"条码 {_ean13(rnd)} 是正品吗", f"这款的条形码{_ean13(rnd)}",
        f"包装上印着{_ean13(rnd)}",
    )),
    "price": lambda rnd: rnd.choice((
        f"到手价{rnd.randint(59, 9999)}元", f"满{rnd.choice((199, 299, 399))}减{rnd.choice((20, 30, 50))}",
        f"¥{rnd.randint(10, 5000)}.{rnd.randint(0, 99):02d}", f"价格 {rnd.randint(9, 999)} {rnd.randint(9, 999)} 两档",
        "九块九包邮", "一百九十九元两件",
    )),
    "date/time": lambda rnd: rnd.choice((
        f"{rnd.randint(2020, 2027)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d} {rnd.randint(0, 23):02d}:00",
        f"{rnd.randint(2020, 2027)}.{rnd.randint(1, 12)}.{rnd.randint(1, 28)}",
        f"{rnd.randint(2020, 2027)}年{rnd.randint(1, 12)}月{rnd.randint(1, 28)}日", "二〇二六年十一月十一日",
    )),
    "400/800 line": lambda rnd: rnd.choice((
        f"客服热线400-{_digits(rnd, 3)}-{_digits(rnd, 4)}", f"拨打 800 {_digits(rnd, 3)} {_digits(rnd, 4)} 咨询",
        f"服务电话400{_digits(rnd, 7)}",
    )),
    "masked number": lambda rnd: rnd.choice((
        f"手机号1{rnd.choice('3456789')}{_digits(rnd, 1)}****{_digits(rnd, 4)}", f"尾号{_digits(rnd, 4)}的卡",
        f"身份证{rnd.choice(_REGIONS)}********{_digits(rnd, 4)}", f"卡号 **** **** **** {_digits(rnd, 4)}",
    )),
}  # fmt: skip


# ---------------------------------------------------------------- sets
def carriers(data: Path, split: str) -> list[str]:
    rows = [
        json.loads(line)["text"] for line in (data / "cluener2020/dev.jsonl").open(encoding="utf-8")
    ]
    return rows[0::2] if split == "dev" else rows[1::2]


def _insert(rnd: random.Random, sentence: str, phrase: str) -> tuple[str, int]:
    """`sentence` with `phrase` at a clause boundary (after ，。；or at either end); returns the
    text and the offset of the phrase."""
    cuts = [0, len(sentence)] + [i + 1 for i, ch in enumerate(sentence) if ch in "，。；！？"]
    cut = rnd.choice(cuts)
    glue_before = "，" if cut > 0 and sentence[cut - 1] not in "，。；！？" else ""
    glue_after = "，" if cut < len(sentence) else "。"
    text = f"{sentence[:cut]}{glue_before}{phrase}{glue_after}{sentence[cut:]}"
    return text, cut + len(glue_before)


def build(data: Path, split: str) -> list[Case]:
    rnd = random.Random(SEEDS[split])
    pool = carriers(data, split)
    cases: list[Case] = []
    per_class = 60
    for kind, (_, make, cues) in NUMBERS.items():
        for label, obfuscate in NUMBER_CLASSES.items():
            for _ in range(per_class):
                value, groups = make(rnd)
                written, cue = obfuscate(rnd, value, groups), rnd.choice(cues)
                text, at = _insert(rnd, rnd.choice(pool), f"{cue}{written}")
                cases.append(Case(text, kind, at + len(cue), at + len(cue) + len(written), label))
    for label, make_email in EMAIL_CLASSES.items():
        for _ in range(per_class):
            written, cue = (
                make_email(rnd),
                rnd.choice(("邮箱", "发票发我邮箱 ", "email: ", "邮箱是")),
            )
            text, at = _insert(rnd, rnd.choice(pool), f"{cue}{written}")
            cases.append(Case(text, "EMAIL", at + len(cue), at + len(cue) + len(written), label))
    for _ in range(per_class * 2):
        written, cue = wechat_handle(rnd), rnd.choice(_WECHAT_CUES) + rnd.choice(("", " "))
        text, at = _insert(rnd, rnd.choice(pool), f"{cue}{written}")
        cases.append(
            Case(text, "WECHAT_ID", at + len(cue), at + len(cue) + len(written), "WeChat cue words")
        )
    for label, make_negative in NEGATIVES.items():
        for _ in range(per_class * 2):
            text, _ = _insert(rnd, rnd.choice(pool), make_negative(rnd))
            cases.append(Case(text, None, label=label))
    cases.extend(Case(sentence, None, label="carrier sentence alone") for sentence in pool)
    return cases


# ---------------------------------------------------------------- scoring
def score(cases: list[Case], errors: int) -> None:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    clean: Counter[str] = Counter()
    tp = fp = 0
    shown = 0
    for case in cases:
        found = [e for e in scan_pii(case.text) if e.type in SCORED]
        totals[case.label] += 1
        if case.kind is None:
            clean[case.label] += not found
            fp += len(found)
            if found and shown < errors:
                shown += 1
                print(f"  FP [{case.label}] {[(e.type, e.text) for e in found]} in {case.text!r}")
            continue
        hit = any(
            e.type == case.kind and e.start <= case.start and e.end >= case.end for e in found
        )
        hits[case.label] += hit
        tp += hit
        fp += sum(not (e.start < case.end and case.start < e.end) for e in found)
        if not hit and shown < errors:
            shown += 1
            print(f"  FN [{case.label}] {case.text[case.start : case.end]!r} found "
                  f"{[(e.type, e.text) for e in found]}")  # fmt: skip
    print(f"  {'obfuscation class':<34}{'n':>5}  recall (target ≥ 0.95)")
    for label in hits.keys() | {c.label for c in cases if c.kind}:
        print(f"  {label:<34}{totals[label]:>5}  {hits[label] / totals[label]:.3f}")
    positives = sum(1 for c in cases if c.kind)
    print(f"  {'ALL positives':<34}{positives:>5}  {tp / positives:.3f}")
    print(f"\n  {'hard negative class':<34}{'n':>5}  left unflagged")
    for label in clean:
        print(f"  {label:<34}{totals[label]:>5}  {clean[label] / totals[label]:.3f}")
    print(f"\n  precision of detections (types {', '.join(sorted(SCORED))}) over positives + "
          f"negatives: {tp}/{tp + fp} = {tp / (tp + fp):.4f} (target ≥ 0.98)")  # fmt: skip


def bench_latency(cases: list[Case]) -> None:
    texts = [c.text for c in cases]
    rnd = random.Random(7)
    drafts = []
    for _ in range(300):
        chunk = ""
        while len(chunk) < 500:
            chunk += rnd.choice(texts)
        drafts.append(chunk[:500])
    wall, cpu = [], []
    for index, text in enumerate(drafts):
        draft = CheckInput(id=f"b{index}", task="message", text=text, evidence=["会员价99元，满299减50"],
                           purpose="marketing_personalisation", consents=["marketing_personalisation"])  # fmt: skip
        started, started_cpu = time.perf_counter(), time.process_time()
        check(draft)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    for name, timings in (("wall", wall), ("CPU", cpu)):
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"  full guardrail pipeline, 300 drafts of 500 chars from this split, {name} time: "
              f"p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms (target ≤ 10 ms)")  # fmt: skip
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average during the run (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")


def cpu_throughput(scan: Callable[[str], object], texts: list[str]) -> float:
    """Characters per CPU second of this process (steadier than wall time on a shared machine)."""
    started = time.process_time()
    for text in texts:
        scan(text)
    return sum(map(len, texts)) / (time.process_time() - started)


SPEED_RUNS = 5


def bench_speed(cases: list[Case], warm: list[Case]) -> None:
    """Each scanner first reads the other split's texts (regexes, OpenCC, phone metadata and
    per-character caches warm, no text seen before), then the scanners take turns over this
    split, SPEED_RUNS passes each; the median pass counts."""
    texts = [c.text for c in cases]
    scanners: dict[str, Callable[[str], object]] = {
        "ours": scan_pii,
        "Presidio pattern recognizers, region CN": presidio_scanner(("CN",)),
        "Presidio pattern recognizers, 8 regions as in benchmarks.guardrails": presidio_scanner(
            ("US", "UK", "DE", "FR", "IL", "IN", "CA", "BR")
        ),
    }
    for scan in scanners.values():
        for case in warm:
            scan(case.text)
    runs: dict[str, list[float]] = {name: [] for name in scanners}
    for _ in range(SPEED_RUNS):
        for name, scan in scanners.items():
            runs[name].append(cpu_throughput(scan, texts))
    rate = {name: statistics.median(r) for name, r in runs.items()}
    print("  same texts, each scanner called once per text; ours: scan_pii (normalisation, 14 "
          "recognizers, two views for numbers); Presidio: phone, credit card, email, US SSN and "
          "IP pattern recognizers on the raw text")  # fmt: skip
    print(f"  scan throughput (CPU time, median of {SPEED_RUNS} passes): ours "
          f"{rate['ours'] / 1e3:.0f} k chars/s (passes {_k(runs['ours'])})")  # fmt: skip
    for name in list(scanners)[1:]:
        print(f"  {name}: {rate[name] / 1e3:.0f} k chars/s (passes {_k(runs[name])}) → ours "
              f"{rate['ours'] / rate[name]:.1f}× (target ≥ 5×)")  # fmt: skip


def _k(rates: list[float]) -> str:
    return "/".join(f"{r / 1e3:.0f}k" for r in rates)


def bench_adversarial() -> None:
    print("  adversarial input, CPU seconds (normalize / scan_pii); linear: 2 MB ≈ 2 × 1 MB")
    for name, unit in (("mixed digits + numerals", "1一2二 3.三\n"), ("Chinese numerals", "九十九"),
                       ("keycaps", "1\ufe0f\u20e3"), ("digit-space", "1 "), ("letter a", "a"),
                       ("digits", "0123456789"), ("street numbers 路1号", "路1号")):  # fmt: skip
        row = []
        for size in (1_000_000, 2_000_000):
            text = unit * (size // len(unit))
            started = time.process_time()
            normalize(text)
            mid = time.process_time()
            scan_pii(text)
            row.append(
                f"{size // 1_000_000} MB {mid - started:.2f}/{time.process_time() - mid:.2f}"
            )
        print(f"  {name:<24} " + "   ".join(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misses/false alarms")
    args = parser.parse_args()
    args.data = data_dir(args.data, "cluener2020/dev.jsonl")
    logging.disable(logging.CRITICAL)  # Presidio's tldextract logs its failed list download
    cases = build(args.data, args.split)
    print(f"== PII, {args.split} split: {sum(1 for c in cases if c.kind)} positives, "
          f"{sum(1 for c in cases if not c.kind)} negatives")  # fmt: skip
    score(cases, args.errors)
    print()
    bench_latency(cases)
    bench_speed(cases, build(args.data, "dev" if args.split == "test" else "test"))
    bench_adversarial()


if __name__ == "__main__":
    main()
