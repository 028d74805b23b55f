"""One loopback HTTP/1.1 server per simulated outlet.

It serves a ``Site``'s resources the way a real web server does: keep-alive, gzip
Content-Encoding when the client accepts it, ETag/Last-Modified with 304 answers to
conditional requests, a 500 on the first request of a flaky path, an optional delay, and
a log of every request (so tests can check robots.txt came first and what headers were
sent).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.sim.formats import http_date
from tests.sim.site import Resource, Site

__all__ = ["Request", "OutletServer"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str                 # path and ?query, as sent
    headers: dict[str, str]


_SERVER_ERROR = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
                 b"<body><h1>Internal Server Error</h1><p>Please try again later.</p></body></html>")


class OutletServer:
    """Serves ``site`` on 127.0.0.1:<free port> until ``stop``."""

    def __init__(self, site: Site, lock: threading.RLock) -> None:
        self.site = site
        self.delay = 0.0
        self.requests: list[Request] = []
        self._lock = lock              # shared with the simulator, which mutates sites
        self._hits: Counter[str] = Counter()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        site.base_url = self.base_url
        # A short poll interval keeps stop() quick: shutdown() waits for the next poll.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name=f"sim-{site.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():   # shutdown() waits for a serve_forever that never ran
            self._httpd.shutdown()
        self._httpd.server_close()

    def lookup(self, raw_path: str) -> tuple[Resource, bool]:
        """The resource for a request path, and whether this is its first request."""
        with self._lock:
            routes = self.site.routes()
            path = raw_path if raw_path in routes else urlsplit(raw_path).path
            # Like real servers, unknown query strings (utm_ tracking) are ignored.
            resource = routes.get(path) or self.site.not_found()
            self._hits[path] += 1
            return resource, self._hits[path] == 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "nginx"
            sys_version = ""
            timeout = 30  # idle keep-alive connections are dropped, as nginx does

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer(head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(head=True)

            def _answer(self, head: bool) -> None:
                with server._lock:
                    server.requests.append(Request(self.command, self.path, dict(self.headers.items())))
                    delay = server.delay
                if delay:
                    time.sleep(delay)
                resource, first = server.lookup(self.path)
                if resource.fail_first and first:
                    self._send(500, [("Content-Type", "text/html; charset=utf-8")], _SERVER_ERROR, head)
                    return
                headers = [("Content-Type", resource.content_type)]
                body = resource.body
                if resource.status == 200 and resource.conditional:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                    headers.append(("ETag", etag))
                    if resource.last_modified is not None:
                        headers.append(("Last-Modified", http_date(resource.last_modified)))
                    if self._not_modified(etag, resource):
                        self._send(304, [h for h in headers if h[0] != "Content-Type"], b"", head)
                        return
                if resource.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body, mtime=0)
                    headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
                self._send(resource.status, headers, body, head)

            def _not_modified(self, etag: str, resource: Resource) -> bool:
                match = self.headers.get("If-None-Match")
                if match is not None:
                    return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
                since = self.headers.get("If-Modified-Since")
                if since and resource.last_modified is not None:
                    try:
                        return resource.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
                    except (TypeError, ValueError):
                        return False
                return False

            def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, head: bool) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and status != 304:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
