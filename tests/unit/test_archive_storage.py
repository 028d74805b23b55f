"""The local store: what ``put`` stored survives a power cut once it returns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archive import LocalStore


@pytest.fixture
def synced(monkeypatch) -> list[Path]:
    """What was fsynced, in order (files and folders, by path)."""
    paths: list[Path] = []
    fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        paths.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    return paths


def test_put_syncs_the_new_name_and_every_folder_it_created(tmp_path, synced):
    root = tmp_path / "archive"
    root.mkdir()
    LocalStore(root).put_bytes("articles/a/2026/11/22/x.json", b"{}\n")
    folder = root / "articles/a/2026/11/22"
    # the folder holding the renamed file last: the spool deletes its copy right after
    assert synced[-1] == folder
    assert any(path.parent == folder and path.name.startswith(".tmp-") for path in synced), "the bytes first"
    created = [root / "articles", root / "articles/a", root / "articles/a/2026", root / "articles/a/2026/11", folder]
    assert {new.parent for new in created} <= set(synced), synced


def test_a_file_on_the_same_file_system_is_linked_synced_and_not_copied(tmp_path, synced):
    spooled = tmp_path / "spool" / "x.json"
    spooled.parent.mkdir()
    spooled.write_bytes(b'{"id": "x"}\n')
    root = tmp_path / "archive"
    LocalStore(root).put_file("articles/x.json", spooled)
    stored = root / "articles/x.json"
    assert stored.stat().st_ino == spooled.stat().st_ino  # one file, two names
    assert any(path.parent == stored.parent and path.name.startswith(".tmp-") for path in synced), "the bytes"
    assert synced[-1] == stored.parent, "then the new name"
    spooled.unlink()  # what the spool does next
    assert stored.read_bytes() == b'{"id": "x"}\n'
    assert [p.name for p in stored.parent.iterdir()] == ["x.json"]


def test_a_file_on_another_file_system_is_copied(tmp_path, monkeypatch):
    import errno

    def no_link(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    spooled = tmp_path / "x.json"
    spooled.write_bytes(b'{"id": "x"}\n')
    LocalStore(tmp_path / "archive").put_file("articles/x.json", spooled)
    stored = tmp_path / "archive/articles/x.json"
    assert stored.read_bytes() == spooled.read_bytes() and stored.stat().st_ino != spooled.stat().st_ino
    assert [p.name for p in stored.parent.iterdir()] == ["x.json"]
