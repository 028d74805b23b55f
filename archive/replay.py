"""Replay with pywb: a pywb collection over an archive, served on 127.0.0.1.

pywb 2.10 pins ``redis==2.10.6`` and ``werkzeug==3.1.7``; newsarchive needs redis>=5 (the
shared crawl queue), so pywb cannot live in newsarchive's environment. It gets its own
virtualenv (``pywb_bin``): ``$NEWSARCHIVE_PYWB`` if set, else one made once beside
newsarchive's (``<venv>/pywb``) with ``pip install`` of ``PYWB_REQUIREMENTS``. It is used
as its users use it: ``wayback`` with a ``config.yaml``.

The collection reads the archive where it is. A folder: pywb reads the WARCs in place,
and the CDXJ indexes through links in the collection's folder. A bucket: the indexes are
downloaded (they are small) and pywb reads each record from the bucket with a range
request (boto3 in pywb's environment, same AWS settings as newsarchive).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Callable

from archive.errors import ArchiveError
from archive.layout import utc
from archive.storage import LocalStore, ObjectStore, S3Store
from archive.warc import article_record_uri
from extract.article import Article

__all__ = [
    "COLLECTION",
    "PYWB_REQUIREMENTS",
    "PywbServer",
    "free_port",
    "port_in_use",
    "json_replay_url",
    "prepare_collection",
    "pywb_bin",
    "replay_url",
]

log = logging.getLogger(__name__)

# boto3: pywb reads s3:// archive paths with it (pywb.utils.loaders.S3Loader).
PYWB_REQUIREMENTS = ("pywb==2.10.0", "boto3>=1.34")
COLLECTION = "archive"
PYWB_ENV = "NEWSARCHIVE_PYWB"
_STAMP = ".newsarchive-installed"


def pywb_bin(*, install: bool = True, say: Callable[[str], None] = lambda text: None) -> Path:
    """The ``bin`` folder of a virtualenv with pywb's ``wayback`` and ``wb-manager``.

    ``$NEWSARCHIVE_PYWB`` (a virtualenv or its bin folder) wins. Otherwise the default
    environment is made on first use (``install``; ``say`` tells the user, it takes a
    minute) with the Python running newsarchive, under a lock so two processes do not
    build it at once.
    """
    given = os.environ.get(PYWB_ENV)
    if given:
        path = Path(given)
        found = next((p for p in (path / "bin", path) if (p / "wayback").exists()), None)
        if found is None:
            raise ArchiveError(f"{PYWB_ENV}={given} has no pywb (no bin/wayback there): "
                               f"`python -m venv DIR && DIR/bin/pip install {' '.join(PYWB_REQUIREMENTS)}`")
        return found
    venv = _default_venv()
    wanted = "\n".join(PYWB_REQUIREMENTS) + "\n"
    stamp = venv / _STAMP
    if stamp.exists() and stamp.read_text() == wanted:
        return venv / "bin"
    if not install:
        raise ArchiveError(f"pywb is not installed at {venv}: `newsarchive replay --install-pywb` installs it")
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == wanted):
            say(f"installing {', '.join(PYWB_REQUIREMENTS)} into {venv} (once; about a minute)")
            _run([sys.executable, "-m", "venv", "--clear", str(venv)])
            _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                  *PYWB_REQUIREMENTS])
            stamp.write_text(wanted)
    return venv / "bin"


def _default_venv() -> Path:
    """``<newsarchive's venv>/pywb`` when that is writable, else a per-user cache folder."""
    if sys.prefix != sys.base_prefix and os.access(sys.prefix, os.W_OK):
        return Path(sys.prefix) / "pywb"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "newsarchive" / f"pywb-py{sys.version_info.major}.{sys.version_info.minor}"


