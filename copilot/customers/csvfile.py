"""Reading operator CSV exports: encoding detection and Chinese/English header mapping."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from charset_normalizer import from_bytes

from copilot.errors import InputError
from copilot.messages import msg

Kind = Literal["customers", "orders", "consents", "members"]
SAMPLE_BYTES = 256 * 1024

# canonical column -> accepted headers (compared case-insensitively, spaces/underscores ignored)
HEADERS: dict[Kind, dict[str, tuple[str, ...]]] = {
    "customers": {
        "id": ("id", "customer_id", "客户id", "客户编号", "会员id", "会员编号"),
        "name": ("name", "姓名", "客户姓名"),
        "nickname": ("nickname", "昵称", "微信昵称"),
        "tier": ("tier", "等级", "会员等级"),
        "tags": ("tags", "标签"),
        "birthday": ("birthday", "生日", "出生日期"),
        "city": ("city", "城市"),
        "joined_on": ("join_date", "joined_on", "joined", "入会日期", "注册日期", "加入日期"),
        "channel": ("channel", "渠道", "来源渠道"),
    },
    "orders": {
        "id": ("order_id", "id", "订单号", "订单编号"),
        "customer_id": ("customer_id", "customer", "客户id", "客户编号", "会员id", "会员编号"),
        "ordered_at": ("time", "ordered_at", "order_time", "下单时间", "订单时间"),
        "amount": ("amount", "金额", "实付金额", "订单金额"),
        "items": ("items", "商品", "商品明细"),
    },
    "consents": {
        "customer_id": ("customer_id", "customer", "客户id", "客户编号", "会员id", "会员编号"),
        "purpose": ("purpose", "用途", "授权用途"),
        "action": ("action", "状态", "动作", "授权状态"),
        "at": ("time", "at", "授权时间", "时间"),
        "source": ("source", "来源", "授权来源"),
    },
    # community members (copilot.community.members); never detected, imported on their own
    "members": {
        "community": ("community", "社群", "社群名", "群名", "群"),
        "nickname": ("nickname", "群昵称", "昵称", "成员", "member"),
        "customer_id": ("customer_id", "客户id", "客户编号", "会员id", "会员编号"),
    },
}
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "customers": ("id", "name"),
    "orders": ("id", "customer_id", "ordered_at", "amount"),
    "consents": ("customer_id", "purpose", "action", "at"),
    "members": ("community", "nickname"),
}
DETECT_ORDER: tuple[Kind, ...] = ("orders", "consents", "customers")


def _norm(header: str) -> str:
    return header.strip().lower().replace(" ", "").replace("_", "")


def detect_encoding(path: Path) -> str:
    """utf-8-sig for a BOM, utf-8 when the whole file decodes, else charset-normalizer's guess."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data[:SAMPLE_BYTES]).best()
        if best is None:
            raise InputError(
                msg("无法识别文件编码", "cannot detect the encoding"),
                where=str(path),
                hint=msg("请另存为 UTF-8 或 GBK 编码的 CSV", "save the file as UTF-8 or GBK CSV"),
            ) from None
        # GB2312/GBK guesses are widened to GB18030, their superset
        return "gb18030" if best.encoding in ("gb2312", "gbk", "gb18030") else best.encoding
    return "utf-8"


@dataclass(frozen=True)
class CsvSource:
    """An opened CSV: its kind, encoding and the column index of each canonical field."""

    path: Path
    kind: Kind
    encoding: str
    columns: dict[str, int]
    headers: list[str]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(spreadsheet row number, canonical field -> raw text); the header is row 1."""
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                yield (
                    number,
                    {
                        field: cells[i].strip() if i < len(cells) else ""
                        for field, i in self.columns.items()
                    },
                )

    def count_rows(self) -> int:
        with self.path.open("rb") as fh:
            return max(
                sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1, 0
            )


def map_columns(headers: list[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Field → column index, by the first alias found among the headers (case, spaces and
    underscores ignored)."""
    by_norm = {_norm(h): i for i, h in enumerate(headers)}
    columns: dict[str, int] = {}
    for field, names in aliases.items():
        for alias in names:
            if _norm(alias) in by_norm:
                columns[field] = by_norm[_norm(alias)]
                break
    return columns


def open_csv(path: Path, kind: Kind | None = None) -> CsvSource:
    """Open a customers/orders/consents CSV, detecting its encoding and (unless given) its kind."""
    if not path.is_file():
        raise InputError(
            msg("文件不存在", "file not found"),
            where=str(path),
            hint=msg("检查文件路径", "check the file path"),
        )
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as fh:
        headers = next(csv.reader(fh), [])
    kinds = (kind,) if kind else DETECT_ORDER
    for candidate in kinds:
        columns = map_columns(headers, HEADERS[candidate])
        if all(f in columns for f in REQUIRED[candidate]):
            return CsvSource(path, candidate, encoding, columns, headers)
    expected = "; ".join(
        f"{k}: " + ", ".join(f"{f} ({'/'.join(HEADERS[k][f][:3])})" for f in REQUIRED[k])
        for k in kinds
    )
    raise InputError(
        msg(f"表头缺少必需列；现有表头 {headers}", f"missing required columns; found {headers}"),
        where=f"{path}:1",
        hint=msg(
            f"需要的列（中文或英文表头均可）：{expected}",
            f"required columns (Chinese or English headers): {expected}",
        ),
    )
