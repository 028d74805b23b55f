"""The bucket layout: every object key the archive writes is built here.

```
warc/YYYY/MM/DD/newsarchive-<YYYYMMDDhhmmss>-<serial>-<host>-<pid>.warc.gz
indexes/YYYY/MM/DD/<same stem>.cdxj
articles/<outlet>/YYYY/MM/DD/<id>.json          (date: published, else fetched)
ids/<first 2 hex digits of id>/<id>.json        (the article's key: lookup by id without a listing)
manifests/YYYY/MM/DD/<run_id>.jsonl
runs/YYYY/MM/DD/<run_id>.json
```
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from archive.errors import ArchiveError
from extract.article import Article

__all__ = [
    "ADHOC_OUTLET",
    "IDS_PREFIX",
    "WARC_SUFFIX",
    "ArticleKey",
    "article_key",
    "date_path",
    "id_entry",
    "id_key",
    "index_key",
    "manifest_key",
    "parse_article_key",
    "parse_id_entry",
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
_ARTICLE_KEY = re.compile(r"^articles/([^/]+)/(\d{4})/(\d{2})/(\d{2})/([^/]+)\.json$")
IDS_PREFIX = "ids/"


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


@dataclass(frozen=True)
class ArticleKey:
    """What an article key says: outlet folder, date folder and id."""

    outlet: str
    day: date
    id: str


def parse_article_key(key: str) -> ArticleKey | None:
    """The parts of an ``articles/…`` key; None for any other key."""
    match = _ARTICLE_KEY.match(key)
    if not match:
        return None
    try:
        day = date(int(match[2]), int(match[3]), int(match[4]))
    except ValueError:
        return None
    return ArticleKey(outlet=match[1], day=day, id=match[5])


def id_key(article_id: str) -> str:
    """``ids/<first 2 hex digits>/<id>.json``: the id entry naming an article's key.

    Two hex digits spread the entries over 256 folders, so no folder grows huge.
    """
    name = safe_name(article_id)
    return f"{IDS_PREFIX}{name[:2]}/{name}.json"


def id_entry(article_id: str, key: str) -> bytes:
    """The body of an id entry: the id and the key its article JSON is stored at."""
    return (json.dumps({"id": article_id, "key": key}, sort_keys=True) + "\n").encode("utf-8")


def parse_id_entry(data: bytes) -> tuple[str, str]:
    """(id, article key) of an id entry's body."""
    try:
        entry = json.loads(data)
        return str(entry["id"]), str(entry["key"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"not an id entry ({exc}); `newsarchive reextract` rewrites the id index") from exc
