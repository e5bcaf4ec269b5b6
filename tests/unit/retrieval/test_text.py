from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from copilot.errors import InputError
from copilot.retrieval.text import (
    _jieba,
    _search_words,
    decode,
    estimate_tokens,
    keyword_tokens,
    language_of,
)

TEXT = "退货运费谁承担?满99元包邮。"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-8-sig"), TEXT),
        (TEXT.encode("gbk"), TEXT),
        (TEXT.encode("gb18030"), TEXT),
        (b"line one\r\nline two", "line one\nline two"),
    ],
)
def test_decode_detects_encoding(data: bytes, expected: str) -> None:
    assert decode(data, "f.txt") == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "为空"),
        (b"   \n ", "为空"),
        (b"MZ\x90\x00\x03\x00\x00", "二进制"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 12]) * 100, "控制字符"),
    ],
)
def test_decode_rejects_non_text(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        decode(data, "bad.txt")
    assert info.value.where == "bad.txt"


@pytest.mark.parametrize(
    ("text", "language"),
    [("退货运费谁承担", "zh"), ("Who pays return shipping?", "en"), ("XH-MF-01 奶粉 800g", "zh")],
)
def test_language_of(text: str, language: str) -> None:
    assert language_of(text) == language


def test_estimate_tokens_counts_han_and_words() -> None:
    assert estimate_tokens("奶粉 800g price 268") == 2 + 4


def test_keyword_tokens_drop_stopwords_and_punctuation() -> None:
    tokens = keyword_tokens("请问退货运费谁承担?")
    assert "退货" in tokens and "运费" in tokens
    assert "请问" not in tokens and "?" not in tokens
    english = keyword_tokens("How do I RETURN an item")
    assert "return" in english and "item" in english
    assert "how" not in english and "an" not in english


def test_keyword_tokens_fold_full_width() -> None:
    assert "299" in keyword_tokens("满２９９减５０")


def test_keyword_tokens_keep_jiebas_dictionary_in_the_cache_folder(tmp_path: Path) -> None:
    """Two fresh processes: the first builds the table under SIYU_HOME, the second reads it;
    both give the tokens this process gives, and neither imports pkg_resources."""
    script = (
        "import json, sys\n"
        "from copilot.retrieval.text import keyword_tokens\n"
        "tokens = keyword_tokens(sys.argv[1])\n"
        "print(json.dumps([tokens, 'pkg_resources' in sys.modules]))\n"
    )
    query = "宝宝7公斤穿什么码？退货运费谁承担"
    env = {**os.environ, "SIYU_HOME": str(tmp_path)}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", script, query],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(2)
    ]
    assert runs == [[keyword_tokens(query), False]] * 2
    assert [p.name for p in (tmp_path / "cache" / "jieba").iterdir()] == [
        f"jieba-{jieba.__version__}.sqlite3"
    ]


def test_search_words_are_jiebas_words_of_the_whole_text() -> None:
    """Blocks remembered apart (short and long, repeated, around punctuation, Latin and digits)
    give exactly the words jieba gives the text in one piece."""
    segmenter = _jieba()
    texts = [
        "会员日 小禾家轻薄透气纸尿裤L码、婴儿推车 每月18日会员日当天付款享双倍积分（每1元得3积分）",
        "会员日 婴儿推车、小禾家轻薄透气纸尿裤L码 满199减20券,仅限当天使用",
        "退货运费谁承担?" * 3 + "宝宝" * 40 + "XH-MF-01 price 268.5 元 reply TD",
        "",
    ]
    for text in texts:
        assert _search_words(text) == segmenter.lcut_for_search(text), text


def test_search_words_follow_words_added_to_the_dictionary() -> None:
    text = "蓝鲸滑板鞋真好穿"
    assert "蓝鲸滑板鞋" not in _search_words(text)
    _jieba().add_word("蓝鲸滑板鞋", freq=200000)
    assert "蓝鲸滑板鞋" in _search_words(text)
