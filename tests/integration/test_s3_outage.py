"""An S3 endpoint that goes away mid-run and comes back: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import socket
import threading

import boto3
from botocore.config import Config

from archive import ArchiveReader, ArchiveSession, S3Store, flush_spool, store_from_uri
from archive.verify import verify_archive
from tests.unit.test_archive_spool import WARCINFO, spooled, write_pages
from tests.unit.test_archive_support import RESPONSE, run_tool


class Switch:
    """A TCP relay on 127.0.0.1 in front of the S3 server that the test can cut and restore.

    Cut, it drops every open connection and hangs up on new ones, as a dead endpoint does.
    Held, it stops passing bytes on (``held`` is set once some wait) until released.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.up = True
        self.held = threading.Event()
        self._flowing = threading.Event()
        self._flowing.set()
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return "http://127.0.0.1:%d" % self._listener.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                if not self._flowing.is_set():
                    self.held.set()
                    self._flowing.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def restore(self) -> None:
        self.up = True

    def hold(self) -> None:
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self.cut()
        self._listener.close()


def test_s3_outage_mid_run_then_flush(s3, tmp_path):
    host, port = s3.endpoint.removeprefix("http://").split(":")
    switch = Switch((host, int(port)))
    client = boto3.client("s3", endpoint_url=switch.endpoint, config=Config(retries={"max_attempts": 1}))
    store = S3Store(client, "news", "arch")
    spool = tmp_path / "spool"
    try:
        session = ArchiveSession(store, spool_dir=spool, run_id="outage", warcinfo=WARCINFO, max_warc_bytes=1)
        ids = write_pages(session, 0, 2)
        session.wait_for_uploads()
        assert any(k.startswith("articles/") for k in store_from_uri("s3://news/arch").list())
        switch.cut()
        ids += write_pages(session, 2, 3)
        summary = session.close()
        assert summary["pending"] and any("could not reach s3 endpoint" in e for e in summary["storage_errors"])
        assert spooled(spool)

        switch.restore()
        report = flush_spool(store, spool)
        assert report.error is None and report.pending == [] and spooled(spool) == []
    finally:
        switch.close()

    direct = store_from_uri("s3://news/arch")  # straight to the server, not through the relay
    keys = list(direct.list())
    assert len(keys) == len(set(keys))
    assert sorted(k for k in keys if k.startswith("warc/")) == sorted(summary["warcs"])
    reader = ArchiveReader(direct)
    assert sorted(a.id for a in reader.articles()) == sorted(ids)
    assert all(reader.raw_response(a) == RESPONSE for a in reader.articles())
    with direct.open(summary["manifest"]) as stream:
        manifest = [json.loads(line) for line in stream]
    assert sorted(line["id"] for line in manifest if line["kind"] == "article") == sorted(ids)

    assert verify_archive(direct).ok

    # what the tests wrote passes warcio check and indexes with cdxj-indexer
    local = tmp_path / "copy.warc.gz"
    local.write_bytes(direct.open(summary["warcs"][0]).read())
    assert run_tool("warcio", "check", str(local)).returncode == 0
    assert "org,example)/news/0" in run_tool("cdxj-indexer", str(local)).stdout
