"""Drafting benchmark: pipeline overhead, template-mode latency, streaming first-token latency.

    python -m benchmarks.drafting [--runs 200] [--stream-runs 15]

Everything goes through the product code path in a temporary SIYU_HOME with the bundled demo
knowledge base (ingested first). Customer messages are the FAQ questions of knowledge/faq.csv,
reworded slightly so they are not verbatim copies.

Targets: overhead of everything but the model (retrieval + prompt build + guardrails + parsing)
p95 ≤ 100 ms per reply; template-mode end-to-end p95 ≤ 200 ms; with a loopback server that
streams its first token after 300 ms, the first token reaches the caller within 350 ms. The
peer for streaming is the openai SDK streaming straight from the same server.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads; steadier on 2 cores

REPO = Path(__file__).resolve().parent.parent
FIRST_TOKEN_S = 0.3
ANSWER = (
    '{"suggestions": [{"text": "您好,运费由小禾家承担。", "citations": ["K1"], "confidence": 0.8}]}'
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, millis: list[float], target: float | None = None) -> None:
    p50, p95 = statistics.median(millis), pct(millis, 0.95)
    verdict = (
        ""
        if target is None
        else (
            f"  target ≤ {target:.0f} ms: {'met' if p95 <= target else f'MISSED by {p95 - target:.0f} ms'}"
        )
    )
    print(
        f"{name:<46} n={len(millis):<4} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"max {max(millis):7.1f} ms{verdict}"
    )


def messages(count: int) -> list[str]:
    with (REPO / "knowledge" / "faq.csv").open(encoding="utf-8-sig") as handle:
        questions = [row["question"] for row in csv.DictReader(handle)]
    prefixes = ["", "你好,", "请问", "麻烦问下,"]
    return [prefixes[i % len(prefixes)] + questions[i % len(questions)] for i in range(count)]


def timed(runs: list[str], call: Callable[[str], object]) -> list[float]:
    out = []
    for text in runs:
        started = time.perf_counter()
        call(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def first_delta_ms(deltas: Callable[[], Iterator[str]]) -> float:
    started = time.perf_counter()
    iterator = deltas()
    next(iterator)
    elapsed = (time.perf_counter() - started) * 1000
    for _ in iterator:  # drain, so the server finishes the stream
        pass
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="replies per latency figure")
    parser.add_argument("--stream-runs", type=int, default=15)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="siyu-bench-drafting-"))
    os.environ["SIYU_HOME"] = str(home)
    os.environ.pop("SIYU_LLM_BASE_URL", None)

    from openai import OpenAI

    from copilot.config import get_settings
    from copilot.drafting import Drafter, ReplyRequest
    from copilot.guardrails import check
    from copilot.guardrails.models import CheckInput
    from copilot.llm.backend import ChatPrompt
    from copilot.llm.fake import FakeBackend
    from copilot.llm.openai_backend import OpenAIBackend
    from copilot.llm.stub import StubResponse, stub_server
    from copilot.llm.template import TemplateBackend
    from copilot.retrieval import Ingestor, Retriever
    from copilot.retrieval.store import open_store

    settings = get_settings()
    started = time.perf_counter()
    settings.ensure_home()
    Ingestor(open_store(settings), settings.retrieval).ingest([REPO / "knowledge"])
    print(
        f"ingest demo knowledge base: {time.perf_counter() - started:.1f} s "
        f"(embedder {settings.embedding.provider}, SIYU_HOME {home})"
    )

    retriever = Retriever.from_settings(settings)
    texts = messages(args.runs)
    warm = texts[:10]

    fake = Drafter.from_settings(settings, backend=FakeBackend(default=ANSWER), retriever=retriever)
    template = Drafter.from_settings(settings, backend=TemplateBackend(), retriever=retriever)
    for text in warm:  # load the embedder, keyword index and tokenizer once
        fake.reply(ReplyRequest(message=text))
        template.reply(ReplyRequest(message=text))

    print("\n== per reply, demo knowledge base ==")
    report(
        "retrieval only (hybrid search, k=5)",
        timed(texts, lambda t: retriever.search(t, k=5)),
    )
    sample = CheckInput(
        id="b",
        task="reply",
        text="您好!因质量问题产生的退换货,运费由小禾家承担。",
        evidence=["因质量问题产生的退换货,运费由小禾家承担。"],
    )
    report(
        "guardrails only (one draft)",
        timed(texts[:100], lambda _: check(sample, settings.guardrails)),
    )
    report(
        "overhead: all but the model (fake backend)",
        timed(texts, lambda t: fake.reply(ReplyRequest(message=t))),
        100,
    )
    report(
        "template mode end-to-end (2–3 drafts checked)",
        timed(texts, lambda t: template.reply(ReplyRequest(message=t))),
        200,
    )

    print(f"\n== streaming, loopback server, first token after {FIRST_TOKEN_S * 1000:.0f} ms ==")
    stream = StubResponse(
        chunks=[ANSWER[i : i + 6] for i in range(0, len(ANSWER), 6)],
        delay_s=FIRST_TOKEN_S,
        chunk_delay_s=0.005,
    )
    with stub_server(default=stream) as server:
        client = OpenAI(base_url=server.base_url, api_key="sk-no-key", max_retries=0)
        backend = OpenAIBackend(base_url=server.base_url, model="stub", max_retries=0)
        llm = Drafter.from_settings(settings, backend=backend, retriever=retriever)

        def sdk() -> Iterator[str]:
            chunks = client.chat.completions.create(
                model="stub", messages=[{"role": "user", "content": "hi"}], stream=True
            )
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

        prompt = ChatPrompt(prompt_id="reply", version="b", hash="b", system="s", user="u")
        first_delta_ms(sdk)
        first_delta_ms(lambda: backend.stream(prompt))
        peer = [first_delta_ms(sdk) for _ in range(args.stream_runs)]
        ours = [first_delta_ms(lambda: backend.stream(prompt)) for _ in range(args.stream_runs)]

        def reply_stream(text: str) -> Iterator[str]:
            return iter(llm.stream_reply(ReplyRequest(message=text)))

        full = [first_delta_ms(partial(reply_stream, text)) for text in texts[: args.stream_runs]]
    report("peer: openai SDK stream, first delta", peer)
    report("OpenAIBackend.stream, first delta", ours, FIRST_TOKEN_S * 1000 + 50)
    report("Drafter.stream_reply incl. retrieval, first delta", full, FIRST_TOKEN_S * 1000 + 50)
    ratio = statistics.median(ours) / statistics.median(peer)
    print(f"ratio OpenAIBackend / openai SDK (median first delta): {ratio:.2f}x")


if __name__ == "__main__":
    main()
