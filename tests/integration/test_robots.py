"""robots.txt holds for every request, including a burst that arrives while it loads
(a worker of a shared frontier starts that way; Scrapy 2.19's own middleware lets all but
the first of them through unchecked)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BURST = textwrap.dedent('''
    import sys

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    base = sys.argv[1]

    class Burst(scrapy.Spider):
        name = "burst"

        async def start(self):
            for i in range(12):
                yield scrapy.Request(f"{base}/private/{i}", callback=self.parse, errback=self.refused)
            yield scrapy.Request(f"{base}/public", callback=self.parse)

        def parse(self, response):
            pass

        def refused(self, failure):
            pass

    settings = get_project_settings()  # newsarchive's own settings (scrapy.cfg)
    settings.setdict({"LOG_LEVEL": "ERROR", "ITEM_PIPELINES": {}, "EXTENSIONS": {}, "DOWNLOAD_DELAY": 0,
                      "AUTOTHROTTLE_ENABLED": False, "NEWSARCHIVE_EXTRACT_WORKERS": 0,
                      "NEWSARCHIVE_ARCHIVE": sys.argv[2], "NEWSARCHIVE_HOME": sys.argv[3]}, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(Burst)
    process.start()
''')


def test_requests_waiting_for_robots_txt_are_all_checked(tmp_path):
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            seen.append(self.path)
            if self.path == "/robots.txt":
                time.sleep(0.5)  # slow enough that the whole burst waits for it
                body = b"User-agent: *\nDisallow: /private/\n"
            else:
                body = b"<html><body>hello</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        proc = subprocess.run([sys.executable, "-c", BURST, base, str(tmp_path / "archive"), str(tmp_path / "home")],
                              capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr
    assert seen.count("/robots.txt") == 1 and "/public" in seen
    assert not [path for path in seen if path.startswith("/private/")], seen
