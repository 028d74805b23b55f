"""Running one crawl in this process: settings, signals, the run record.

Twisted's reactor starts once per process, so each call of ``run`` must be the only one
in its process; the CLI calls it once, the scheduler starts a process per crawl.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from redis.exceptions import RedisError
from scrapy import signals as scrapy_signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.ossignal import install_shutdown_handlers

from archive import ArchiveError, StorageError, store_from_uri
from archive.storage import preflight
from crawler import signals as na_signals
from crawler.hub import Hub
from crawler.stats import new_run_id
from crawler.outlets import OutletSpec

__all__ = ["CrawlResult", "SetupError", "build_settings", "run"]


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _restore(previous: Mapping[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


class SetupError(RuntimeError):
    """The crawl cannot start: its local state, spool or archive cannot be opened. The
    message says what to check (a store's own errors already do)."""


class _OneLine(logging.Filter):
    """Scrapy logs a failed robots.txt download as an ERROR with a traceback; the
    spider reports the page's own failure in words, so this stays a one-line warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class _NoTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and not record.args:
            record.msg = f"{record.getMessage()}: {record.exc_info[1]!r}"
        record.exc_info, record.exc_text = None, None
        return True


@dataclass
class CrawlResult:
    run_id: str
    finish_reason: str
    stats: dict[str, Any]
    record: dict[str, Any]
    archive: dict[str, Any] = field(default_factory=dict)  # ArchiveSession.close() summary
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # only with keep_events


def build_settings(
    *,
    archive: str,
    run_id: str | None = None,
    specs: Mapping[str, OutletSpec] | None = None,
    overrides: Mapping[str, str] | None = None,
    redis_url: str | None = None,
    enqueue_only: bool = False,
) -> Settings:
    """Scrapy settings of one crawl; with ``redis_url`` it works on the archive's shared frontier."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("NEWSARCHIVE_ARCHIVE", archive, priority="cmdline")
    settings.set("NEWSARCHIVE_RUN_ID", run_id or new_run_id(), priority="cmdline")
    if redis_url:
        from crawler.frontier import frontier_settings

        settings.setdict(frontier_settings(redis_url, enqueue_only=enqueue_only), priority="cmdline")
    slots = {}
    for spec in (specs or {}).values():
        slot: dict[str, Any] = {}
        if spec.download_delay is not None:
            slot["delay"] = spec.download_delay
        if spec.concurrency is not None:
            slot["concurrency"] = spec.concurrency
        if slot:
            slots.update({domain.split(":")[0]: slot for domain in spec.domains})
    if slots:
        settings.set("DOWNLOAD_SLOTS", slots, priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run(
    spider: type,
    settings: Settings,
    *,
    stats_json: Path | None = None,
    on_event: Callable[[str, dict[str, Any]], None] | None = None,
    keep_events: bool = False,
    **spider_kwargs: Any,
) -> CrawlResult:
    """Run one spider to completion; the run record goes to the archive and ``stats_json``.

    ``keep_events`` keeps every article/rejection/failure event (with its Article) in the
    result: for a one-page fetch; a crawl keeps nothing per page for its whole length.
    """
    run_id = settings.get("NEWSARCHIVE_RUN_ID")
    # Scrapy installs its own root handler at LOG_LEVEL; a second one would echo its INFO lines.
    for handler in list(logging.root.handlers):
        logging.root.removeHandler(handler)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_OneLine())
    # Closing the archive can fail (a full disk under the spool): the CLI says so in one
    # line from the archive summary; the log keeps the message, not the traceback.
    for name in ("crawler.hub", "scrapy.utils.signal"):
        logging.getLogger(name).addFilter(_NoTraceback())
    result = CrawlResult(run_id=run_id, finish_reason="unknown", stats={}, record={})

    def event(name: str) -> Callable[..., None]:
        def handler(**kwargs: Any) -> None:
            kwargs.pop("signal", None)
            kwargs.pop("sender", None)
            if keep_events:
                result.events.append((name, kwargs))
            if on_event is not None:
                on_event(name, kwargs)
        return handler

    handlers = {
        "article": event("article"),
        "rejected": event("rejected"),
        "failed": event("failed"),
    }
    crawler.signals.connect(handlers["article"], signal=na_signals.article_archived)
    crawler.signals.connect(handlers["rejected"], signal=na_signals.page_rejected)
    crawler.signals.connect(handlers["failed"], signal=na_signals.fetch_failed)

    # A SIGTERM/SIGINT is held from here until the engine runs: before that the default
    # action would kill the process with its archive session open (the manifest left
    # .open), and Scrapy's graceful stop cannot close a spider whose engine has not started.
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: held.append(signum)) for sig in _STOP_SIGNALS}

    def hand_over() -> None:
        from twisted.internet import reactor

        if not crawler.engine.running:  # set just after engine_started
            reactor.callLater(0.05, hand_over)
            return
        # Scrapy's handlers from now on: the first signal stops gracefully (reason "shutdown").
        install_shutdown_handlers(process._signal_shutdown)
        if held:
            os.kill(os.getpid(), held[0])

    crawler.signals.connect(hand_over, signal=scrapy_signals.engine_started)
    try:
        # Credentials, bucket and a writable folder first: a set-up error must stop the run
        # here, not fill the spool with a whole crawl (an outage that begins later does).
        preflight(store_from_uri(settings.get("NEWSARCHIVE_ARCHIVE")))
        # Now, so that a bad home, archive or Redis stops the run before any request is made.
        hub = Hub.of(crawler)
    except StorageError as exc:
        _restore(previous)
        raise SetupError(f"the archive cannot be used: {exc}") from exc
    except (OSError, ArchiveError) as exc:
        _restore(previous)
        raise SetupError(f"cannot open the crawl's local state or archive: {exc}; "
                         "check NEWSARCHIVE_HOME and --archive") from exc
    except RedisError as exc:
        _restore(previous)
        raise SetupError(f"cannot reach Redis at {settings.get('NEWSARCHIVE_REDIS')}: {exc}; "
                         "check --redis (or NEWSARCHIVE_REDIS)") from exc
    process.crawl(crawler, **spider_kwargs)
    process.start(install_signal_handlers=False)  # installed by hand_over once the engine runs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    result.stats = dict(crawler.stats.get_stats())
    result.finish_reason = result.stats.get("finish_reason", "unknown")
    result.record, result.archive = hub.record, hub.summary
    if stats_json is not None:
        stats_json.parent.mkdir(parents=True, exist_ok=True)
        stats_json.write_text(json.dumps(result.record, indent=2, ensure_ascii=False) + "\n")
    return result
