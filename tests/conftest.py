from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.servers import MotoS3

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared"))


def pytest_configure(config: pytest.Config) -> None:
    # boto3 must see only what a test gives it: never a developer's ~/.aws, never the
    # instance-metadata endpoint (an address outside 127.0.0.0/8).
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def moto_server():
    server = MotoS3().start()
    yield server
    server.stop()


@pytest.fixture
def s3(moto_server, monkeypatch):
    """An empty S3-compatible server on 127.0.0.1 with bucket ``news``.

    The standard AWS variables point boto3 at it, exactly as a user would configure a
    non-AWS endpoint; subprocesses started by the test inherit them.
    """
    moto_server.reset()
    for name, value in moto_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    moto_server.client().create_bucket(Bucket="news")
    return moto_server


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh NEWSARCHIVE_HOME (spool, crawl state, job store) for the test."""
    path = tmp_path / "home"
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server on 127.0.0.1 (a free port, no persistence) for the session:
    ``redis://127.0.0.1:<port>/0``."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not on PATH: `make test` installs it (or install the redis-server package)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"redis-server did not answer PING on port {port} (exit {server.poll()})")
            time.sleep(0.05)
    client.close()
    yield url
    server.kill()
    server.wait()


@pytest.fixture
def redis_db(redis_url):
    """``redis_url`` with its database emptied (FLUSHDB) for this test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url
