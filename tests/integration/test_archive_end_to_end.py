"""The archive behind a real crawl: `newsarchive fetch` from a byte-exact server, then read,
verify and re-extract what it wrote, with the archive commands a consumer would use."""

from __future__ import annotations

import json

from click.testing import CliRunner

from archive import ArchiveReader, LocalStore
from archive.verify import verify_archive
from crawler.cli import main
from tests.cli import newsarchive
from tests.integration.test_archive_reextract import HTML
from tests.servers import RawSite
from tests.unit.test_archive_support import gzip_chunked

# A reason phrase of its own, odd-case and repeated headers, a gzip body sent in chunks.
RESPONSE = gzip_chunked(
    b"HTTP/1.1 200 Here You Go\r\n"
    b"content-TYPE: text/html; charset=UTF-8\r\n"
    b"X-Served-By: a\r\n"
    b"x-served-by: b\r\n"
    b"Content-Encoding: gzip\r\n"
    b"Transfer-Encoding: chunked\r\n",
    HTML,
    first_chunk=100,
)


def respond(request: bytes) -> bytes:
    if request.startswith(b"GET /robots.txt"):
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    return RESPONSE


def test_fetch_then_ls_raw_verify_reextract(tmp_path):
    # not ./archive: `python -m` puts the working directory first on sys.path, where a
    # folder named archive would shadow the package
    archive = tmp_path / "store"
    env = {"NEWSARCHIVE_HOME": str(tmp_path / "home")}
    with RawSite(respond) as site:
        fetched = newsarchive("fetch", site.base_url + "/news/harbour", "--archive", str(archive), "--outlet", "harbourtimes",
                              cwd=tmp_path, env=env)
    assert fetched.returncode == 0, fetched.stderr
    article_id = json.loads(fetched.stdout)["id"]

    listing = CliRunner().invoke(main, ["ls", "--archive", str(archive), "--json"])
    assert [json.loads(line)["id"] for line in listing.output.splitlines()] == [article_id]
    reader = ArchiveReader(LocalStore(archive))
    article = reader.get(article_id)
    assert reader.raw_response(article) == RESPONSE
    assert reader.decoded_response(article)[1] == HTML

    report = verify_archive(LocalStore(archive))
    assert report.ok, report.problems
    assert report.warcs >= 1 and report.articles == 1 and report.manifests == 1

    before = sorted(LocalStore(archive).list())
    again = CliRunner(env=env).invoke(main, ["reextract", "--archive", str(archive), "--json"])
    assert json.loads(again.output.splitlines()[-1])["counts"] == {
        "unchanged": 1, "changed": 0, "added": 0, "skipped": 0, "rejected": 0, "failed": 0}
    assert sorted(LocalStore(archive).list()) == before
    assert reader.get(article_id).to_json() == article.to_json()
