"""A hostile world: one crawl of the fault-injection site (tests/sim/faults.py), shared by
every assertion below. It must end by itself with no traceback, keep every process under
1 GiB, write only valid WARCs, archive the control articles, never leave the outlet's
host, and never let /etc/passwd or a credential into anything it writes."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.integration.test_fetch import assert_standard_warc
from tests.sim.faults import PASSWD_MARK, FaultSite

SECRET = "fault-test-secret-0123456789abcdef"   # an AWS secret in the crawl's environment
GIB = 1 << 30
SETTINGS = {
    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "NEWSARCHIVE_RETRY_BACKOFF_BASE": "0.1",
    "RETRY_TIMES": "1", "DOWNLOAD_TIMEOUT": "3", "DOWNLOAD_MAXSIZE": str(8 << 20),
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}


class PeakMemory:
    """Samples the peak resident size (VmHWM) of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        self.root = pid
        self.peaks: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._tree():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    name = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
                except OSError:
                    continue
                hwm = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM")), 0)
                if hwm > self.peaks.get(pid, ("", 0))[1]:
                    self.peaks[pid] = (name, hwm)
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    with FaultSite() as site:
        config = site.write_config(root / "faults.yaml")
        env = dict(os.environ, NEWSARCHIVE_HOME=str(root / "home"), PYTHONUNBUFFERED="1",
                   AWS_ACCESS_KEY_ID="AKIAFAULTTEST", AWS_SECRET_ACCESS_KEY=SECRET)
        args = [sys.executable, "-m", "crawler.cli", "crawl", "faults", "--config", str(config),
                "--archive", str(root / "archive"), "--stats-json", str(root / "run.json"), "-q"]
        for name, value in SETTINGS.items():
            args += ["-s", f"{name}={value}"]
        started = time.monotonic()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        memory = PeakMemory(proc.pid)
        try:
            stdout, stderr = proc.communicate(timeout=300)
        finally:
            memory.stop()
            if proc.poll() is None:
                proc.kill()
        seconds = time.monotonic() - started
        print(f"\nfault crawl: {seconds:.1f}s; peak RSS per process: "
              + ", ".join(f"{name.split(' -m ')[-1][:30] or pid}={hwm / 2**20:.0f} MiB"
                          for pid, (name, hwm) in sorted(memory.peaks.items())))
        yield {"root": root, "archive": root / "archive", "home": root / "home", "site": site, "rc": proc.returncode,
               "stdout": stdout, "stderr": stderr, "peaks": memory.peaks, "seconds": seconds,
               "record": json.loads((root / "run.json").read_text())}


def test_the_crawl_ends_by_itself_with_no_traceback(fault_crawl):
    assert fault_crawl["rc"] == 1, fault_crawl["stderr"]  # finished, with the site's errors counted
    assert "Traceback" not in fault_crawl["stderr"] and "Traceback" not in fault_crawl["stdout"]
    assert fault_crawl["record"]["outcome"] == "errors"
    assert fault_crawl["seconds"] < 240


def test_every_process_stays_under_one_gib(fault_crawl):
    assert fault_crawl["peaks"], "no process was sampled"
    assert max(hwm for _, hwm in fault_crawl["peaks"].values()) < GIB, fault_crawl["peaks"]


def test_only_valid_warcs_and_none_left_open(fault_crawl):
    archive, home = fault_crawl["archive"], fault_crawl["home"]
    warcs = sorted(archive.rglob("*.warc.gz"))
    assert warcs
    for warc in warcs:
        assert_standard_warc(warc)
    assert not list(archive.rglob("*.open")) and not list(home.rglob("*.open"))
    verify = subprocess.run([sys.executable, "-m", "crawler.cli", "verify", "--archive", str(archive)],
                            capture_output=True, text=True, env=dict(os.environ, NEWSARCHIVE_HOME=str(home)))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_the_control_articles_are_archived(fault_crawl):
    urls = {json.loads(p.read_text())["url"] for p in fault_crawl["archive"].glob("articles/**/*.json")}
    assert fault_crawl["site"].controls <= urls


def _manifest(crawl) -> list[dict]:
    return [json.loads(line) for p in crawl["archive"].glob("manifests/**/*.jsonl") for line in p.read_text().splitlines()]


def test_each_fault_is_recorded_as_what_it_was(fault_crawl):
    base = fault_crawl["site"].base_url
    pages = {m["url"][len(base):]: m for m in _manifest(fault_crawl) if m["kind"] == "page"}
    assert pages["/news/gzipbomb.html"]["reasons"][0].startswith("too_large")
    assert pages["/news/gzipbomb.html"]["warc"], "the compressed bytes as sent are archived"
    assert pages["/news/huge.html"]["reasons"][0].startswith("too_large")
    assert pages["/news/stall.html"]["reasons"][0].startswith("timeout")
    assert pages["/news/short.html"]["reasons"][0].startswith("truncated")
    assert pages["/news/reset.html"]["reasons"][0].startswith("truncated")
    assert "not HTML" in pages["/news/report.html"]["reasons"][0]
    assert pages["/news/loop.html"]["reasons"][0].startswith("redirect_loop")
    totals = fault_crawl["record"]["totals"]
    assert totals["skipped_robots"] == 0   # robots.txt allows everything: nothing may be blamed on it
    assert totals["errors"]["bad_feed"] == 4 and totals["errors"]["bad_sitemap"] == 1


def test_nothing_leaves_the_outlets_host(fault_crawl):
    assert fault_crawl["site"].elsewhere.requests == []   # not the redirect, not the XXE URL or DTD
    totals = fault_crawl["record"]["totals"]
    assert totals["skipped_offsite"] >= 1
    offsite = [m for m in _manifest(fault_crawl) if m.get("page_type") == "offsite"]
    assert [m["url"] for m in offsite] == [fault_crawl["site"].base_url + "/news/away.html"]


def test_a_canonical_on_another_host_takes_no_identity(fault_crawl):
    site = fault_crawl["site"]
    (hijack,) = [json.loads(p.read_text()) for p in fault_crawl["archive"].glob("articles/**/*.json")
                 if json.loads(p.read_text())["url"] == site.base_url + "/news/hijack.html"]
    assert hijack["canonical_url"] == hijack["url"]
    assert any(d["field"] == "canonical_url" and d["page"].startswith(site.elsewhere.base_url)
               for d in hijack["disagreements"])


def _everything_written(crawl) -> list[tuple[Path, bytes]]:
    out = []
    for folder in (crawl["archive"], crawl["home"], crawl["root"]):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix != ".sqlite":
                data = path.read_bytes()
                out.append((path, gzip.decompress(data) if path.name.endswith(".gz") else data))
    return out


def test_no_passwd_or_credential_in_warcs_json_or_logs(fault_crawl):
    secret = SECRET.encode()
    for path, data in _everything_written(fault_crawl) + [(Path("stderr"), fault_crawl["stderr"].encode())]:
        assert PASSWD_MARK not in data, path
        assert secret not in data, path
