"""The crawl hub's extraction workers: a worker that dies does not take the crawl with it."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from archive import ArchiveSession, LocalStore
from crawler.hub import Hub
from crawler.state import SQLiteCrawlState

STORY = [
    "Delegations from both countries resumed talks in Geneva on Tuesday after a pause of several months.",
    "Officials said the first session focused on verification, the issue that stalled the last round.",
    "A spokesman for the host government described the atmosphere as businesslike but cautious.",
    "Observers noted that neither side had published new proposals ahead of the meeting.",
    "The talks are expected to continue until Friday, when a joint statement may be released.",
]
PAGE = ("<html><head><title>Talks resume in Geneva</title></head><body><article><h1>Talks resume in Geneva</h1>"
        + "".join(f"<p>{p}</p>" for p in STORY) + "</article></body></html>").encode()


def test_a_killed_worker_is_replaced_and_the_page_still_extracted(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="run-1",
                             warcinfo={"software": "test"})
    hub = Hub(session, SQLiteCrawlState(tmp_path / "state.sqlite"), workers=1)
    try:
        first = asyncio.run(hub.extract(PAGE, "http://127.0.0.1/a"))
        assert first.article is not None
        (pid,) = hub._executor._processes  # the one worker
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not hub._executor._broken:
            time.sleep(0.05)
        again = asyncio.run(hub.extract(PAGE, "http://127.0.0.1/a"))
        assert again.article is not None and again.article.title == "Talks resume in Geneva"
    finally:
        hub.close()


def test_pages_in_flight_when_a_worker_dies_start_one_new_pool(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="run-2",
                             warcinfo={"software": "test"})
    hub = Hub(session, SQLiteCrawlState(tmp_path / "state.sqlite"), workers=2)

    async def many() -> list:
        tasks = [asyncio.ensure_future(hub.extract(PAGE, f"http://127.0.0.1/{i}")) for i in range(40)]
        await asyncio.sleep(0)  # every task has submitted its page
        os.kill(next(iter(hub._executor._processes)), signal.SIGKILL)
        return await asyncio.gather(*tasks)

    try:
        asyncio.run(hub.extract(PAGE, "http://127.0.0.1/warm"))
        first_pool = hub._executor
        results = asyncio.run(many())
        assert all(r.article is not None for r in results)
        assert hub._executor is not first_pool
    finally:
        hub.close()
