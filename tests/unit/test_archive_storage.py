"""The local store: what ``put`` stored survives a power cut once it returns."""

from __future__ import annotations

import os
from pathlib import Path

from archive import LocalStore


def test_put_syncs_the_new_name_and_every_folder_it_created(tmp_path, monkeypatch):
    synced: list[Path] = []
    fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    root = tmp_path / "archive"
    root.mkdir()
    LocalStore(root).put_bytes("articles/a/2026/11/22/x.json", b"{}\n")
    folder = root / "articles/a/2026/11/22"
    # the folder holding the renamed file last: the spool deletes its copy right after
    assert synced[-1] == folder
    assert any(path.parent == folder and path.name.startswith(".tmp-") for path in synced), "the bytes first"
    created = [root / "articles", root / "articles/a", root / "articles/a/2026", root / "articles/a/2026/11", folder]
    assert {new.parent for new in created} <= set(synced), synced