def _run(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ArchiveError(f"could not install pywb ({' '.join(command[:4])} … exited {proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-400:]}; set {PYWB_ENV} to a virtualenv with pywb")


def prepare_collection(store: ObjectStore, folder: Path) -> Path:
    """Write a pywb setup for ``store`` into ``folder`` (config.yaml, indexes/); returns ``folder``.

    Captures written after this are not seen: prepare again (restart replay) for them.
    """
    indexes = folder / "indexes"
    indexes.mkdir(parents=True, exist_ok=True)
    keys = [key for key in store.list("indexes/") if key.endswith(".cdxj")]
    if not keys:
        raise ArchiveError(f"{store.uri} has no CDXJ indexes (indexes/): nothing to replay; "
                           "crawl or fetch into it first, or run `newsarchive flush`")
    for key in keys:
        target = indexes / key.rsplit("/", 1)[-1]  # WARC stems are unique: one flat folder
        if isinstance(store, LocalStore):
            target.symlink_to((store.root / key).resolve())
        else:
            with store.open(key) as stream:
                target.write_bytes(stream.read())
    if isinstance(store, LocalStore):
        archive_paths = store.root.resolve().as_posix() + "/"
    elif isinstance(store, S3Store):
        archive_paths = store.uri.rstrip("/") + "/"
    else:
        raise ArchiveError(f"replay reads a folder or an s3:// bucket, not {store.uri}")
    # JSON is YAML: no quoting rules to get wrong for odd paths.
    config = {"collections": {COLLECTION: {"index_paths": indexes.resolve().as_posix(), "archive_paths": archive_paths}}}
    (folder / "config.yaml").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return folder


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port`` (pywb would start, fail to
    bind and exit, while the other server answered the readiness probe for it).

    Binds as pywb's gevent server does, with SO_REUSEADDR: connections of a replay stopped
    a moment ago linger in TIME_WAIT for a minute and must not count as a listener."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class PywbServer:
    """``wayback`` serving the collection in ``folder`` on 127.0.0.1:``port``."""

    def __init__(self, folder: Path, port: int, *, bin_dir: Path) -> None:
        self.folder = folder
        self.port = port
        self._bin = bin_dir
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The collection's URL prefix: ``<base_url><timestamp>/<url>`` replays a page."""
        return f"http://127.0.0.1:{self.port}/{COLLECTION}/"

    @property
    def log_path(self) -> Path:
        return self.folder / "pywb.log"

    def start(self, timeout: float = 60.0) -> "PywbServer":
        """Start ``wayback`` (bound to 127.0.0.1 only) and wait until it answers."""
        with open(self.log_path, "ab") as out:
            self._process = subprocess.Popen(
                [str(self._bin / "wayback"), "--bind", "127.0.0.1", "--port", str(self.port)],
                cwd=self.folder, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ArchiveError(f"pywb exited ({self._process.returncode}) on start: {self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                    if self._process.poll() is None:  # the answer was pywb's, not a server already there
                        return self
            time.sleep(0.2)
        self.stop()
        raise ArchiveError(f"pywb did not answer on port {self.port} within {timeout:.0f}s: {self.log_tail()}")

    def wait(self) -> int:
        assert self._process is not None
        return self._process.wait()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace").strip()[-600:] or "(no output)"
        except OSError:
            return "(no log)"

    def __enter__(self) -> "PywbServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _timestamp(article: Article) -> str:
    """The 14-digit capture time of the article's page (pywb redirects to the nearest
    capture, so a date alone, padded, also finds it)."""
    when = article.fetched_at or article.published or ""
    try:
        return utc(datetime.fromisoformat(when.replace("Z", "+00:00"))).strftime("%Y%m%d%H%M%S")
    except ValueError:
        return (when[:10].replace("-", "") + "000000")[:14] if when[:4].isdigit() else "2"


def replay_url(base: str, article: Article, mode: str = "") -> str:
    """The replay of the page the article was extracted from: ``<base><timestamp>/<url>``.

    ``mode`` is pywb's: ``""`` the page in pywb's frame, ``mp_`` the page alone (links
    rewritten), ``id_`` the archived response as it was.
    """
    return f"{base.rstrip('/')}/{_timestamp(article)}{mode}/{article.url}"


def json_replay_url(base: str, article: Article) -> str:
    """The article JSON's own WARC record, served as stored (pywb's ``id_`` mode)."""
    return f"{base.rstrip('/')}/{_timestamp(article)}id_/{article_record_uri(article.url)}"
