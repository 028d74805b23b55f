"""Run the real ``newsarchive`` command in a subprocess (each crawl needs its own reactor)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["newsarchive", "BIN"]

BIN = Path(sys.executable).parent


def newsarchive(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 120, check: bool = False) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("PYTHONUNBUFFERED", "1")
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"newsarchive {' '.join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc
