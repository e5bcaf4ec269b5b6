from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from copilot.errors import ConfigError
from copilot.evals import load_suite, load_suites
from copilot.messages import language
from tests.unit.evals.conftest import write

GOOD = """\
suite: demo
task: reply
defaults:
  vars: {language: zh}
  assert:
    - type: grounded
cases:
  - id: one
    vars: {message: 满多少包邮？}
    assert:
      - {type: contains, value: 99元}
"""

# (suite text, substrings the error must contain)
BROKEN = [
    ("suite: x\ncases:\n  - id: a\n    vars: {message: hi\n", ["line 4", "column"]),
    (
        "suite: x\ncases:\n  - id: a\n    vars: {message: hi}\n    assert:\n      - type: javascript\n",
        ["line 6", "unknown assertion type 'javascript'", "contains", "llm-rubric"],
    ),
    ("suite: x\ncases: []\n", ["no cases", "empty suite"]),
    ("suite: x\ntask: reply\n", ["no cases"]),
    (
        "suite: x\ncases:\n  - id: a\n    vars: {mesage: hi}\n    assert: [{type: no-pii}]\n",
        [":3", "vars.mesage", "valid vars", "message"],
    ),
    (
        "suite: x\ncases:\n  - id: a\n    vars: {message: hi}\n    assert: [{type: contains}]\n",
        ["line 5", "needs a value"],
    ),
    (
        "suite: x\ncases:\n  - id: a\n    vars: {message: hi}\n",
        ["no assertions", "could never fail"],
    ),
    (
        "suite: x\ncases:\n  - {id: a, vars: {message: hi}, assert: [{type: no-pii}]}\n"
        "  - {id: a, vars: {message: ho}, assert: [{type: no-pii}]}\n",
        ["duplicate case id a", ":4"],
    ),
    (
        "suite: x\ncases:\n  - id: a\n    vars: {message: hi}\n    assert:\n"
        "      - {type: cites-source, target: input}\n",
        ["line 6", "cannot use target: input"],
    ),
    ("suite: x\ncases:\n  - id: a\n    colour: red\n", ["line 4", "colour", "Extra inputs"]),
    ("- just\n- a list\n", ["must be a YAML mapping"]),
]


def test_native_suite_merges_defaults(tmp_path: Path) -> None:
    suite = load_suite(write(tmp_path, "s.yaml", GOOD))
    (case,) = suite.cases
    assert (suite.name, case.key, case.task) == ("demo", "demo/one", "reply")
    assert case.request == {"message": "满多少包邮？", "language": "zh"}
    assert [a.type for a in case.assertions] == ["grounded", "contains"]
    assert case.where.endswith("s.yaml:8")


def test_a_suite_pins_the_day_its_cases_happen_on_and_a_case_can_move_it(
    tmp_path: Path,
) -> None:
    text = (
        "suite: dated\ntoday: 2026-11-26\ncases:\n"
        "  - id: suite-day\n    vars: {message: 双十二有活动吗}\n    assert: [{type: grounded}]\n"
        "  - id: own-day\n    today: 2026-12-05\n    vars: {message: 双十二有活动吗}\n"
        "    assert: [{type: grounded}]\n"
    )
    suite_day, own_day = load_suite(write(tmp_path, "s.yaml", text)).cases
    assert (suite_day.today, own_day.today) == (date(2026, 11, 26), date(2026, 12, 5))
    undated = load_suite(write(tmp_path, "u.yaml", GOOD)).cases[0]
    assert undated.today is None  # the clock's day


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_broken_suites_name_file_line_and_fix(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    rendered = caught.value.render("en")
    assert str(path) in rendered
    for part in expected:
        assert part in rendered, rendered
    assert caught.value.exit_code == 2


def test_a_suite_error_reads_in_one_language(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "suite: x\ncases:\n  - id: a\n    colour: red\n")
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    chinese, english = caught.value.render("zh"), caught.value.render("en")
    assert f"{path}:4: 评测集无效: 第 4 行 cases.0.colour: Extra inputs" in chinese
    assert "提示: 对照 evals/README.md 的格式修正" in chinese
    assert "invalid" not in chinese and "hint" not in chinese
    assert f"{path}:4: invalid suite: line 4 cases.0.colour: Extra inputs" in english
    assert "hint: fix it against the format in evals/README.md" in english
    assert "评测集" not in english and "提示" not in english


def test_promptfoo_shape_with_snake_case_types(tmp_path: Path) -> None:
    text = """\
description: legacy-suite
prompts: [prompt.txt]
providers: [openai:gpt-4o-mini]
defaultTest:
  assert:
    - type: not_contains
      value: 保证
tests:
  - description: shipping-question
    vars: {question: 运费多少？}
    assert:
      - type: llm_judge
        value: 回复礼貌
        weight: 2
  - description: a free-text description
    vars: {question: 积分会过期吗？}
    assert:
      - type: icontains-any
        value: [积分]
"""
    suite = load_suite(write(tmp_path, "pf.yaml", text))
    assert suite.name == "legacy-suite"
    assert [c.id for c in suite.cases] == ["shipping-question", "case-002"]
    first = suite.cases[0]
    assert first.request == {"message": "运费多少？"}
    assert [(a.type, a.weight) for a in first.assertions] == [
        ("not-contains", 1.0),
        ("llm-rubric", 2.0),
    ]


def test_promptfoo_error_points_at_tests_key(tmp_path: Path) -> None:
    text = "description: x\ntests:\n  - vars: {question: hi}\n    assert:\n      - type: nope\n"
    with language("en"), pytest.raises(ConfigError, match="line 5"):
        load_suite(write(tmp_path, "pf.yaml", text))


def test_csv_cases_with_expected_columns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "cases.csv",
        "__id,message,__expected,__expected2\n"
        "a,运费多少？,contains: 10元,not-icontains: 全网最低\n"
        "b,积分会过期吗？,12个月,\n",
    )
    suite = load_suite(write(tmp_path, "s.yaml", "suite: c\ncases_file: file://cases.csv\n"))
    got = [(c.id, [(a.type, a.value) for a in c.assertions]) for c in suite.cases]
    assert got == [
        ("a", [("contains", "10元"), ("not-icontains", "全网最低")]),
        ("b", [("equals", "12个月")]),
    ]
    assert suite.cases[1].where.endswith("cases.csv:3")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "cases.jsonl",
            '{"id": "a", "vars": {"message": "hi"}, "assert": [{"type": "no-pii"}]}\n{oops\n',
            "cases.jsonl:2",
        ),
        ("cases.jsonl", '["not", "an", "object"]\n', "must be a JSON object"),
        ("cases.jsonl", '{"id": "a", "vars": {}, "asserts": []}\n', "asserts"),
        ("cases.csv", "message,__expected\nhi,contains: x,extra\n", "more cells than the header"),
        ("cases.txt", "hi\n", "unsupported case file type"),
        ("missing.csv", None, "case file not found"),
    ],
)
def test_bad_case_files(tmp_path: Path, name: str, content: str | None, expected: str) -> None:
    if content is not None:
        write(tmp_path, name, content)
    suite = write(tmp_path, "s.yaml", f"suite: c\ncases_file: {name}\n")
    with language("en"), pytest.raises(ConfigError, match=expected):
        load_suite(suite)


def test_folder_scan_skips_data_files_and_rejects_duplicate_names(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "settings.yaml", "threshold: 3\n")  # not a suite: skipped
    (tmp_path / "_drafts").mkdir()
    write(tmp_path / "_drafts", "b.yaml", "cases: [")  # underscore folder: skipped
    assert [s.name for s in load_suites([tmp_path])] == ["demo"]
    write(tmp_path, "c.yaml", GOOD)
    with language("en"), pytest.raises(ConfigError, match="duplicate suite names: demo"):
        load_suites([tmp_path])


def test_no_suites_found_is_an_error(tmp_path: Path) -> None:
    with language("en"), pytest.raises(ConfigError, match="no suite files found"):
        load_suites([tmp_path])
    with language("en"), pytest.raises(ConfigError, match="path not found"):
        load_suites([tmp_path / "nope"])
