"""The bucket layout: every object key the archive writes is built here.

```
warc/YYYY/MM/DD/newsarchive-<YYYYMMDDhhmmss>-<serial>-<host>-<pid>.warc.gz
indexes/YYYY/MM/DD/<same stem>.cdxj
articles/<outlet>/YYYY/MM/DD/<id>.json          (date: published, else fetched)
manifests/YYYY/MM/DD/<run_id>.jsonl
runs/YYYY/MM/DD/<run_id>.json
```
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from archive.errors import ArchiveError
from extract.article import Article

__all__ = [
    "ADHOC_OUTLET",
    "WARC_SUFFIX",
    "article_key",
    "date_path",
    "index_key",
    "manifest_key",
    "run_key",
    "safe_name",
    "utc",
    "warc_key",
    "warc_name",
]

ADHOC_OUTLET = "_adhoc"
WARC_SUFFIX = ".warc.gz"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_NAME_STAMP = re.compile(r"^newsarchive-(\d{4})(\d{2})(\d{2})\d{6}-")


def safe_name(text: str) -> str:
    """``text`` reduced to characters that are safe in a key segment on every store."""
    cleaned = _UNSAFE.sub("-", text).strip("-.")
    return cleaned or "_"


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive datetimes are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def date_path(moment: datetime) -> str:
    return utc(moment).strftime("%Y/%m/%d")


def warc_name(started: datetime, serial: int, host: str, pid: int) -> str:
    stamp = utc(started).strftime("%Y%m%d%H%M%S")
    return f"newsarchive-{stamp}-{serial:05d}-{safe_name(host)}-{pid}{WARC_SUFFIX}"


def _name_date(name: str) -> str:
    match = _NAME_STAMP.match(name)
    if not match or not name.endswith(WARC_SUFFIX):
        raise ArchiveError(f"{name!r} is not a newsarchive WARC file name")
    return f"{match[1]}/{match[2]}/{match[3]}"


def warc_key(name: str) -> str:
    """The key of a WARC file, partitioned by the date in its name."""
    return f"warc/{_name_date(name)}/{name}"


def index_key(warc: str) -> str:
    """The key of the CDXJ index of the WARC at key ``warc``."""
    name = warc.rsplit("/", 1)[-1]
    return f"indexes/{_name_date(name)}/{name[: -len(WARC_SUFFIX)]}.cdxj"


def article_key(article: Article) -> str:
    """``articles/<outlet>/YYYY/MM/DD/<id>.json``, dated by publication, else by fetch."""
    for value in (article.published, article.fetched_at):
        match = _ISO_DATE.match(value or "")
        if match:
            outlet = safe_name(article.outlet) if article.outlet else ADHOC_OUTLET
            return f"articles/{outlet}/{match[1]}/{match[2]}/{match[3]}/{safe_name(article.id)}.json"
    raise ArchiveError(f"article {article.id} has neither a published nor a fetched_at date: set fetched_at before archiving")


def manifest_key(run_id: str, started: datetime) -> str:
    return f"manifests/{date_path(started)}/{safe_name(run_id)}.jsonl"


def run_key(run_id: str, started: datetime) -> str:
    return f"runs/{date_path(started)}/{safe_name(run_id)}.json"
