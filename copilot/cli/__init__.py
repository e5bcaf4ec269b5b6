"""The ``siyu`` command: a root typer app that mounts one sub-module per domain.

Each ``copilot/cli/<domain>.py`` defines ``register(app)``; this module only assembles them.
"""

from __future__ import annotations

import typer

from copilot.cli import campaign, compliance, customers, draft, evals, guard, kb, serve

app = typer.Typer(
    name="siyu",
    help="私域运营 Copilot —— 知识库检索、客服回复、社群内容、1:1 触达与合规护栏。",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for module in (kb, draft, guard, customers, campaign, compliance, serve, evals):
    module.register(app)
