"""A YAML document that remembers where each value was written, so errors can name the line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from copilot.errors import ConfigError
from copilot.messages import Text, msg

MAX_SHOWN = 5


class YamlDoc:
    """Parsed data plus the node tree it came from."""

    def __init__(self, path: Path, data: Any, node: yaml.Node | None) -> None:
        self.path, self.data, self.node = path, data, node

    @classmethod
    def read(cls, path: Path) -> YamlDoc:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                msg("无法读取评测集", "cannot read the suite") + f": {exc}",
                where=str(path),
                hint=msg("检查文件路径与 UTF-8 编码", "check the path and UTF-8 encoding"),
            ) from exc
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            opened = exc.context_mark
            problem = exc.problem or exc.context
            started: Text = ""
            if opened and exc.context and opened is not mark:
                at_line, at_column = opened.line + 1, opened.column + 1
                started = msg(
                    f"({exc.context},始于第 {at_line} 行第 {at_column} 列)",
                    f" ({exc.context} at line {at_line}, column {at_column})",
                )
            raise ConfigError(
                msg(
                    f"YAML 语法错误(第 {line} 行第 {column} 列):{problem}",
                    f"malformed YAML at line {line}, column {column}: {problem}",
                )
                + started,
                where=f"{path}:{line}:{column}",
                hint=msg("检查缩进、冒号和引号", "check indentation, colons and quotes"),
            ) from exc
        return cls(path, data, node)

    def line(self, loc: Sequence[str | int], aliases: Mapping[str, str]) -> int:
        """The line of the deepest node on `loc` (keys renamed by `aliases` are found too)."""
        reverse = {ours: theirs for theirs, ours in aliases.items()}
        node = self.node
        line = node.start_mark.line + 1 if node else 1
        for part in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value in (part, reverse.get(str(part))):
                        child = value
                        line = key.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line

    def where(self, loc: Sequence[str | int], aliases: Mapping[str, str]) -> str:
        return f"{self.path}:{self.line(loc, aliases)}"

    def invalid(self, exc: ValidationError, aliases: Mapping[str, str], hint: Text) -> ConfigError:
        """One ConfigError listing every problem with its line."""
        errors = exc.errors(include_url=False)[:MAX_SHOWN]
        located = [
            (self.line(err["loc"], aliases), ".".join(str(p) for p in err["loc"]) or "(file)", err)
            for err in errors
        ]
        problems = msg(
            "; ".join(f"第 {line} 行 {field}: {err['msg']}" for line, field, err in located),
            "; ".join(f"line {line} {field}: {err['msg']}" for line, field, err in located),
        )
        first = errors[0]["loc"] if errors else ()
        return ConfigError(
            msg("评测集无效: ", "invalid suite: ") + problems,
            where=self.where(first, aliases),
            hint=hint,
        )
