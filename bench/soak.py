"""Soak: the scheduler service with every simulated outlet due every minute, for a while.

    python -m bench.soak [--minutes 10] [--sample 5] [--parallel 2] [--keep DIR]

Everything runs on 127.0.0.1: the outlet simulator (one new article per outlet per minute,
so every run has something to do) and `newsarchive schedule` in its own process, with a
temporary NEWSARCHIVE_HOME and archive. Every few seconds it samples the service process
(resident memory, open files, threads) and the crawl processes it started (how many of
one outlet run at once). At the end it stops the service with SIGTERM and prints the
figures: runs and their outcomes, the most crawls of one outlet at once (must be 1), and
the service's memory, open files and threads in the first and the last minute (flat
means no leak). Not a test: it takes as long as it is told to.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from tests.sim import OutletSimulator

__all__ = ["main"]


def _status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "Threads"):
                values[name] = int(rest.split()[0])
        values["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return values


def _crawls(names: list[str]) -> Counter[str]:
    """Running `newsarchive crawl` processes per outlet (by command line); extraction
    workers forked from a crawl carry its command line too, so only the top one counts."""
    found: dict[int, tuple[int, list[str]]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        args = [a.decode(errors="replace") for a in argv if a]
        if "crawler.cli" in args and "crawl" in args:
            found[int(entry)] = (ppid, [n for n in names if n in args])
    running: Counter[str] = Counter()
    for ppid, outlets in found.values():
        if ppid not in found:
            running.update(outlets)
    return running


def _config(sim: OutletSimulator, path: Path) -> Path:
    blocks = []
    for name in sim.names:
        block = sim.spec(name)
        block.update({"schedule": "* * * * *", "jitter_seconds": 0, "download_delay": 0})
        blocks.append(block)
    path.write_text(yaml.safe_dump({"outlets": blocks}, sort_keys=False), encoding="utf-8")
    return path


def _runs(archive: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(archive.glob("runs/**/*.json"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--parallel", type=int, default=2, help="the service's --max-parallel")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="newsarchive-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    archive, home = work / "archive", work / "home"
    samples: list[tuple[float, dict[str, int]]] = []
    most_at_once: Counter[str] = Counter()
    try:
        with OutletSimulator() as sim:
            config = _config(sim, work / "soak.yaml")
            env = dict(os.environ, NEWSARCHIVE_HOME=str(home), PYTHONUNBUFFERED="1")
            service = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "schedule", *sim.names, "--config", str(config),
                 "--archive", str(archive), "--max-parallel", str(args.parallel), "--max-runtime", "300"],
                env=env, stdout=open(work / "service.out", "w"), stderr=subprocess.STDOUT)
            started = time.monotonic()
            next_article = started
            end = started + args.minutes * 60
            while time.monotonic() < end and service.poll() is None:
                now = time.monotonic()
                if now >= next_article:
                    for name in sim.names:
                        sim.add_article(name)
                    next_article += 60
                running = _crawls(sim.names)
                samples.append((now - started, {**_status(service.pid), "crawls": sum(running.values())}))
                for name, count in running.items():
                    most_at_once[name] = max(most_at_once[name], count)
                time.sleep(args.sample)
            alive = service.poll() is None
            if alive:
                service.send_signal(signal.SIGTERM)
            try:
                exit_code = service.wait(timeout=120)
            except subprocess.TimeoutExpired:
                service.kill()
                exit_code = service.wait()
        runs = _runs(archive)
        _report(args.minutes, samples, most_at_once, runs, alive, exit_code, sim.names)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: {work}")
    return 0


def _report(minutes: float, samples: list[tuple[float, dict[str, int]]], most: Counter[str], runs: list[dict],
            alive: bool, exit_code: int, names: list[str]) -> None:
    def window(start: float, end: float) -> dict[str, float]:
        chosen = [s for t, s in samples if start <= t < end] or [samples[-1][1]]
        return {key: statistics.mean(s.get(key, 0) for s in chosen) for key in ("VmRSS", "fds", "Threads", "crawls")}

    outcomes = Counter(r.get("outcome") for r in runs)
    per_outlet = Counter(o for r in runs for o in r.get("outlets", {}))
    # The first minute is start-up (no crawl yet): steady state is the second minute on.
    last_t = samples[-1][0]
    first, last = window(60, 120), window(last_t - 60, last_t + 1)
    print(f"soak: {minutes:g} min, {len(names)} outlets due every minute; service "
          f"{'ran to the end' if alive else 'EXITED EARLY'} (exit {exit_code} after SIGTERM)")
    print(f"runs: {len(runs)} ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}); "
          f"per outlet: {min(per_outlet.values(), default=0)}-{max(per_outlet.values(), default=0)}")
    print(f"most crawls of one outlet at once: {max(most.values(), default=0)} (must be 1)")
    print("service          second minute  last minute")
    print(f"  memory (RSS)   {first['VmRSS'] / 1024:8.1f} MiB   {last['VmRSS'] / 1024:8.1f} MiB")
    print(f"  open files     {first['fds']:8.1f}       {last['fds']:8.1f}")
    print(f"  threads        {first['Threads']:8.1f}       {last['Threads']:8.1f}")
    print(f"  crawls running {first['crawls']:8.1f}       {last['crawls']:8.1f}   (files and threads follow them)")
    minutes_rss = [window(m * 60, (m + 1) * 60)["VmRSS"] / 1024 for m in range(int(last_t // 60) + 1)]
    print("  memory by minute (MiB): " + " ".join(f"{v:.1f}" for v in minutes_rss))


if __name__ == "__main__":
    sys.exit(main())
