"""Start and stop real server processes for integration tests (stopped by PID)."""

from __future__ import annotations

from copilot.llm.local_server import free_port, start_process, stop_process

start = start_process
stop = stop_process

__all__ = ["free_port", "start", "stop"]
