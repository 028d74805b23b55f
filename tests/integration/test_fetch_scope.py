"""`newsarchive fetch` follows redirects, but never from a public address to an internal
one; a malformed URL is a usage error. Only 127.0.0.1 is ever contacted: the setting
NEWSARCHIVE_PUBLIC_ADDRESSES marks the first test server as the "public" origin."""

from __future__ import annotations

import json

import pytest

from tests.cli import newsarchive
from tests.integration.test_fetch import article_page
from tests.servers import Page, StaticSite

ROBOTS = Page(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})


@pytest.fixture
def sites():
    with StaticSite({"/robots.txt": ROBOTS}) as inner, StaticSite({"/robots.txt": ROBOTS}) as origin:
        inner.pages["/world/2026-11/20/content_1234567.htm"] = Page(article_page())
        origin.pages["/go"] = Page(b"", status=302, headers={
            "Location": inner.url("/world/2026-11/20/content_1234567.htm"), "Content-Type": "text/html"})
        yield origin, inner


def test_a_redirect_from_a_public_origin_to_loopback_is_not_followed(sites, tmp_path, home):
    origin, inner = sites
    public = origin.base_url.removeprefix("http://")
    proc = newsarchive("fetch", origin.url("/go"), "--archive", str(tmp_path / "a"),
                       "-s", f"NEWSARCHIVE_PUBLIC_ADDRESSES={public}")
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert "not followed" in line and "public address" in line
    assert inner.requests == [], "the internal address is never contacted, not even for robots.txt"
    manifest = [json.loads(x) for p in (tmp_path / "a").glob("manifests/**/*.jsonl") for x in p.read_text().splitlines()]
    assert [m["page_type"] for m in manifest if m["kind"] == "page"] == ["offsite"]


def test_a_redirect_between_loopback_servers_is_followed(sites, tmp_path, home):
    origin, inner = sites
    proc = newsarchive("fetch", origin.url("/go"), "--archive", str(tmp_path / "a"), check=True)
    article = json.loads(proc.stdout)
    assert article["url"] == inner.url("/world/2026-11/20/content_1234567.htm")


@pytest.mark.parametrize("url", ["http://[oops/x", "ftp://example.org/x", "http://127.0.0.1:99999/", "example.org/x"])
def test_a_malformed_url_is_a_usage_error(url, tmp_path, home):
    proc = newsarchive("fetch", url, "--archive", str(tmp_path / "a"))
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("newsarchive fetch:") and "http" in line
