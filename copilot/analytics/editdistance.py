"""Character edit distance of an edited reply, from the unified diff the audit log keeps.

The log stores what changed (a unified diff of the suggestion against what the person sent),
not both texts. Lines outside the hunks are equal, so the distance of the removed lines
against the added lines is the distance of the whole texts (hunks are compared in order, their
distances summed; joining the lines of a hunk with newlines keeps line breaks as edits).
"""

from __future__ import annotations


def levenshtein(a: str, b: str) -> int:
    """Insertions, deletions and substitutions turning `a` into `b` (common ends skipped)."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _hunks(diff: str) -> list[tuple[list[str], list[str]]]:
    hunks: list[tuple[list[str], list[str]]] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@") or not hunks:
            hunks.append(([], []))
            if line.startswith("@@"):
                continue
        if line.startswith("-"):
            hunks[-1][0].append(line[1:])
        elif line.startswith("+"):
            hunks[-1][1].append(line[1:])
    return hunks


def diff_distance(diff: str) -> int | None:
    """The edit distance a unified diff describes; None for an empty or unreadable diff."""
    hunks = [h for h in _hunks(diff) if h[0] or h[1]]
    if not hunks:
        return None
    return sum(levenshtein("\n".join(removed), "\n".join(added)) for removed, added in hunks)


def added_text(diff: str) -> str:
    """The lines a person wrote in place of the suggestion's (the diff's added lines)."""
    return "\n".join(added for _, lines in _hunks(diff) for added in lines).strip()
