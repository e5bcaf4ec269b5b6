from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from copilot.config import Settings
from copilot.customers.importer import Importer
from copilot.errors import InputError
from copilot.messages import language, render
from copilot.store.engine import Database
from copilot.store.schema import consents, customers, orders

CUSTOMERS_ZH = "客户编号,姓名,昵称,会员等级,标签,生日,城市,入会日期,渠道\n"
GOOD_CUSTOMERS = (
    CUSTOMERS_ZH + "C1,张三,三三,金卡会员,宝妈|孕期,1990-05-01,上海,2024-01-02,小程序\n"
)
ORDERS_EN = "order_id,customer_id,time,amount,items\n"
CONSENTS_EN = "customer_id,purpose,action,time,source\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def importer(db: Database) -> Importer:
    return Importer(db, purposes=Settings().guardrails.purpose_fields)


def count(db: Database, table) -> int:
    with db.begin() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("bad_date.csv", CUSTOMERS_ZH + "C2,李四,,,,1990-13-40,,,\n", (2, "birthday", "日期")),
        ("future.csv", CUSTOMERS_ZH + "C2,李四,,,,2999-01-01,,,\n", (2, "birthday", "未来")),
        ("no_name.csv", CUSTOMERS_ZH + "C2,,,,,,,,\n", (2, "name", "不能为空")),
        ("negative.csv", ORDERS_EN + "O1,C1,2026-01-01 10:00,-5,\n", (2, "amount", "负")),
        ("amount.csv", ORDERS_EN + "O1,C1,2026-01-01 10:00,abc,\n", (2, "amount", "金额")),
        ("unknown.csv", ORDERS_EN + "O1,C9,2026-01-01 10:00,10,\n", (2, "customer_id", "未知客户")),
        (
            "dup.csv",
            ORDERS_EN + "O1,C1,2026-01-01,10,\nO1,C1,2026-01-02,11,\n",
            (3, "id", "与第 2 行重复"),
        ),
        (
            "purpose.csv",
            CONSENTS_EN + "C1,spam,granted,2026-01-01,\n",
            (2, "purpose", "未知授权用途"),
        ),
        (
            "action.csv",
            CONSENTS_EN + "C1,birthday_greeting,maybe,2026-01-01,\n",
            (2, "action", "未知"),
        ),
    ],
)
def test_bad_rows_are_reported_and_good_rows_kept(
    importer: Importer, db: Database, tmp_path: Path, name: str, text: str, problem: tuple
) -> None:
    good = write(tmp_path, "good.csv", GOOD_CUSTOMERS)
    bad = write(tmp_path, name, text)
    errors = tmp_path / "errors.csv"
    report = importer.run([bad, good], dry_run=False, errors_path=errors)
    row, column, reason = problem
    assert [(p.file, p.row, p.column) for p in report.problems] == [(name, row, column)]
    assert reason in render(report.problems[0].reason, "zh")
    assert count(db, customers) == 1
    with errors.open(encoding="utf-8-sig") as fh:
        assert next(csv.DictReader(fh))["column"] == column


def test_row_problems_read_in_the_current_language(importer: Importer, tmp_path: Path) -> None:
    bad = write(tmp_path, "dup.csv", ORDERS_EN + "O1,C1,2026-01-01,10,\nO1,C1,2026-01-02,11,\n")
    good = write(tmp_path, "good.csv", GOOD_CUSTOMERS)
    errors = tmp_path / "errors.csv"
    with language("en"):
        report = importer.run([bad, good], dry_run=True, errors_path=errors)
    (problem,) = report.problems
    assert render(problem.reason, "zh") == "与第 2 行重复"
    assert render(problem.reason, "en") == "duplicate of row 2"
    with errors.open(encoding="utf-8-sig") as fh:
        assert next(csv.DictReader(fh))["reason"] == "duplicate of row 2"


def test_gbk_export_with_chinese_headers(importer: Importer, db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.csv", GOOD_CUSTOMERS, encoding="gbk")
    report = importer.run([path], dry_run=False, errors_path=tmp_path / "e.csv")
    assert report.files[0].encoding == "gb18030"
    with db.begin() as conn:
        assert conn.execute(select(customers.c.name, customers.c.tags)).one() == (
            "张三",
            "宝妈,孕期",
        )


def test_bom_is_stripped(importer: Importer, tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", GOOD_CUSTOMERS, encoding="utf-8-sig")
    assert importer.run([path], dry_run=False, errors_path=tmp_path / "e.csv").files[0].new == 1


def test_reimport_is_idempotent_and_dry_run_writes_nothing(
    importer: Importer, db: Database, tmp_path: Path
) -> None:
    files = [
        write(tmp_path, "c.csv", GOOD_CUSTOMERS),
        write(tmp_path, "o.csv", ORDERS_EN + 'O1,C1,2026-01-01 10:00,"¥1,299.50",XH-MF-01*2\n'),
        write(
            tmp_path, "k.csv", CONSENTS_EN + "C1,birthday_greeting,授权,2026-01-01 10:00,小程序\n"
        ),
    ]
    dry = importer.run(files, dry_run=True, errors_path=tmp_path / "e.csv")
    assert [(f.kind, f.new) for f in dry.files] == [
        ("customers", 1),
        ("orders", 1),
        ("consents", 1),
    ]
    assert count(db, customers) == 0
    importer.run(files, dry_run=False, errors_path=tmp_path / "e.csv")
    again = importer.run(files, dry_run=False, errors_path=tmp_path / "e.csv")
    assert [(f.new, f.existing) for f in again.files] == [(0, 1)] * 3
    assert (count(db, customers), count(db, orders), count(db, consents)) == (1, 1, 1)
    with db.begin() as conn:
        assert conn.execute(select(orders.c.amount_fen)).scalar_one() == 129950


@pytest.mark.parametrize(
    ("text", "match"),
    [("foo,bar\n1,2\n", "缺少必需列"), (None, "文件不存在")],
)
def test_unusable_files_name_the_file(
    importer: Importer, tmp_path: Path, text: str | None, match: str
) -> None:
    path = write(tmp_path, "x.csv", text) if text else tmp_path / "missing.csv"
    with pytest.raises(InputError, match=match) as info:
        importer.run([path], dry_run=False, errors_path=tmp_path / "e.csv")
    assert path.name in info.value.render()
