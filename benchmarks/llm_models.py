"""Model benchmark: real small models behind llama-cpp-python's server, old vs current prompts.

    python -m benchmarks.llm_models [--models smollm2,gemma3] [--before-version 1.0.0]
                                    [--max-output-tokens 256] [--out results.json]

For each packaged model (SmolLM2-135M, Gemma 3 270M; the `llama` extra) a llama.cpp server
starts on loopback and drafts every case of benchmarks/llm_cases.yaml (reply, post, message,
each with fixed knowledge-base passages) through the product code path, once with the prompts
of `--before-version` (read from git history into a temporary prompts folder) and once with the
current prompts. Per model and prompt version it prints:

- unparsed shown: drafts whose text shows unparsed model output (machine output, or the whole
  raw answer that did not parse) — the target is 0; beside it, how many the engine before
  labelled fallbacks would have shown (it made an unparsed answer the draft);
- parsed: cases whose answer parsed into drafts (the rest got the labelled template fallback);
- usable: parsed, every citation names a passage shown (and a reply or post cites at least one),
  and the guardrail verdict is not block;
- fallback reasons, and the mean seconds per draft.

The first case's first draft and the model's raw answer are printed verbatim for each version.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from copilot.config import Settings
from copilot.drafting import Drafter, DraftResult, MessageRequest, PostRequest, ReplyRequest
from copilot.drafting.engine import FALLBACK_LABEL
from copilot.errors import CopilotError
from copilot.guardrails.natural_language import machine_output
from copilot.llm.backend import ChatPrompt, Generation, T
from copilot.llm.local_server import MODELS, serve
from copilot.llm.openai_backend import OpenAIBackend
from copilot.llm.parsing import strip_reasoning
from copilot.retrieval.models import Hit, SearchFilters

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "llm_cases.yaml"
TASK_PROMPTS = ("reply", "post", "message")


class Passages:
    """The retriever of one case: its fixed passages, cited K1…Kn."""

    def __init__(self, passages: list[dict[str, str]]) -> None:
        self.hits = [
            Hit(
                id=f"p{rank}",
                text=p["text"],
                source=p["source"],
                doc_type=p["doc_type"],
                score=1.0,
                vector_score=0.8,
                keyword_rank=rank,
                citation=f"K{rank}",
            )
            for rank, p in enumerate(passages, start=1)
        ]

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[Hit]:
        return self.hits[:k]


class Recording:
    """Wraps the backend and keeps the last raw answer (also of rejected ones via the engine)."""

    is_template = False
    streams = True

    def __init__(self, inner: OpenAIBackend) -> None:
        self.inner = inner
        self.raw = ""

    @property
    def name(self) -> str:
        return self.inner.name

    def generate(self, prompt: ChatPrompt, schema: type[T]) -> Generation:
        self.raw = ""
        generation = self.inner.generate(prompt, schema)
        self.raw = generation.raw
        return generation

    def stream(self, prompt: ChatPrompt) -> Any:
        return self.inner.stream(prompt)


def old_prompts(version: str, folder: Path) -> Path:
    """The bundled prompts as they were at the newest commit where reply.zh.yaml had
    `version`, written into `folder`."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, check=True, capture_output=True, text=True
        ).stdout

    for commit in git("log", "--format=%H", "--", "prompts/reply.zh.yaml").split():
        spec = yaml.safe_load(git("show", f"{commit}:prompts/reply.zh.yaml"))
        if str(spec.get("version")) == version:
            folder.mkdir(parents=True, exist_ok=True)
            for name in git("ls-tree", "--name-only", commit, "prompts/").split():
                if name.endswith(".yaml"):
                    (folder / Path(name).name).write_text(git("show", f"{commit}:{name}"))
            return folder
    sys.exit(f"no commit has prompts/reply.zh.yaml at version {version}")


def draft(drafter: Drafter, case: dict[str, Any]) -> DraftResult:
    if case["task"] == "reply":
        return drafter.reply(ReplyRequest(message=case["message"]))
    if case["task"] == "post":
        return drafter.post(PostRequest(post_type=case["post_type"], topic=case["topic"]))
    return drafter.message(
        MessageRequest(
            playbook=case["playbook"],
            fields=case.get("fields", {}),
            brief=case.get("brief", ""),
            consents=case.get("consents", []),
        )
    )


