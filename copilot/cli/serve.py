"""`siyu serve`: prepare the demo data on first start, then open the Gradio workbench."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated

import typer
from rich.progress import (
    TaskID,
)
from sqlalchemy import func, select

from copilot.app import Copilot
from copilot.cli.common import console, copilot, err_console, handle_errors, progress_bar, tr
from copilot.cli.kb import run_ingest
from copilot.community.demo_week import load_demo_week, seed_demo_week
from copilot.community.schedule import PostSchedule
from copilot.config import Settings
from copilot.customers.demo import DemoGenerator
from copilot.customers.importer import Importer
from copilot.store.schema import customers


def register(app: typer.Typer) -> None:
    app.command(
        "serve",
        help=tr(
            "启动工作台(首次启动会导入演示知识库与演示客户)。",
            "Start the workbench (the first start ingests the demo knowledge base and demo customers).",
        ),
    )(serve)
    app.command(
        "api",
        help=tr(
            "只启动 HTTP API(/v1、微信客服回调与侧边栏,不含工作台),可用多个工作进程。",
            "Serve the HTTP API only (/v1, the WeCom callback and sidebar, no workbench), "
            "optionally in several worker processes.",
        ),
    )(api)


def load_demo_customers(app: Copilot) -> int:
    """Generate and import the demo customers when the store has none; returns rows imported."""
    s, db = app.settings, app.db
    with db.begin() as conn:
        if conn.execute(select(func.count()).select_from(customers)).scalar_one() > 0:
            return 0
    if s.ui.demo_customers == 0:
        return 0
    folder = s.home / "demo-customers"
    DemoGenerator(list(app.catalog.values())).write(
        folder, customers=s.ui.demo_customers, orders=s.ui.demo_customers * 8
    )
    with progress_bar() as bar:
        tasks: dict[str, TaskID] = {}

        def on_progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                title = tr(f"演示客户 {label}", f"demo {label}")
                tasks[label] = bar.add_task(title, total=total, detail="")
            bar.update(tasks[label], completed=done, total=max(total, done))

        importer = Importer(db, purposes=s.guardrails.purpose_fields, progress=on_progress)
        report = importer.run(
            [folder / f"{name}.csv" for name in ("customers", "orders", "consents")],
            dry_run=False,
            errors_path=folder / "errors.csv",
        )
    return sum(f.new for f in report.files)


def seed_demo_communities(s: Settings, schedule: PostSchedule) -> int:
    """On first start (no community yet), give the demo communities their past week of posts."""
    path = s.knowledge_dir / "_samples" / "community_week.yaml"
    if schedule.communities() or not path.is_file():
        return 0
    return seed_demo_week(schedule, load_demo_week(path), schedule.clock().date())


def prepare(app: Copilot) -> None:
    """First start: the knowledge folder ingested, demo customers, community posts and month."""
    s = app.settings
    if s.knowledge_dir.is_dir():
        run_ingest(app, [s.knowledge_dir])
    loaded = load_demo_customers(app)
    if loaded:
        err_console.print(
            tr(f"已导入演示客户数据:{loaded} 行", f"demo customers imported: {loaded} rows")
        )
    seeded = seed_demo_communities(s, app.schedule)
    if seeded:
        err_console.print(
            tr(
                f"已导入演示社群近一周帖子:{seeded} 条",
                f"demo community posts of the past week: {seeded}",
            )
        )
    from copilot.analytics.demo import seed_demo_month

    if s.ui.demo_customers and seed_demo_month(app.db, app.audit, datetime.now()):
        err_console.print(
            tr("已生成演示月度数据(看板)", "a demo month of copilot use was seeded (dashboard)")
        )


HostOpt = Annotated[
    str | None,
    typer.Option(help=tr("绑定地址,默认 127.0.0.1", "bind address, default 127.0.0.1")),
]
PortOpt = Annotated[int | None, typer.Option(help=tr("端口,默认 7860", "port, default 7860"))]


@handle_errors
def serve(
    host: HostOpt = None,
    port: PortOpt = None,
    hash_password: Annotated[
        bool,
        typer.Option(
            "--hash-password",
            help=tr("生成登录口令哈希后退出", "print the hash of a login password and exit"),
        ),
    ] = False,
) -> None:
    from copilot.ui.auth import authenticator, load_users
    from copilot.ui.auth import hash_password as make_hash

    if hash_password:
        secret = typer.prompt(tr("口令", "password"), hide_input=True, confirmation_prompt=True)
        console.print(make_hash(secret), highlight=False)
        return
    app = copilot()
    s = app.settings
    host, port = host or s.ui.host, port or s.ui.port
    auth = authenticator(host, load_users(s.ui))
    s.ensure_home()
    with app.db.exclusive("serve-start"):  # replicas starting together prepare the data once
        prepare(app)

    from copilot.ui.server import create_app, run
    from copilot.ui.workbench import Workbench

    workbench = Workbench(app)
    from copilot.api.server import limit_blas_threads

    limit_blas_threads(s.embedding.threads)
    web = create_app(workbench, auth)
    # The embedder and knowledge snapshot load while the page opens, not before it is served.
    threading.Thread(target=workbench.warm_up, name="warm-up", daemon=True).start()
    console.print(f"{tr('工作台地址', 'workbench at')}: http://{host}:{port}", highlight=False)
    run(web, host, port)


@handle_errors
def api(
    host: HostOpt = None,
    port: PortOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=tr(
                "工作进程数(各占一个 CPU 核为宜),默认 SIYU_API_WORKERS 或 1",
                "worker processes (about one per CPU core), default SIYU_API_WORKERS or 1",
            ),
        ),
    ] = None,
) -> None:
    from copilot.api.server import api_app, limit_blas_threads, run_workers
    from copilot.ui.auth import is_loopback

    app = copilot()
    s = app.settings
    host, port = host or s.ui.host, port or s.ui.port
    workers = workers or s.api.workers
    s.ensure_home()
    if s.knowledge_dir.is_dir():  # once, here: the workers only read the knowledge base
        with app.db.exclusive("serve-start"):  # and in turn with replicas starting together
            run_ingest(app, [s.knowledge_dir])
    limit_blas_threads(s.embedding.threads)
    app.warm_up()  # builds and caches the knowledge snapshot before the workers load it
    if s.wecom.configured:  # pending 微信客服 messages are drafted here, once, not per worker
        app.wecom.resume()
    console.print(
        f"HTTP API: http://{host}:{port}/v1 ({tr('工作进程', 'workers')}: {workers})",
        highlight=False,
    )
    if workers == 1:
        from copilot.ui.server import run

        run(api_app(app, require_keys=not is_loopback(host)), host, port)
    else:
        run_workers(host, port, workers, s.embedding.threads)
