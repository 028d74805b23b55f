"""The crawl's worker processes end with the crawl process, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

# A crawl process in miniature: one worker, its pid printed, then waiting to be killed.
CRAWL = """
import os, sys, time
from crawler.workers import start_pool
pool = start_pool(1, int)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_of_a_killed_crawl_process_exit_too():
    crawl = subprocess.Popen([sys.executable, "-c", CRAWL], stdout=subprocess.PIPE, text=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        worker = int(crawl.stdout.readline())
        assert _alive(worker)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived the crawl process"
    finally:
        crawl.kill()
