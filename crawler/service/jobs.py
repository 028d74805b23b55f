"""One scheduled crawl: its command line, its own process, its time limit, its outcome.

Twisted's reactor cannot be restarted, so every crawl runs as ``newsarchive crawl`` in a
fresh process, in its own process group (a crawl may start extraction workers, and a
stop must reach them too). The outlet's lock (``crawler.service.locks``) is handed to
that process, so a crawl orphaned by a killed service still holds its outlet.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = [
    "MODES",
    "RECORDED_ENV",
    "CrawlCommand",
    "CrawlProcess",
    "crawl_outcome",
    "read_stats",
]

# A crawl's own outcomes, least severe first (the scheduler adds timeout, lost, skipped).
_SEVERITY = ("ok", "errors", "interrupted", "failed")
_EXIT_OUTCOMES = {0: "ok", 1: "errors", 2: "failed", 130: "interrupted"}

# Set in every crawl process the service starts: the service records the run in its own run
# log (``--jobstore``), so the crawl records nothing itself (``crawler.cli.runrecord``).
RECORDED_ENV = "NEWSARCHIVE_RUN_RECORDED"

# What one scheduled run does, by mode (``schedule --list`` and the log say which).
MODES = {
    "local": "each run crawls the outlet in its own process on this machine (outlet lock: a file)",
    "redis": "each run is a worker that seeds the outlet into the shared Redis queue and crawls with "
             "the other workers (outlet lock: in Redis)",
    "enqueue": "each run only puts the outlet's discovery requests into the shared Redis queue; "
               "workers started elsewhere crawl them (outlet lock: in Redis)",
}


@dataclass(frozen=True)
class CrawlCommand:
    """The argv that starts one crawl; ``{outlet}``, ``{run_id}`` and ``{stats_json}`` in
    any argument are replaced. Injectable so the scheduling machinery can be exercised
    with any program that honours the same contract."""

    template: tuple[str, ...]
    mode: str = "local"  # a key of MODES
    # Given to the crawl's environment, not its argv: a Redis URL may carry a password,
    # and every user of the machine can read a process's argv.
    env: tuple[tuple[str, str], ...] = ()

    @classmethod
    def newsarchive(
        cls, python: str, *, configs: Sequence[str] = (), archive: str | None = None,
        redis_url: str | None = None, enqueue: bool = False,
    ) -> "CrawlCommand":
        """``python -m crawler.cli crawl OUTLET [--enqueue-only] --run-id … --stats-json …
        --quiet`` (with NEWSARCHIVE_REDIS=URL): a local crawl, a Redis worker, or only enqueueing."""
        if enqueue and not redis_url:
            raise ValueError("enqueueing needs a Redis URL: the queue lives there")
        parts = [python, "-m", "crawler.cli", "crawl", "{outlet}"]
        for config in configs:
            parts += ["--config", config]
        if archive:
            parts += ["--archive", archive]
        if enqueue:
            parts.append("--enqueue-only")
        parts += ["--run-id", "{run_id}", "--stats-json", "{stats_json}", "--quiet"]
        env = (("NEWSARCHIVE_REDIS", redis_url),) if redis_url else ()
        return cls(tuple(parts), mode="enqueue" if enqueue else "redis" if redis_url else "local", env=env)

    def with_args(self, *args: str) -> "CrawlCommand":
        """The same command with more arguments at the end (e.g. ``-s NAME=VALUE``)."""
        return CrawlCommand(self.template + tuple(args), self.mode, self.env)

    def argv(self, *, outlet: str, run_id: str, stats_json: Path) -> list[str]:
        values = {"{outlet}": outlet, "{run_id}": run_id, "{stats_json}": str(stats_json)}
        argv = []
        for part in self.template:
            for placeholder, value in values.items():
                part = part.replace(placeholder, value)
            argv.append(part)
        return argv


class CrawlProcess:
    """A crawl in its own session and process group, so a kill reaches all it started."""

    def __init__(
        self, argv: Sequence[str], *, log_path: Path, keep_fds: Sequence[int] = (), env: Mapping[str, str] | None = None
    ) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self._popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=tuple(keep_fds),
                env={**os.environ, **(env or {}), RECORDED_ENV: "1"},
                start_new_session=True,
            )
        self.pid = self._popen.pid

    def wait(self, timeout: float | None) -> int | None:
        """The exit code, or None if still running after ``timeout`` seconds."""
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self) -> None:
        """SIGTERM to the crawl itself (not its group): it stops its own workers, closes
        its WARCs and flushes its spool. Workers signalled directly would die mid-page."""
        self._popen.send_signal(signal.SIGTERM)  # a no-op once the crawl has been reaped

    def kill(self) -> None:
        """SIGKILL the whole group: a stuck crawl, or what a finished one left behind
        (stray workers would keep holding the outlet's lock)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the whole group is gone already (its id may even be reused)

    def stop(self, grace: float) -> int:
        """SIGTERM, then SIGKILL after ``grace`` seconds; the exit code."""
        self.terminate()
        code = self.wait(grace)
        if code is None:
            self.kill()
            code = self._popen.wait()
        return code


def read_stats(path: Path) -> dict[str, Any] | None:
    """The run record a crawl wrote with ``--stats-json``, or None if it wrote none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def crawl_outcome(
    exit_code: int | None, stats: dict[str, Any] | None, *, timed_out: bool, stopped: bool
) -> str:
    """How a run ended, from what the scheduler saw and what the crawl reported."""
    if timed_out:
        return "timeout"
    reported = (stats or {}).get("outcome")
    by_exit = _EXIT_OUTCOMES.get(exit_code) if exit_code is not None else None
    if reported in _SEVERITY and by_exit in _SEVERITY:
        return max(reported, by_exit, key=_SEVERITY.index)  # e.g. ok, but exit 1: data still spooled
    if reported in _SEVERITY:
        return reported
    if by_exit is not None:
        return by_exit
    if stopped and exit_code is not None and exit_code < 0:
        return "interrupted"  # killed by our own stop before it could say so
    return "failed"
