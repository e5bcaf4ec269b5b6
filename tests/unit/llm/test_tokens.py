from __future__ import annotations

from pathlib import Path

import pytest

from copilot.llm.tokens import TokenCounter, encoding_name


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4o", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("deepseek-chat", "cl100k_base"),
        ("qwen-plus", "cl100k_base"),
    ],
)
def test_encoding_per_model(model: str, encoding: str) -> None:
    assert encoding_name(model) == encoding


@pytest.mark.parametrize(
    ("model", "text", "tokens"),
    [
        ("gpt-3.5-turbo", "hello world", 2),
        ("gpt-4o", "hello world", 2),
        ("gpt-4o", "", 0),
    ],
)
def test_counts_offline(tmp_path: Path, model: str, text: str, tokens: int) -> None:
    assert TokenCounter(model, tmp_path).count(text) == tokens


def test_chinese_and_truncate(tmp_path: Path) -> None:
    counter = TokenCounter("gpt-4o-mini", tmp_path)
    text = "退货运费由小禾家承担。" * 20
    assert counter.count(text) > 20
    short = counter.truncate(text, 10)
    assert text.startswith(short) and counter.count(short) <= 10
    assert "\ufffd" not in short
    assert counter.count_messages("a", "b") > counter.count("a") + counter.count("b")
