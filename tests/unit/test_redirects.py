"""The redirect middlewares: loops refused, and meta refresh found without decoding every page."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import LoopSafeMetaRefreshMiddleware, RedirectLoop

URL = "http://127.0.0.1:8000/news/a.html"
PADDING = "<p>" + "Ein langer Absatz über nichts. " * 400 + "</p>"


class NeverDecoded(HtmlResponse):
    """A response whose text must not be needed: decoding 300 KiB was the cost."""

    @property
    def text(self) -> str:
        raise AssertionError("the body was decoded")


@pytest.fixture
def middleware() -> LoopSafeMetaRefreshMiddleware:
    return LoopSafeMetaRefreshMiddleware.from_crawler(get_crawler())


def page(head: str, *, encoding: str = "utf-8", cls: type[HtmlResponse] = HtmlResponse) -> HtmlResponse:
    html = f"<html><head>{head}<title>t</title></head><body>{PADDING}</body></html>"
    return cls(URL, body=html.encode(encoding), encoding=encoding, request=Request(URL))


def test_a_page_that_cannot_refresh_is_passed_on_undecoded(middleware):
    response = page('<meta charset="utf-8">', cls=NeverDecoded)
    assert middleware.process_response(response.request, response) is response


@pytest.mark.parametrize("head", [
    '<meta http-equiv="refresh" content="0; url=/news/b.html">',
    '<META HTTP-EQUIV="Refresh" CONTENT="0;URL=/news/b.html">',
])
def test_a_meta_refresh_is_followed(middleware, head):
    response = page(head)
    result = middleware.process_response(response.request, response)
    assert isinstance(result, Request) and result.url == "http://127.0.0.1:8000/news/b.html"


def test_a_utf16_page_gets_scrapys_own_check(middleware):
    # Its ASCII letters are two bytes each: the byte scan cannot rule the refresh out.
    response = page('<meta http-equiv="refresh" content="0; url=/news/b.html">', encoding="utf-16")
    result = middleware.process_response(response.request, response)
    # (Scrapy itself appends the BOM it decoded to the URL's query: not ours to mend.)
    assert isinstance(result, Request) and result.url.startswith("http://127.0.0.1:8000/news/b.html")


def test_a_refresh_back_into_its_own_chain_is_a_loop(middleware):
    response = page('<meta http-equiv="refresh" content="0; url=/news/a.html">')
    response.request.meta["redirect_urls"] = [URL]
    with pytest.raises(RedirectLoop):
        middleware.process_response(response.request, response)