def score(result: DraftResult, raw: str, case: dict[str, Any]) -> dict[str, Any]:
    fallback = result.backend == FALLBACK_LABEL
    answer = strip_reasoning(raw)
    unparsed = sum(
        1
        for d in result.drafts
        if machine_output(d.text) is not None or (fallback and answer and d.text.strip() == answer)
    )
    # What the engine before labelled fallbacks showed: the raw answer of every unparsed reply,
    # and suggestions whose text was machine output.
    dropped = sum("not natural language: dropped" in note for note in result.notes)
    old_engine = dropped + int(fallback and bool(answer) and result.model_output is not None)
    unknown = any("unknown evidence" in note for note in result.notes)
    needs_cite = bool(case["passages"]) and case["task"] != "message"
    cited = all(d.citations for d in result.drafts) if needs_cite else True
    usable = (
        not fallback
        and not unknown
        and cited
        and all(d.verdict.verdict != "block" for d in result.drafts)
    )
    return {
        "case": case["id"],
        "parsed": not fallback,
        "usable": usable,
        "unparsed_shown": unparsed,
        "unparsed_old_engine": old_engine,
        "reason": result.model_output.reason if result.model_output else "",
        "verdict": result.verdict.verdict,
        "draft": result.drafts[0].text if result.drafts else "",
        "raw": (result.model_output.raw if result.model_output else raw)[:1500],
        "prompt_version": result.prompt.version,
    }


def run_version(
    url: str, model: str, prompts: Path, cases: list[dict[str, Any]], max_output_tokens: int
) -> list[dict[str, Any]]:
    rows = []
    for case in cases:
        settings = Settings(
            prompts_dir=prompts,
            llm={"base_url": url, "model": model, "context_tokens": 2048, "cache": False},
        )
        backend = Recording(
            OpenAIBackend(
                base_url=url,
                model=model,
                timeout_s=600,
                temperature=0.0,
                max_output_tokens=max_output_tokens,
            )
        )
        drafter = Drafter.from_settings(
            settings, backend=backend, retriever=Passages(case["passages"])
        )
        started = time.perf_counter()
        try:
            row = score(draft(drafter, case), backend.raw, case)
        except CopilotError as exc:  # one broken case never loses the others
            row = {"case": case["id"], "error": exc.render(), "parsed": False, "usable": False}
            row |= {"unparsed_shown": 0, "unparsed_old_engine": 0, "reason": "error"}
            row |= {"draft": "", "raw": backend.raw[:1500], "prompt_version": "?"}
        row["seconds"] = round(time.perf_counter() - started, 1)
        rows.append(row)
        print(
            f"  {case['id']:<20} parsed={row['parsed']!s:<5} usable={row['usable']!s:<5} "
            f"{row['reason'] or '-':<22} {row['seconds']:>6.1f}s",
            flush=True,
        )
    return rows


def summary(rows: list[dict[str, Any]]) -> str:
    n = len(rows)
    reasons = Counter(r["reason"] for r in rows if r["reason"])
    seconds = sum(r["seconds"] for r in rows) / max(1, n)
    return (
        f"unparsed shown {sum(r['unparsed_shown'] for r in rows)} (old engine: "
        f"{sum(r['unparsed_old_engine'] for r in rows)}) · parsed "
        f"{sum(r['parsed'] for r in rows)}/{n} · usable {sum(r['usable'] for r in rows)}/{n} · "
        f"fallbacks {dict(reasons) or '{}'} · {seconds:.1f} s/draft"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(sorted(MODELS)))
    parser.add_argument("--before-version", default="1.0.0")
    parser.add_argument("--max-output-tokens", type=int, default=256)
    parser.add_argument("--out", type=Path, help="write every row (drafts, raw answers) as JSON")
    args = parser.parse_args()
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory(prefix="siyu-llm-bench-") as tmp:
        work = Path(tmp)
        before = old_prompts(args.before_version, work / "prompts-before")
        versions = {"before": before, "after": REPO / "prompts"}
        for name in args.models.split(","):
            alias = MODELS[name].alias
            with serve(name, work / name, n_ctx=2048, timeout_s=180) as url:
                results[name] = {}
                for label, folder in versions.items():
                    print(f"{name} · prompts {label} ({folder.name})", flush=True)
                    results[name][label] = run_version(
                        url, alias, folder, cases, args.max_output_tokens
                    )
    print("\nmodel     prompts  figures")
    for name, by_version in results.items():
        for label, rows in by_version.items():
            version = rows[0]["prompt_version"] if rows else "?"
            print(f"{name:<9} {label:<6} {version:<6} {summary(rows)}")
    for name, by_version in results.items():
        for label, rows in by_version.items():
            first = rows[0]
            print(f"\n--- {name} · {label} · {first['case']} ---")
            print(f"raw answer: {first['raw']}")
            print(f"shown draft: {first['draft']}")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
