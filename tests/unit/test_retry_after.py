"""Retry-After, as servers send it: seconds, or an HTTP date (with -0000 meaning UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from scrapy.http import Response

from crawler.middlewares import _retry_after


def response(value: str) -> Response:
    return Response("http://127.0.0.1/", status=503, headers={"Retry-After": value})


def test_seconds():
    assert _retry_after(response("120")) == 120.0


@pytest.mark.parametrize("usegmt", [True, False])
def test_http_dates_in_any_zone_notation(usegmt):
    when = datetime.now(timezone.utc) + timedelta(seconds=90)
    text = format_datetime(when, usegmt=True) if usegmt else format_datetime(when).replace("+0000", "-0000")
    assert 80 <= _retry_after(response(text)) <= 91


def test_past_dates_and_junk():
    assert _retry_after(response("Wed, 21 Oct 2015 07:28:00 GMT")) == 0.0
    assert _retry_after(response("soon")) is None
