"""CLI startup benchmark: `siyu --help` and a cold `siyu reply`, each in a fresh process.

    python -m benchmarks.cli [--runs 7] [--reply-runs 5]

Every run is a new `siyu` process (the same entry point users type), so each pays interpreter
start-up, imports, store opening and model loading; the operating system's file cache stays
warm, as it does for someone running commands one after another. The demo knowledge base is
ingested once into a temporary SIYU_HOME first (not timed). The peer is `python -c pass`: the
interpreter's own start-up, the floor no command can go below. CPU seconds (user + system of the
child) are printed beside wall time: on a busy machine they show what the command itself costs.

Targets (idle 2-core machine): `siyu --help` median ≤ 0.3 s; cold `siyu reply` median ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIYU = Path(sys.executable).with_name("siyu")
QUESTION = "满多少包邮？不满的话运费多少？"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of cmd in a new process."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, _children_cpu() - cpu


def median_of(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, list[float]]:
    """(median wall s, median CPU s, every wall time) over `runs` fresh processes."""
    results = [timed(cmd, env) for _ in range(runs)]
    walls = [wall for wall, _ in results]
    return statistics.median(walls), statistics.median(cpu for _, cpu in results), walls


def report(
    name: str, cmd: list[str], env: dict[str, str], runs: int, floor: float, target: float
) -> None:
    median, cpu, walls = median_of(cmd, env, runs)
    verdict = "met" if median <= target else f"MISSED by {median - target:.2f} s"
    print(
        f"{name:<28} n={runs:<3} median {median:6.3f} s (CPU {cpu:6.3f} s)  "
        f"min {min(walls):6.3f} s  max {max(walls):6.3f} s  {median / floor:5.1f}× python "
        f"start-up  target ≤ {target:g} s: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of `siyu --help`")
    parser.add_argument("--reply-runs", type=int, default=5, help="runs of a cold `siyu reply`")
    args = parser.parse_args()
    if not SIYU.exists():
        sys.exit(f"siyu is not installed next to {sys.executable}: pip install -e .")
    with tempfile.TemporaryDirectory(prefix="siyu-bench-cli-") as home:
        env = {
            **os.environ,
            "SIYU_HOME": home,
            "GRADIO_ANALYTICS_ENABLED": "False",
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
        }
        subprocess.run(
            [str(SIYU), "ingest", str(REPO / "knowledge")],
            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        subprocess.run([str(SIYU), "reply", QUESTION], env=env, check=True, capture_output=True)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        floor, floor_cpu, _ = median_of([sys.executable, "-c", "pass"], env, args.runs)
        print(f"{'python -c pass (peer)':<28} median {floor:6.3f} s (CPU {floor_cpu:6.3f} s)")
        report("siyu --help", [str(SIYU), "--help"], env, args.runs, floor, 0.3)
        reply = [str(SIYU), "reply", QUESTION]
        report("siyu reply (cold process)", reply, env, args.reply_runs, floor, 2.0)
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
