"""Atomic writes leave the old file or the new one, never a half-written one."""

from __future__ import annotations

from pathlib import Path

import pytest

from attention.atomic import TMP_PREFIX, atomic_open, atomic_write, atomic_write_bytes


def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "brief.md"
    atomic_write(target, "Title: א\n")
    atomic_write(target, "Title: ב\n")
    assert target.read_text(encoding="utf-8") == "Title: ב\n"
    assert [p.name for p in target.parent.iterdir()] == ["brief.md"]


def test_a_failure_midway_keeps_the_old_file_and_removes_the_temp(tmp_path: Path) -> None:
    target = tmp_path / "subscribers.csv"
    atomic_write(target, "old\n")
    with pytest.raises(RuntimeError), atomic_open(target, "w", encoding="utf-8") as handle:
        handle.write("half of the new")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert not list(tmp_path.glob(f"{TMP_PREFIX}*"))


def test_bytes_are_written_as_they_are(tmp_path: Path) -> None:
    target = tmp_path / "m.eml"
    atomic_write_bytes(target, b"Subject: =?utf-8?b?16nXnNeV150=?=\r\n")
    assert target.read_bytes().endswith(b"\r\n")
