"""Messages in both languages, rendered in one at the edge.

Library code builds a ``Msg`` (Chinese and English side by side) and never glues the two into
one string; the face that shows it picks the language: the workbench page (``/`` Chinese, ``/en``
English), the CLI (``SIYU_LANGUAGE``, else the locale), an API caller (its ``language``).
``str(msg)`` renders in the current language, so a message that only travels through logs or
f-strings still reads in one language.

Plain ``str`` values are language-neutral text (file names, numbers, quoted user input) and may
be mixed in freely: ``Text`` is ``Msg | str``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, model_serializer

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

_current: ContextVar[Lang | None] = ContextVar("siyu_language", default=None)


def default_language() -> Lang:
    """``SIYU_LANGUAGE`` (zh/en) first, then the POSIX locale variables; Chinese otherwise."""
    explicit = os.environ.get("SIYU_LANGUAGE", "").strip().lower()
    if explicit in LANGUAGES:
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def current_language() -> Lang:
    """The language of the face rendering now (see ``language``), else ``default_language``."""
    return _current.get() or default_language()


@contextmanager
def language(lang: Lang) -> Iterator[None]:
    """Render messages in `lang` inside this block (a UI event, an API request)."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


class Msg(BaseModel):
    """One message in Chinese and English; ``render`` picks one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str
    en: str

    def render(self, lang: Lang | None = None) -> str:
        return self.en if (lang or current_language()) == "en" else self.zh

    def __str__(self) -> str:
        return self.render()

    @model_serializer
    def _rendered(self) -> str:
        """Inside a model dumped for a face (JSON output, an API response, the audit log) a
        message is one string in the current language; a ``Text`` field reads it back."""
        return self.render()

    def __add__(self, other: Text) -> Msg:
        if isinstance(other, Msg):
            return Msg(zh=self.zh + other.zh, en=self.en + other.en)
        return Msg(zh=self.zh + other, en=self.en + other)

    def __radd__(self, other: str) -> Msg:
        return Msg(zh=other + self.zh, en=other + self.en)

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


Text: TypeAlias = Msg | str


def msg(zh: str, en: str) -> Msg:
    """Shorthand constructor: ``msg("找不到文件", "file not found")``."""
    return Msg(zh=zh, en=en)


def render(text: Text, lang: Lang | None = None) -> str:
    """A ``Text`` in one language (a plain string is returned as it is)."""
    return text.render(lang) if isinstance(text, Msg) else text


def join(parts: list[Text], sep: str = "; ") -> Text:
    """Parts joined by a language-neutral separator, staying a ``Msg`` if any part is one."""
    if not any(isinstance(p, Msg) for p in parts):
        return sep.join(p for p in parts if isinstance(p, str))
    return Msg(
        zh=sep.join(render(p, "zh") for p in parts), en=sep.join(render(p, "en") for p in parts)
    )
