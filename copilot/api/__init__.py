"""The HTTP API under /v1: a face over ``copilot.app.Copilot``, like the CLI and the workbench."""
