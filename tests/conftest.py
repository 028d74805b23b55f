from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.servers import MotoS3

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSARCHIVE_SHARED", REPO.parent / "shared"))


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
