"""``newsarchive verify``: is the archive whole and consistent?

Checks every WARC record by record (gzip CRC and length of each member, WARC block and
payload digests: ``warcio check`` alone passes some damaged gzip members), that each WARC
has its CDXJ index and the index points at record boundaries, that every article JSON is
valid, filed under the right key and linked to the response record it names, that every
revisit refers to a response record in this archive, that every id entry names a stored
article, and that every manifest line parses and names objects that exist.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import jsonschema
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

import extract.article
from archive.errors import ArchiveError, StorageError
from archive.index import parse_cdxj_line
from archive.layout import IDS_PREFIX, WARC_SUFFIX, article_key, id_key, index_key, parse_article_key, parse_id_entry
from archive.prefetch import ordered_map
from archive.storage import ObjectStore
from archive.warc import DamagedMember, iter_members, parse_member, read_member
from extract.article import Article

__all__ = ["Problem", "VerifyReport", "verify_archive"]

_SCHEMA_PATH = Path(extract.article.__file__).with_name("schema") / "article.schema.json"
_LINKED_TYPES = ("response", "revisit")


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass
class VerifyReport:
    warcs: int = 0
    records: int = 0
    articles: int = 0
    manifests: int = 0
    ids: int = 0
    # Articles with no id entry: not a problem (archives written before the id index have
    # none, and `get` falls back to a listing), but `newsarchive reextract` writes them.
    unindexed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "warcs": self.warcs,
            "records": self.records,
            "articles": self.articles,
            "manifests": self.manifests,
            "ids": self.ids,
            "unindexed": self.unindexed,
            "problems": [{"key": p.key, "message": p.message} for p in self.problems],
        }


def verify_archive(store: ObjectStore) -> VerifyReport:
    """Check the whole archive; every problem found is reported, none raised."""
    report = VerifyReport()
    links = _Links()
    for key in store.list("warc/"):
        if key.endswith(WARC_SUFFIX):
            report.warcs += 1
            report.problems += _check_warc(store, key, report, links)
    report.problems += links.dangling()
    validator = jsonschema.Draft202012Validator(json.loads(_SCHEMA_PATH.read_text(encoding="utf-8")))
    # One id, one object: a second copy means an update moved the article's date folder.
    first_key: dict[str, str] = {}
    stored: set[str] = set()
    article_keys = (key for key in store.list("articles/") if key.endswith(".json"))
    for key, problems in ordered_map(lambda key: (key, list(_check_article(store, key, validator))), article_keys):
        report.articles += 1
        report.problems += problems
        parts = parse_article_key(key)
        article_id = parts.id if parts else key.rsplit("/", 1)[1][: -len(".json")]
        if article_id in first_key:
            report.problems.append(Problem(key, f"article {article_id} is also stored at {first_key[article_id]}; "
                                                "keep the one `newsarchive cat` shows and delete the other"))
        first_key.setdefault(article_id, key)
        stored.add(key)
    indexed: set[str] = set()
    for key, (problem, article_id) in ordered_map(lambda key: (key, _check_id_entry(store, key, stored)),
                                                  store.list(IDS_PREFIX)):
        report.ids += 1
        if problem:
            report.problems.append(problem)
        indexed.add(article_id)
    report.unindexed = len(set(first_key) - indexed)
    # A key listed by an earlier run may have been replaced since (an update moved the
    # article to another date folder); only keys nothing replaced must still exist.
    missing: list[Problem] = []
    replaced: set[str] = set()
    for key in store.list("manifests/"):
        report.manifests += 1
        report.problems += _check_manifest(store, key, missing, replaced)
    report.problems += [problem for problem in missing if problem.key not in replaced]
    return report


@dataclass
class _Links:
    """Response record ids, and the revisits that must refer to one of them."""

    responses: set[str] = field(default_factory=set)
    revisits: list[tuple[str, int, str]] = field(default_factory=list)  # (WARC key, offset, WARC-Refers-To)

    def note(self, key: str, offset: int, member: bytes) -> None:
        try:
            headers, _ = parse_member(member)
        except (ArchiveError, ValueError):
            return  # reported as unreadable by _record_problems
        rec_type = headers.get_header("WARC-Type")
        if rec_type == "response":
            self.responses.add(headers.get_header("WARC-Record-ID"))
        elif rec_type == "revisit":
            self.revisits.append((key, offset, headers.get_header("WARC-Refers-To") or ""))

    def dangling(self) -> Iterator[Problem]:
        """Revisits whose original is not in the archive: a replay of them finds nothing."""
        for key, offset, refers_to in self.revisits:
            if refers_to not in self.responses:
                yield Problem(key, f"record at offset {offset}: revisit refers to {refers_to or '(nothing)'}, "
                                   "which is no response record in this archive (was it written with another "
                                   "archive's crawl state?); re-crawl the URL to archive its payload here")


def _check_warc(store: ObjectStore, key: str, report: VerifyReport, links: _Links) -> Iterator[Problem]:
    boundaries: set[tuple[int, int]] = set()
    try:
        with store.open(key) as stream:
            for offset, length, member in iter_members(stream):
                boundaries.add((offset, length))
                report.records += 1
                links.note(key, offset, member)
                yield from (Problem(key, f"record at offset {offset}: {m}") for m in _record_problems(member, first=offset == 0))
    except DamagedMember as exc:
        yield Problem(key, f"{exc}; the file is damaged from there on (restore it from a copy, or re-crawl)")
    except StorageError as exc:
        yield Problem(key, str(exc))
    yield from _check_index(store, key, boundaries)


def _record_problems(member: bytes, *, first: bool) -> Iterator[str]:
    # Checked before warcio sees it: warcio reads other text as ARC records and passes
    # it, and fails with odd errors on a WARC head it cannot use.
    if not member.startswith(b"WARC/"):
        yield f"not a WARC record: it begins {member[:24]!r}"
        return
    try:
        parse_member(member)
    except (ArchiveError, ValueError) as exc:
        yield f"unreadable WARC head: {exc}"
        return
    records = ArchiveIterator(io.BytesIO(member), check_digests=True)
    try:
        record = next(records)
        rec_type = record.rec_type
        stream = record.content_stream()
        while stream.read(1 << 16):
            pass
        yield from (f"{rec_type}: {problem}" for problem in record.digest_checker.problems)
        if first and rec_type != "warcinfo":
            yield f"the first record is a {rec_type}, not warcinfo"
        if next(records, None) is not None:
            yield "a gzip member holds more than one record: offsets in indexes would be wrong"
    except (StopIteration, ValueError, EOFError, ArchiveLoadFailed) as exc:
        yield f"not a WARC record: {exc}"


def _check_index(store: ObjectStore, key: str, boundaries: set[tuple[int, int]]) -> Iterator[Problem]:
    index = index_key(key)
    try:
        with store.open(index) as stream:
            lines = stream.read().decode("utf-8").splitlines()
    except StorageError:
        yield Problem(key, f"no CDXJ index at {index}: run `newsarchive flush` if it is still spooled")
        return
    for number, line in enumerate(lines, 1):
        try:
            entry = parse_cdxj_line(line)
        except ValueError:
            yield Problem(index, f"line {number} is not a CDXJ line")
            continue
        point = (entry.offset, entry.length)
        if point not in boundaries:
            yield Problem(index, f"line {number} points at offset {point[0]}, length {point[1]}: not a record of {key}")


def _check_article(store: ObjectStore, key: str, validator: jsonschema.Draft202012Validator) -> Iterator[Problem]:
    try:
        with store.open(key) as stream:
            data = json.loads(stream.read())
    except (StorageError, ValueError) as exc:
        yield Problem(key, f"unreadable article JSON: {exc}")
        return
    for error in validator.iter_errors(data):
        yield Problem(key, f"schema: {error.json_path}: {error.message}")
    try:
        article = Article.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        yield Problem(key, f"not an article: {exc}")
        return
    if key != article_key(article):
        yield Problem(key, f"filed under the wrong key; its id, outlet and date say {article_key(article)}")
    ref = article.warc
    if ref is None:
        yield Problem(key, "no WARC link: the article cannot be traced to a capture")
        return
    try:
        headers, _ = parse_member(read_member(store.read_range(ref.file, ref.offset, ref.length)))
    except (StorageError, ArchiveError) as exc:
        yield Problem(key, f"WARC link {ref.file}@{ref.offset} is broken: {exc}")
        return
    if headers.get_header("WARC-Record-ID") != ref.record_id:
        yield Problem(key, f"{ref.file}@{ref.offset} is {headers.get_header('WARC-Record-ID')}, not {ref.record_id}")
    elif headers.get_header("WARC-Type") not in _LINKED_TYPES:
        yield Problem(key, f"links to a {headers.get_header('WARC-Type')} record, not a response")
    elif headers.get_header("WARC-Payload-Digest") != ref.payload_digest:
        yield Problem(key, f"payload digest {ref.payload_digest} differs from the record's {headers.get_header('WARC-Payload-Digest')}")


def _check_id_entry(store: ObjectStore, key: str, stored: set[str]) -> tuple[Problem | None, str]:
    """A problem with the id entry at ``key`` (or None), and the id it is for."""
    article_id = key.rsplit("/", 1)[-1].removesuffix(".json")
    try:
        with store.open(key) as stream:
            entry_id, article = parse_id_entry(stream.read())
    except (StorageError, ArchiveError) as exc:
        return Problem(key, f"unreadable id entry: {exc}"), article_id
    if key != id_key(entry_id):
        return Problem(key, f"holds the entry of {entry_id}, which belongs at {id_key(entry_id)}"), article_id
    parts = parse_article_key(article)
    if parts is None or parts.id != entry_id:
        return Problem(key, f"names {article}, which is not the key of an article {entry_id}"), entry_id
    if article not in stored:
        return Problem(key, f"names {article}, which is not in the archive; run `newsarchive flush` if it "
                            "still waits in a spool, else `newsarchive reextract` to rebuild it"), entry_id
    return None, entry_id


def _check_manifest(store: ObjectStore, key: str, missing: list[Problem], replaced: set[str]) -> Iterator[Problem]:
    """Problems of one manifest; listed keys not in the store go to ``missing`` (as
    problems about that key), keys its lines replace to ``replaced``."""
    try:
        with store.open(key) as stream:
            lines = stream.read().decode("utf-8").splitlines()
    except (StorageError, UnicodeDecodeError) as exc:
        yield Problem(key, f"unreadable manifest: {exc}")
        return
    listed: list[tuple[int, str, str]] = []
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
            kind = entry["kind"]
        except (ValueError, KeyError, TypeError):
            yield Problem(key, f"line {number} is not a manifest entry")
            continue
        if entry.get("key"):
            listed.append((number, entry["key"], kind))
        if entry.get("replaces"):
            replaced.add(entry["replaces"])
        if kind == "article" and entry.get("key") and not entry["key"].endswith(f"/{entry.get('id')}.json"):
            yield Problem(key, f"line {number}: article id {entry.get('id')} does not match {entry['key']}")
    for (number, object_key, kind), found in zip(listed, ordered_map(store.exists, (k for _, k, _ in listed))):
        if not found:
            missing.append(Problem(object_key, f"listed by {key} line {number} ({kind}) but not in the archive"))
