"""The Gradio workbench: one module per tab; `copilot.ui.server` assembles and serves them."""

from __future__ import annotations

import os

# No usage analytics, ever: the workbench must work (and stay quiet) without a network.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
