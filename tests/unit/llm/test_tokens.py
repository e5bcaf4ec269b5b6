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


def test_messages_fit_agrees_with_the_exact_count(tmp_path: Path) -> None:
    counter = TokenCounter("gpt-4o-mini", tmp_path)
    texts = ("你是小禾家的客服。", "退货运费由小禾家承担。" * 30)
    exact = counter.count_messages(*texts)
    for budget in (exact - 1, exact, exact + 1, 10_000):
        assert counter.messages_fit(budget, *texts) is (exact <= budget)


def test_a_prompt_that_clearly_fits_reads_no_bpe_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unexpected(name: str) -> None:
        raise AssertionError(f"{name} loaded")

    monkeypatch.setattr("copilot.llm.tokens._encoding", unexpected)
    counter = TokenCounter("gpt-4o-mini", tmp_path)
    assert counter.messages_fit(200, "系统提示", "客户消息:宝宝7公斤穿什么码")
    with pytest.raises(AssertionError, match="o200k_base loaded"):
        counter.messages_fit(20, "系统提示", "客户消息:宝宝7公斤穿什么码")
