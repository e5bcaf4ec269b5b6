from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import ConfigError
from copilot.evals import CaseResult, RunStore, compare
from copilot.messages import language
from tests.unit.evals.conftest import WHEN, case, run

# (baseline case, current case, expected change or None)
CHANGES = [
    (case("a", "pass", (True, 1)), case("a", "fail", (False, 0)), "regressed"),
    (case("a", "pass", (True, 1)), case("a", "error"), "regressed"),
    (case("a", "fail", (False, 0)), case("a", "error"), "regressed"),
    (
        case("a", "fail", (True, 1), (False, 0)),
        case("a", "fail", (False, 0), (False, 0)),
        "regressed",
    ),
    (case("a", "fail", (False, 0)), case("a", "pass", (True, 1)), "fixed"),
    (case("a", "error"), case("a", "pass", (True, 1)), "fixed"),
    (case("a", "pass", (True, 0.9)), case("a", "pass", (True, 0.7)), "score"),
    (case("a", "pass", (True, 0.9)), case("a", "pass", (True, 0.88)), None),
    (case("a", "pass", (True, 1)), case("a", "pass", (True, 1)), None),
    (case("a", "error"), case("a", "error"), None),
]


@pytest.mark.parametrize(("before", "after", "change"), CHANGES)
def test_case_changes(before: CaseResult, after: CaseResult, change: str | None) -> None:
    comparison = compare(run("1", before), run("2", after), tolerance=0.05)
    assert [d.change for d in comparison.diffs] == ([change] if change else [])
    assert comparison.regressed is (change == "regressed")


def test_added_and_removed_cases_are_listed_but_not_regressions() -> None:
    comparison = compare(run("1", case("old", "pass")), run("2", case("new", "fail")))
    assert sorted((d.key, d.change) for d in comparison.diffs) == [
        ("s/new", "added"),
        ("s/old", "removed"),
    ]
    assert not comparison.regressed


def test_filtered_run_does_not_list_left_out_cases_as_removed() -> None:
    comparison = compare(
        run("1", case("a", "pass"), case("b", "pass")), run("2", case("a", "pass"), filter="a")
    )
    assert comparison.diffs == []


def test_regression_names_the_assertion_that_broke() -> None:
    comparison = compare(
        run("1", case("a", "pass", (True, 1))), run("2", case("a", "fail", (False, 0)))
    )
    (diff,) = comparison.of("regressed")
    assert (diff.key, diff.before, diff.after) == ("s/a", "pass", "fail")
    assert [(a.label, a.before_passed, a.after_passed) for a in diff.assertions] == [
        ("contains", True, False)
    ]


def test_store_resolves_last_saved_id_and_file(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "evals")
    first, second = run("20270310-100000-aaaa"), run("20270310-110000-bbbb")
    store.save(first)
    store.save(second)
    assert store.resolve("last").run_id == second.run_id
    assert store.resolve("last", exclude=second.run_id).run_id == first.run_id
    assert store.resolve(first.run_id).run_id == first.run_id
    assert store.resolve(str(store.runs / f"{first.run_id}.json")).run_id == first.run_id
    store.save_baseline(first)
    assert store.resolve("saved").run_id == first.run_id


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("last", "no earlier run"),
        ("saved", "no baseline has been saved"),
        ("nope", "baseline not found"),
    ],
)
def test_store_missing_baselines_are_configuration_errors(
    tmp_path: Path, ref: str, message: str
) -> None:
    with language("en"), pytest.raises(ConfigError, match=message) as caught:
        RunStore(tmp_path).resolve(ref)
    assert caught.value.exit_code == 2


def test_store_rejects_a_file_that_is_not_a_run(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"run_id": 1}', encoding="utf-8")
    with language("en"), pytest.raises(ConfigError, match="cannot read the run record"):
        RunStore(tmp_path).resolve(str(bad))


def test_new_ids_sort_by_time() -> None:
    early, late = RunStore.new_id(WHEN), RunStore.new_id(WHEN.replace(hour=11))
    assert early < late and early.startswith("20270310-100000-000")
