"""Seed a benchmark database quickly: communes, police, supervisors, people, check-ins.

Uses the project's migrations, then bulk inserts with the sqlite3 module (benchmark tooling, not
the bot: the bot's SQL stays in bot/storage)."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from bot.storage.db import Database

CATEGORIES = ("suspended", "non_custodial", "parole", "deferred", "released", "amnesty")
PENALTY = {"suspended": "suspended", "non_custodial": "non_custodial_reform", "parole": "prison",
           "deferred": "prison", "released": "prison", "amnesty": "prison"}


async def _migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


async def seed(path: Path, *, people: int, checkins: int, communes: int = 10, supervisors_per_commune: int = 20,
         telegram_base: int = 10_000_000, seed_value: int = 7) -> dict:
    """Returns ids useful to the benchmark (police, supervisors and returnees with Telegram ids)."""
    rng = random.Random(seed_value)
    await _migrate(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    now = "2026-11-22T03:00:00+00:00"
    today = date(2026, 11, 22)
    conn.execute("BEGIN")
    commune_ids, police, supervisors = [], {}, {}
    tg = telegram_base
    for c in range(communes):
        cur = conn.execute("INSERT INTO communes (name, name_folded, created_at) VALUES (?, ?, ?)",
                           (f"Xã Số {c}", f"xa so {c}", now))
        commune_ids.append(cur.lastrowid)
        cur = conn.execute("INSERT INTO people (commune_id, role, full_name, created_at, is_head) VALUES (?, 'police', ?, ?, 1)",
                           (cur.lastrowid, f"Công an {c}", now))
        police[commune_ids[-1]] = (cur.lastrowid, tg)
        conn.execute("INSERT INTO identities (messenger, external_id, chat_id, person_id, created_at) VALUES ('telegram', ?, ?, ?, ?)",
                     (str(tg), str(tg), cur.lastrowid, now))
        tg += 1
        supervisors[commune_ids[-1]] = []
        for s in range(supervisors_per_commune):
            cur = conn.execute("INSERT INTO people (commune_id, role, full_name, created_at) VALUES (?, 'supervisor', ?, ?)",
                               (commune_ids[-1], f"Tổ viên {c}-{s}", now))
            supervisors[commune_ids[-1]].append((cur.lastrowid, tg))
            conn.execute("INSERT INTO identities (messenger, external_id, chat_id, person_id, created_at) VALUES ('telegram', ?, ?, ?, ?)",
                         (str(tg), str(tg), cur.lastrowid, now))
            tg += 1
    person_ids, returnees = [], []
    people_rows, record_rows, assignment_rows = [], [], []
    first_person = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM people").fetchone()[0]
    for n in range(people):
        pid = first_person + n
        commune = commune_ids[n % communes]
        category = CATEGORIES[n % len(CATEGORIES)]
        dob = date(1960, 1, 1) + timedelta(days=rng.randrange(15000))
        enrolled = today - timedelta(days=rng.randrange(30, 900))
        release = today - timedelta(days=rng.randrange(30, 1800)) if category in ("released", "amnesty", "parole") else None
        probation_end = today + timedelta(days=rng.randrange(-30, 700)) if category in ("suspended", "parole", "non_custodial") else None
        people_rows.append((pid, commune, "returnee", f"Người Số {n}", now))
        record_rows.append((pid, f"nguoi so {n}", dob.isoformat(), f"Thôn {n % 37}", category, PENALTY[category],
                            rng.choice((12, 24, 36, 60, 84)), release.isoformat() if release else None,
                            probation_end.isoformat() if probation_end else None, enrolled.isoformat(), now))
        supervisor = supervisors[commune][(n // communes) % supervisors_per_commune][0]
        assignment_rows.append((pid, supervisor, police[commune][0], now))
        person_ids.append(pid)
    conn.executemany("INSERT INTO people (id, commune_id, role, full_name, created_at) VALUES (?, ?, ?, ?, ?)", people_rows)
    conn.executemany(
        """INSERT INTO records (person_id, name_folded, date_of_birth, village, category, penalty_type, penalty_months,
                                release_date, probation_end, enrolled_on, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
        record_rows)
    conn.executemany("INSERT INTO assignments (person_id, supervisor_id, assigned_by, started_at) VALUES (?, ?, ?, ?)",
                     assignment_rows)
    # Some returnees on Telegram, to ask questions in the benchmark mix.
    released = [pid for n, pid in enumerate(person_ids) if CATEGORIES[n % len(CATEGORIES)] == "released"]
    for pid in released[:200]:
        conn.execute("INSERT INTO identities (messenger, external_id, chat_id, person_id, created_at) VALUES ('telegram', ?, ?, ?, ?)",
                     (str(tg), str(tg), pid, now))
        returnees.append((pid, tg))
        tg += 1
    rows = []
    statuses = ("stable",) * 8 + ("needs_support", "concern")
    contacts = ("home_visit", "phone_call", "met_at_office", "came_to_report")
    for n in range(checkins):
        pid = person_ids[n % len(person_ids)]
        commune = commune_ids[(pid - first_person) % communes]
        supervisor = supervisors[commune][((pid - first_person) // communes) % supervisors_per_commune][0]
        day = today - timedelta(days=rng.randrange(0, 1000))
        rows.append((f"seed-{n}", pid, supervisor, rng.choice(contacts), rng.choice(statuses), day.isoformat(), now, now))
        if len(rows) == 50_000:
            conn.executemany(
                """INSERT INTO checkins (client_key, person_id, supervisor_id, contact, status, happened_on, created_at,
                                         updated_at) VALUES (?,?,?,?,?,?,?,?)""", rows)
            rows = []
    if rows:
        conn.executemany(
            """INSERT INTO checkins (client_key, person_id, supervisor_id, contact, status, happened_on, created_at,
                                     updated_at) VALUES (?,?,?,?,?,?,?,?)""", rows)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return {"police": police, "supervisors": supervisors, "returnees": returnees, "communes": commune_ids}
