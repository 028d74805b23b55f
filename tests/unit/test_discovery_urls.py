"""URL canonicalisation: one spelling per page, so article ids are stable."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize_url
from crawler.urls import InvalidURL, host_matches


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://RIA.RU/20261121/Nato-1.html", "https://ria.ru/20261121/Nato-1.html"),
        ("https://ria.ru:443/a#comments", "https://ria.ru/a"),
        ("http://tass.com:80", "http://tass.com/"),
        ("http://127.0.0.1:8001/x", "http://127.0.0.1:8001/x"),
        ("https://www.news.cn./world/", "https://www.news.cn/world/"),
        ("https://tass.com/world/1?utm_source=rss&utm_Medium=x&fbclid=1&gclid=2&spm=a.b", "https://tass.com/world/1"),
        ("https://ria.ru/sitemap_article.xml?date_start=20261101&utm_campaign=x&date_end=20261130",
         "https://ria.ru/sitemap_article.xml?date_start=20261101&date_end=20261130"),
        # Escaped delimiters inside values stay escaped; escape case is normalised.
        ("https://x.example/s?q=a%26b%3dc&p=%e4%b8%ad", "https://x.example/s?q=a%26b%3Dc&p=%E4%B8%AD"),
        ("https://ria.ru/путь/статья", "https://ria.ru/%D0%BF%D1%83%D1%82%D1%8C/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"),
        ("https://пример.рф/a", "https://xn--e1afmkfd.xn--p1ai/a"),
        ("https://tass.com/a?", "https://tass.com/a"),
        ("  https://tass.com/a  ", "https://tass.com/a"),
    ],
)
def test_canonical_spelling(url, canonical):
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize("url", ["mailto:editor@tass.com", "/relative/path", "ftp://tass.com/a", "https://tass.com:99999/"])
def test_not_an_http_url_is_refused(url):
    with pytest.raises(InvalidURL):
        canonicalize_url(url)


@pytest.mark.parametrize(
    ("url", "domains", "expected"),
    [
        ("https://ria.ru/a", ("ria.ru",), True),
        ("https://rsport.ria.ru/a", ("ria.ru",), True),
        ("https://myria.ru/a", ("ria.ru",), False),
        ("https://ria.ru.evil.com/a", ("ria.ru",), False),
        ("https://ria.ru:8443/a", ("ria.ru",), True),
        ("http://127.0.0.1:8001/a", ("127.0.0.1:8001",), True),
        ("http://127.0.0.1:8002/a", ("127.0.0.1:8001",), False),
        ("http://127.0.0.1/a", ("127.0.0.1:80",), True),
        ("javascript:alert(1)", ("ria.ru",), False),
        ("https://ria.ru@evil.example/a", ("ria.ru",), False),   # userinfo is not the host
        ("https://RIA.RU./a", ("ria.ru",), True),
    ],
)
def test_host_matching(url, domains, expected):
    assert host_matches(url, domains) is expected
