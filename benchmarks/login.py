"""Login check time for a known and an unknown user name (they must cost the same).

    python -m benchmarks.login [--tries 30]

Times the workbench's login check (PBKDF2 at the default cost) for a known user with a wrong
password and for a name that does not exist; prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from copilot.ui.auth import authenticator, hash_password


def medians_ms(check: Callable[[str, str], bool], names: list[str], tries: int) -> list[float]:
    """Median time per name; the names take turns so machine load hits them alike."""
    times: list[list[float]] = [[] for _ in names]
    for _ in range(tries):
        for index, name in enumerate(names):
            start = time.perf_counter()
            check(name, "wrong password")
            times[index].append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    check = authenticator("0.0.0.0", {"alice": hash_password("correct horse")})
    assert check is not None
    check("nobody", "warm-up")  # the unknown-user hash is made once, on first use
    known, unknown = medians_ms(check, ["alice", "nobody"], args.tries)
    print(
        f"login check, median of {args.tries}: known user {known:.1f} ms, "
        f"unknown user {unknown:.1f} ms, unknown/known {unknown / known:.2f}"
    )


if __name__ == "__main__":
    main()
