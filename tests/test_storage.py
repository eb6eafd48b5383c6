from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from bot.storage.db import Database, migrations
from bot.storage.communes import Communes
from bot.storage.people import People
from bot.models import Role

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)


async def test_a_fresh_database_is_migrated_to_the_latest_version_with_wal_and_foreign_keys(tmp_path):
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        assert await db.schema_version() == len(migrations())
        async with db.conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with db.conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await People.add(tx, commune_id=999, role=Role.POLICE, full_name="x", locale=None, now=NOW)
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "a.sqlite3"
    db = await Database.open(path)
    async with db.transaction() as tx:
        await Communes.get_or_create(tx, "Xã Mẫu Sơn", NOW)
    await db.close()

    db = await Database.open(path)
    try:
        assert await db.migrate() == len(migrations())
        async with db.reading() as conn:
            assert (await Communes.find(conn, "xa mau son")).name == "Xã Mẫu Sơn"  # found without diacritics
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path):
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await Communes.get_or_create(tx, "Xã A", NOW)
                raise RuntimeError("boom")
        async with db.reading() as conn:
            assert await Communes.find(conn, "Xã A") is None
    finally:
        await db.close()


async def test_backup_is_a_consistent_copy_taken_while_the_database_is_open(tmp_path):
    db = await Database.open(tmp_path / "live.sqlite3")
    try:
        async with db.transaction() as tx:
            commune = await Communes.get_or_create(tx, "Xã Mẫu Sơn", NOW)
            for i in range(200):
                await People.add(tx, commune_id=commune.id, role=Role.RETURNEE, full_name=f"P{i}", locale=None, now=NOW)
        await db.backup(tmp_path / "copy.sqlite3")
        with pytest.raises(FileExistsError):
            await db.backup(tmp_path / "copy.sqlite3")
    finally:
        await db.close()

    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM people").fetchone()[0] == 200
        assert copy.execute("PRAGMA user_version").fetchone()[0] == len(migrations())
    finally:
        copy.close()


def test_a_gap_in_the_migrations_is_refused_and_other_files_are_ignored(tmp_path):
    for name in ("0001_first.sql", "0002_second.sql", "README.md", "3_loose.sql"):
        (tmp_path / name).write_text("SELECT 1;")
    assert [name for _, name, _ in migrations(tmp_path)] == ["0001_first.sql", "0002_second.sql"]
    (tmp_path / "0004_fourth.sql").write_text("SELECT 1;")
    with pytest.raises(RuntimeError, match="without gaps"):
        migrations(tmp_path)


async def test_a_read_inside_a_transaction_sees_it_and_a_nested_transaction_is_refused(tmp_path):
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        async with db.transaction() as tx:
            await Communes.get_or_create(tx, "Xã A", NOW)
            async with db.reading() as conn:  # same task: no deadlock, sees the uncommitted row
                assert (await Communes.find(conn, "Xã A")) is not None
            with pytest.raises(RuntimeError):
                async with db.transaction():
                    pass
    finally:
        await db.close()
