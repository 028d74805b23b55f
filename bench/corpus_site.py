"""A loopback news site made of the shared corpus's real pages, for crawl benchmarks.

Real news pages average ~280 KiB and cost trafilatura ~28 ms each; generated 4 KiB pages
cost 1.5 ms and rank crawlers the other way round. Page ``i`` of the site is corpus page
``i mod N`` with a comment naming ``i`` appended, so every payload is unique (nothing is
deduplicated as a revisit). ``/sitemap.xml`` lists all pages, ``/sitemap-one.xml`` one.
"""

from __future__ import annotations

import gzip
import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["CorpusSite", "corpus_pages", "outlet_yaml"]

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_pages(corpus: Path = CORPUS, limit: int | None = None) -> list[bytes]:
    """The corpus pages' bytes, exactly as stored upstream, in gold.jsonl order."""
    if not (corpus / "gold.jsonl").exists():
        raise SystemExit(f"no corpus at {corpus}: the benchmarks read ../shared/corpus beside the repo")
    pages = []
    for line in (corpus / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        pages.append(gzip.decompress((corpus / json.loads(line)["file"]).read_bytes()))
        if limit and len(pages) >= limit:
            break
    return pages


def _sitemap(urls: list[str]) -> bytes:
    stamp = datetime(2026, 11, 20, tzinfo=timezone.utc).isoformat()
    body = "".join(f"<url><loc>{u}</loc><lastmod>{stamp}</lastmod></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>').encode()


class CorpusSite:
    """Serves ``count`` article pages on 127.0.0.1 until ``stop``."""

    def __init__(self, count: int, pages: list[bytes] | None = None) -> None:
        self.count = count
        self.pages = pages if pages is not None else corpus_pages()
        self.served = 0  # article pages served so far: the progress benchmarks sample
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body, kind = site.respond(self.path)
                self.send_response(200 if body is not None else 404)
                body = body if body is not None else b"not found"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def article_urls(self) -> list[str]:
        return [self.url(f"/news/{i:06d}.html") for i in range(self.count)]

    def respond(self, path: str) -> tuple[bytes | None, str]:
        if path == "/sitemap.xml":
            return _sitemap(self.article_urls()), "application/xml"
        if path == "/sitemap-one.xml":
            return _sitemap(self.article_urls()[:1]), "application/xml"
        if path.startswith("/news/") and path.endswith(".html"):
            try:
                i = int(path[len("/news/"):-len(".html")])
            except ValueError:
                return None, "text/plain"
            if 0 <= i < self.count:
                self.served += 1
                return self.pages[i % len(self.pages)] + f"\n<!-- page {i} -->\n".encode(), "text/html"
        return None, "text/plain"

    def start(self) -> "CorpusSite":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def outlet_yaml(site: CorpusSite, sitemap: str, name: str = "bench") -> str:
    """An outlet spec for the site: its sitemap, its article URLs, no age limit."""
    return (f"outlets:\n  - name: {name}\n    domains: ['127.0.0.1']\n    language: en\n"
            f"    sitemaps: ['{site.url(sitemap)}']\n    article_patterns: ['^/news/\\d+\\.html$']\n"
            "    max_age_days: 100000\n")
