"""A run started by hand (``crawl``, ``worker``, ``fetch``) in the run log of this machine.

The row is written when the run starts, so a run killed outright still shows up in
``newsarchive runs`` (as "lost" once its process is gone), and completed with the exit
status and run record when the command exits, the way the service records the crawls it
starts. Those are recorded by the service, in its own run log: a crawl it starts finds
``RECORDED_ENV`` set and records nothing itself. The run log lives beside the job store
in ``$NEWSARCHIVE_HOME``; failing to write it never stops a run.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

import click

from crawler.cli.options import EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_USAGE

__all__ = ["HandRun", "recorded_run"]


class HandRun:
    """One run's row: ``begin`` writes it, ``end`` completes it (once)."""

    def __init__(self, command: str, run_id: str, outlet: str) -> None:
        self.command, self.run_id, self.outlet = command, run_id, outlet
        self.stats: dict[str, Any] | None = None  # the run record, once the crawl returned it
        self._begun = False
        self._failure: str | None = None

    def begin(self) -> None:
        from crawler.service.jobs import RECORDED_ENV

        if os.environ.get(RECORDED_ENV):
            return
        self._write(lambda log: log.begin(
            run_id=self.run_id, outlet=self.outlet, scheduled_at=None, started=_now(), pid=os.getpid(),
            command=self.command,
        ))
        self._begun = self._failure is None

    def end(self, exit_code: int, note: str | None = None, outcome: str | None = None) -> None:
        from crawler.service.jobs import crawl_outcome

        if not self._begun:
            # A set-up error (exit 2) has said what is wrong with NEWSARCHIVE_HOME already.
            if self._failure and exit_code != EXIT_USAGE:
                click.echo(f"newsarchive {self.command}: this run is not in the run log: {self._failure}", err=True)
            return
        self._begun = False
        outcome = outcome or crawl_outcome(exit_code, self.stats, timed_out=False, stopped=False)
        names = sorted(name for name in (self.stats or {}).get("outlets") or {} if not name.startswith("_"))
        self._write(lambda log: log.finish(
            self.run_id, finished=_now(), outcome=outcome, exit_code=exit_code, stats=self.stats, note=note,
            outlet=",".join(names) if names else None,  # a worker's, known now
        ))
        if self._failure:
            click.echo(f"newsarchive {self.command}: the run log was not completed: {self._failure}", err=True)

    def _write(self, action: Any) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from crawler.service.runlog import JobStoreError, RunLog
        from crawler.service.service import default_jobstore_url

        try:
            log = RunLog(default_jobstore_url())
            try:
                action(log)
            finally:
                log.close()
        except (JobStoreError, SQLAlchemyError, OSError) as exc:
            self._failure = str(exc)


@contextmanager
def recorded_run(command: str, run_id: str, outlet: str) -> Iterator[HandRun]:
    """Record the run in the block: begun now, ended with the status the command exits with
    (``SystemExit``'s code; 130 for Ctrl-C; 1 for an error that escapes). Set ``.stats``
    to the run record once there is one."""
    run = HandRun(command, run_id, outlet)
    run.begin()
    try:
        yield run
    except SystemExit as exc:
        code = exc.code
        run.end(code if isinstance(code, int) else 0 if code is None else EXIT_ERRORS)
        raise
    except KeyboardInterrupt:
        run.end(EXIT_INTERRUPTED)
        raise
    except BaseException as exc:
        run.end(EXIT_ERRORS, note=f"{type(exc).__name__}: {exc}", outcome="failed")  # a crash, not a crawl's errors
        raise
    else:
        run.end(0)


def _now() -> datetime:
    return datetime.now(timezone.utc)
