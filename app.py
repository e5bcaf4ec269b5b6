"""Open the workbench: `python app.py [--host H] [--port P]` (same as `siyu serve`)."""

from __future__ import annotations

import typer

from copilot.cli.serve import serve

if __name__ == "__main__":
    typer.run(serve)
