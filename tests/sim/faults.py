"""A hostile outlet on 127.0.0.1: one fault per page or feed, beside a few clean articles.

    with FaultSite() as site:
        site.write_config(tmp / "faults.yaml")      # outlet "faults", domains: its own port only
        ...crawl "faults"...
        site.controls                                # URLs a correct crawl archives anyway
        site.elsewhere.requests                      # the other host: must stay empty

Every response is written byte by byte on a raw socket (one request per connection), so
a fault can be anything a real server or network does: a 500 then a 200, a 429 with
Retry-After, a stall longer than the crawl's timeout, a body shorter than its
Content-Length, a connection reset, a gzip bomb, a page over the size limit, a redirect
loop, a redirect to another host, a PDF, broken HTML, a header charset that lies,
billion-laughs and XXE feeds (a file and a URL), a truncated feed, an entity-bomb
sitemap, a section page with 20,000 links, and a page whose canonical claims another
host's article. See ``FAULTS`` for the list, path by path.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
import zlib
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Callable

import yaml

from tests.sim.content import compose

__all__ = ["FaultSite", "FAULTS", "PASSWD_MARK"]

# Present in every /etc/passwd; must never appear in anything the crawl writes.
PASSWD_MARK = b"root:x:0:0"

FAULTS = {
    "/news/flaky.html": "500 on the first request, then the article",
    "/news/ratelimited.html": "429 with Retry-After: 1 on the first request, then the article",
    "/news/stall.html": "headers, then nothing for longer than the download timeout",
    "/news/short.html": "a body shorter than its Content-Length, then the connection closes",
    "/news/reset.html": "part of a body, then a TCP reset",
    "/news/gzipbomb.html": "Content-Encoding: gzip that inflates to 2 GiB",
    "/news/huge.html": "a 12 MiB page (over the test's 8 MiB limit)",
    "/news/loop.html": "a redirect loop between two article-shaped URLs",
    "/news/away.html": "a redirect to another host (not the outlet's domain)",
    "/news/report.html": "a PDF at an article URL",
    "/news/broken.html": "broken HTML: unclosed tags, NUL bytes, invalid UTF-8",
    "/news/charset-lie.html": "Content-Type says iso-8859-1 over UTF-8 Cyrillic bytes",
    "/news/hijack.html": "its canonical URL names the other host's article",
    "/feeds/laughs.xml": "billion laughs",
    "/feeds/xxe-file.xml": "an external entity naming file:///etc/passwd",
    "/feeds/xxe-url.xml": "an external entity (and DTD) on the other host",
    "/feeds/truncated.xml": "an RSS feed cut off mid-item",
    "/sitemap-bomb.xml": "an entity-bomb sitemap",
    "/section/": "a section page with 20,000 links",
}
CONTROLS = ("/news/control-1.html", "/news/control-2.html", "/news/control-3.html",
            "/news/flaky.html", "/news/ratelimited.html")
STALL_SECONDS = 8.0
_BOMB_BYTES = 2 << 30


def _gzip_bomb() -> bytes:
    """A valid gzip member that inflates to 2 GiB of zeros (about 2 MiB on the wire): only
    the size limit stops it. One fully flushed deflate block of 1 MiB of zeros refers to
    nothing before it, so repeating it is a valid stream, and quick to build."""
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    count = _BOMB_BYTES // len(chunk)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + block * count + final
            + struct.pack("<II", crc, _BOMB_BYTES & 0xFFFFFFFF))


def _story(language: str, seed: str) -> tuple[str, list[str]]:
    composed = compose(language, seed)
    return composed.title, list(composed.paragraphs)


def _article(title: str, paragraphs: list[str], *, canonical: str | None = None, published: str) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{link}'
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f'<nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}</article>'
            '<footer>Copyright Fault Gazette</footer></body></html>').encode("utf-8")


class _Server:
    """Threaded raw-socket server on 127.0.0.1:0; ``answer(path, conn)`` writes the response."""

    def __init__(self, answer: Callable[[str, socket.socket], None]) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(30)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            return
                        head += chunk
                    line = head.split(b"\r\n", 1)[0].decode("latin-1")
                    path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
                    outer.requests.append(path)
                    answer(path, conn)
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _send(conn: socket.socket, status: str, headers: list[tuple[str, str]], body: bytes, *,
          length: int | None = None) -> None:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    head += f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode("latin-1") + body)


class FaultSite:
    """The hostile outlet ``faults`` and the other host its traps point at."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(timezone.utc).replace(microsecond=0)
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.site = _Server(self._answer)
        self.elsewhere = _Server(self._elsewhere)
        self._bomb = _gzip_bomb()  # built now (2 s), not while a request waits for it
        self._pages = self._build()

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> "FaultSite":
        self.site.start()
        self.elsewhere.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.site.stop()
        self.elsewhere.stop()

    @property
    def base_url(self) -> str:
        return self.site.base_url

    @property
    def controls(self) -> set[str]:
        return {self.base_url + p for p in CONTROLS}

    def spec(self) -> dict:
        base = self.base_url
        return {
            "name": "faults",
            "domains": [f"127.0.0.1:{self.site.port}"],
            "language": "en",
            "feeds": [f"{base}/feeds/main.xml", f"{base}/feeds/laughs.xml", f"{base}/feeds/xxe-file.xml",
                      f"{base}/feeds/xxe-url.xml", f"{base}/feeds/truncated.xml"],
            "sitemaps": [f"{base}/sitemap-bomb.xml"],
            "sections": [f"{base}/section/"],
            "article_patterns": [r"^/news/[a-z0-9-]+\.html$"],
            "schedule": "1h",
        }

    def write_config(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump({"outlets": [self.spec()]}, sort_keys=False), encoding="utf-8")
        return path

    # -- content -----------------------------------------------------------------------
    def _build(self) -> dict[str, bytes]:
        published = (self.now - timedelta(hours=1)).isoformat()
        pages: dict[str, bytes] = {}
        for index, path in enumerate(CONTROLS + ("/news/hijack.html", "/news/charset-lie.html")):
            title, paragraphs = _story("en", f"faults-{index}")
            canonical = self.elsewhere.base_url + "/news/original.html" if path.endswith("hijack.html") else None
            pages[path] = _article(title, paragraphs, canonical=canonical, published=published)
        return pages

    def _feed_items(self, paths: list[str]) -> str:
        stamp = format_datetime(self.now - timedelta(hours=1), usegmt=True)
        return "".join(f"<item><title>Item {n}</title><link>{self.base_url}{p}</link><pubDate>{stamp}</pubDate></item>"
                       for n, p in enumerate(paths))

    def _feed(self, path: str) -> bytes:
        other = self.elsewhere.base_url
        articles = list(CONTROLS) + [p for p in FAULTS if p.startswith("/news/")]
        if path == "/feeds/main.xml":
            return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Fault Gazette</title>'
                    f'{self._feed_items(articles)}</channel></rss>').encode()
        if path == "/feeds/laughs.xml":
            entities = '<!ENTITY lol "lol">' + "".join(
                f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i else "")) * 10}">' for i in range(1, 10))
            return (f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
                    f'<title>&lol9;</title>{self._feed_items(["/news/control-1.html"])}</channel></rss>').encode()
        if path == "/feeds/xxe-file.xml":
            return ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                    '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
                    f'<link>{self.base_url}/news/control-2.html</link><description>&xxe;</description></item>'
                    '</channel></rss>').encode()
        if path == "/feeds/xxe-url.xml":
            return (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{other}/dtd/feed.dtd" '
                    f'[<!ENTITY xxe SYSTEM "{other}/xxe/secret">]>'
                    '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
                    f'<link>{self.base_url}/news/control-3.html</link></item></channel></rss>').encode()
        if path == "/feeds/truncated.xml":
            whole = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title>'
                     f'{self._feed_items(["/news/control-1.html", "/news/control-2.html"])}</channel></rss>').encode()
            return whole[: len(whole) * 2 // 3]
        raise KeyError(path)

    @staticmethod
    def _sitemap_bomb() -> bytes:
        entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "{("&%s;" % chr(97 + i)) * 10}">' for i in range(9))
        return (f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&j;</loc></url></urlset>').encode()

    def _section(self) -> bytes:
        links = [f'<a href="/tag/{n}">Tag {n}</a>' for n in range(20_000 - len(CONTROLS))]
        links += [f'<a href="{p}">Story</a>' for p in CONTROLS]
        return ("<html><head><title>Section</title></head><body>" + "\n".join(links) + "</body></html>").encode()

    # -- serving -----------------------------------------------------------------------
    def _answer(self, path: str, conn: socket.socket) -> None:
        with self._lock:
            self._hits[path] += 1
            first = self._hits[path] == 1
        html = [("Content-Type", "text/html; charset=utf-8")]
        xml = [("Content-Type", "application/xml")]
        if path == "/robots.txt":
            _send(conn, "200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")
        elif path.startswith("/feeds/"):
            try:
                _send(conn, "200 OK", [("Content-Type", "application/rss+xml")], self._feed(path))
            except KeyError:
                _send(conn, "404 Not Found", html, b"<html><body>gone</body></html>")
        elif path == "/sitemap-bomb.xml":
            _send(conn, "200 OK", xml, self._sitemap_bomb())
        elif path == "/section/":
            _send(conn, "200 OK", html, self._section())
        elif path == "/news/flaky.html" and first:
            _send(conn, "500 Internal Server Error", html, b"<html><body>try again</body></html>")
        elif path == "/news/ratelimited.html" and first:
            _send(conn, "429 Too Many Requests", html + [("Retry-After", "1")], b"<html><body>slow down</body></html>")
        elif path == "/news/stall.html":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html>")
            time.sleep(STALL_SECONDS)
        elif path == "/news/short.html":
            _send(conn, "200 OK", html, self._pages["/news/control-1.html"][:400], length=5000)
        elif path == "/news/reset.html":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body>")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        elif path == "/news/gzipbomb.html":
            _send(conn, "200 OK", html + [("Content-Encoding", "gzip")], self._bomb)
        elif path == "/news/huge.html":
            body = b"<html><body>" + b"<p>" + b"x" * (12 << 20) + b"</p></body></html>"
            _send(conn, "200 OK", html, body)
        elif path in ("/news/loop.html", "/news/loop-back.html"):
            target = "/news/loop-back.html" if path == "/news/loop.html" else "/news/loop.html"
            _send(conn, "302 Found", html + [("Location", target)], b"")
        elif path == "/news/away.html":
            _send(conn, "302 Found", html + [("Location", self.elsewhere.base_url + "/news/stolen.html")], b"")
        elif path == "/news/report.html":
            _send(conn, "200 OK", [("Content-Type", "application/pdf")],
                  b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 20)
        elif path == "/news/broken.html":
            _send(conn, "200 OK", html, b"<html><head><title>Broken<body><div><p>unclosed \x00\x00 \xff\xfe <table><tr>"
                  b"<td><p><b><i>" * 50 + b"</html")
        elif path == "/news/charset-lie.html":
            title, paragraphs = _story("ru", "faults-charset")
            body = _article(title, paragraphs, published=(self.now - timedelta(hours=1)).isoformat())
            _send(conn, "200 OK", [("Content-Type", "text/html; charset=iso-8859-1")], body)
        elif path in self._pages:
            _send(conn, "200 OK", html, self._pages[path])
        elif path.startswith("/tag/"):
            _send(conn, "200 OK", html, b"<html><body>tag page</body></html>")
        else:
            _send(conn, "404 Not Found", html, b"<html><body>not found</body></html>")

    def _elsewhere(self, path: str, conn: socket.socket) -> None:
        title, paragraphs = _story("en", "faults-elsewhere")
        _send(conn, "200 OK", [("Content-Type", "text/html; charset=utf-8")],
              _article(title, paragraphs, published=self.now.isoformat()))
