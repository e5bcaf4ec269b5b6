"""What every CLI sub-module shares: the console, settings, and error-to-exit-code handling."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TextIO, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from copilot.config import Settings, get_settings
from copilot.errors import CopilotError, InputError
from copilot.messages import msg

if TYPE_CHECKING:  # the app is imported by the command that uses it, not by `siyu --help`
    from copilot.app import Copilot

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def tr(zh: str, en: str) -> str:
    """A label, table header or help text in the CLI's language (SIYU_LANGUAGE, else the
    locale); help texts render when their module is imported, i.e. once per process."""
    return msg(zh, en).render()


JsonFlag = Annotated[bool, typer.Option("--json", help=tr("输出 JSON", "print JSON"))]
DryRunFlag = Annotated[
    bool, typer.Option("--dry-run", help=tr("只报告将发生的变化", "only report the changes"))
]
ErrorsCsvOpt = Annotated[
    Path | None, typer.Option(help=tr("错误明细 CSV", "CSV file for row errors"))
]


def errors_file(app: Copilot, given: Path | None, stem: str) -> Path:
    """Where an import writes its row errors: `given`, else a timestamped file in SIYU_HOME."""
    return given or app.settings.home / "imports" / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}.csv"


def settings() -> Settings:
    return get_settings()


def copilot() -> Copilot:
    """The application on the environment's settings; its parts are built on first use."""
    from copilot.app import Copilot

    return Copilot.from_settings(settings())


def progress_bar(*, quiet: bool = False, transient: bool = False) -> Progress:
    """The one progress-bar style of every command, on stderr so stdout stays parseable.
    Tasks carry a `detail` field (current file, case, …) shown after the count."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=transient,
    )


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a CopilotError into a readable message in the CLI's language and its exit code;
    never a traceback. With --json the error is a JSON document on stdout: its stable `code`,
    the message and hint in the CLI's language, and where it happened."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CopilotError as exc:
            if kwargs.get("as_json"):
                emit_json({"error": exc.to_dict()})
            else:
                label = tr("错误", "error")
                err_console.print(f"[bold red]{label}:[/] {escape(exc.render())}", highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def emit_json(data: BaseModel | dict[str, Any] | list[Any]) -> None:
    """One JSON document (or line) on stdout, UTF-8, Chinese unescaped."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_jsonl(path: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of a JSONL file or of stdin when path is "-"; blank lines skipped."""
    with contextlib.ExitStack() as stack:
        if path == "-":
            stream: TextIO = sys.stdin
        else:
            stream = stack.enter_context(Path(path).open(encoding="utf-8-sig"))
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, line


def parse_at(text: str) -> datetime:
    """The time given to an `--at` option (ISO format)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            msg(f"无法解析时间 {text!r}", f"cannot parse time {text!r}"),
            where="--at",
            hint=msg("使用 ISO 格式,如 2026-06-01T10:00", "use ISO format, e.g. 2026-06-01T10:00"),
        ) from None
