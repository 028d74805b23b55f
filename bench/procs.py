"""Run a benchmark command and measure it: wall time, CPU of the process itself, peak
memory of the whole process tree (crawl, forkserver, extraction workers).

    python -m bench.procs RUSAGE_JSON MODULE [ARGS...]   (what ``measure`` starts)

Peak RSS of all processes is sampled from /proc every 0.1 s (the sum over the tree at each
sample, its largest value); the command's own CPU time comes from ``getrusage`` in that
process as it exits, so worker processes are not counted in it.
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import runpy
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["Measured", "measure"]

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    wall_s: float
    cpu_s: float  # the command's own process (user + system)
    cpu_all_s: float  # all processes of its tree (each as last sampled; the command's own exact)
    peak_rss_mb: float  # all processes of its tree at once, largest sample
    peak_own_rss_mb: float  # the command's own process
    returncode: int
    # The command's own CPU per unit of ``progress`` in its middle (20% to 85% of the
    # final count), where start-up and shutdown do not reach: None without ``progress``.
    steady_cpu_ms_per_unit: float | None = None


def _processes() -> tuple[dict[int, list[int]], dict[int, float]]:
    """Children of every process, and each one's CPU seconds so far."""
    tree: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return tree, cpu


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _sample(root: int, cpu_seen: dict[int, float]) -> tuple[int, int]:
    """(RSS of the tree, RSS of ``root``); updates ``cpu_seen`` with each process's CPU."""
    (tree, cpu), total, todo = _processes(), 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss(pid)
        cpu_seen[pid] = cpu.get(pid, cpu_seen.get(pid, 0.0))
        todo.extend(tree.get(pid, ()))
    return total, _rss(root)


def measure(module_args: list[str], *, env: dict[str, str] | None = None, interval: float = 0.1,
            progress: Callable[[], int] | None = None) -> Measured:
    """Run ``python -m bench.procs`` on ``module_args`` (a module and its arguments) and measure it.

    ``progress`` (e.g. pages served so far) is sampled with the command's CPU time, for
    ``steady_cpu_ms_per_unit``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "rusage.json"
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "bench.procs", str(usage), *module_args], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = peak_own = 0
        cpu_seen: dict[int, float] = {}
        trace: list[tuple[int, float]] = []
        while proc.poll() is None:
            total, own = _sample(proc.pid, cpu_seen)
            peak, peak_own = max(peak, total), max(peak_own, own)
            if progress is not None and proc.pid in cpu_seen:
                trace.append((progress(), cpu_seen[proc.pid]))
            time.sleep(interval)
        wall = time.perf_counter() - start
        if proc.returncode not in (0, 1):  # 1: finished with errors (e.g. spool left); still timed
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"{' '.join(module_args)} exited {proc.returncode}: {err[-2000:]}")
        cpu = json.loads(usage.read_text())["cpu_s"] if usage.exists() else float("nan")
        cpu_seen[proc.pid] = cpu
    return Measured(wall, cpu, sum(cpu_seen.values()), peak / 2**20, peak_own / 2**20, proc.returncode,
                    _steady(trace))


def _steady(trace: list[tuple[int, float]]) -> float | None:
    """CPU ms per unit of progress between 20% and 85% of the final count."""
    if not trace or trace[-1][0] <= 0:
        return None
    final = trace[-1][0]
    middle = [(done, cpu) for done, cpu in trace if 0.2 * final <= done <= 0.85 * final]
    if len(middle) < 2 or middle[-1][0] == middle[0][0]:
        return None
    (done0, cpu0), (done1, cpu1) = middle[0], middle[-1]
    return 1000 * (cpu1 - cpu0) / (done1 - done0)


def _main() -> None:
    out, module, *args = sys.argv[1:]

    def report() -> None:
        own = resource.getrusage(resource.RUSAGE_SELF)
        Path(out).write_text(json.dumps({"cpu_s": own.ru_utime + own.ru_stime}))

    atexit.register(report)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main()
