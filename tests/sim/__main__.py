"""``python -m tests.sim serve [--config-out FILE] [--outlet NAME ...]``

Serves the simulated outlets on 127.0.0.1 until SIGTERM or Ctrl-C, and writes the outlet
config (base_url per outlet) so ``newsarchive crawl NAME... --config FILE`` crawls them
(by name: ``--all`` would also crawl shipped outlets that are not simulated, live).

The config goes where ``--config-out`` says, else into a new temporary folder (removed
on exit): never into the current folder, which is usually a checkout.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from tests.sim.simulator import OutletSimulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sim")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the simulated outlets until interrupted")
    serve.add_argument("--config-out", type=Path, default=None,
                       help="where to write the outlet config (default: sim-outlets.yaml in a new "
                            "temporary folder, removed on exit)")
    serve.add_argument("--outlet", action="append", dest="outlets",
                       help="serve only this outlet (repeatable; default: all)")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scratch = None if args.config_out else Path(tempfile.mkdtemp(prefix="newsarchive-sim-"))
    try:
        return _serve(args, scratch / "sim-outlets.yaml" if scratch else args.config_out, stop)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _serve(args: argparse.Namespace, config_out: Path, stop: threading.Event) -> int:
    with OutletSimulator(args.outlets) as sim:
        config = sim.write_config(config_out)
        for name in sim.names:
            print(f"{name:16} {sim.base_url(name)}", flush=True)
        print(f"config written to {config}; crawl with: newsarchive crawl {' '.join(sim.names)} --config {config}",
              flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
