"""The ``hoanhap`` command as a person runs it: separate processes, real files."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import VIETNAM
from tests.support.fake_telegram import FakeTelegramServer


def hoanhap(*args: str, env: dict, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env={**os.environ, **env}, cwd=cwd, input=stdin,
        capture_output=True, text=True, timeout=60,
    )


def test_invite_prints_a_code_then_a_police_officer_uses_it_in_the_console(env, tmp_path):
    before = datetime.now(VIETNAM)
    made = hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    after = datetime.now(VIETNAM)
    assert made.returncode == 0, made.stderr
    code = made.stdout.split("code: ", 1)[1].split()[0]
    # The command runs on the real clock: a week from whenever it ran (a run across midnight included).
    valid_until = {f"valid until: {moment + timedelta(days=7):%d/%m/%Y}" for moment in (before, after)}
    assert any(line in made.stdout for line in valid_until)  # Vietnam time, dd/mm/yyyy

    chat = hoanhap("console", env=env, cwd=tmp_path,  # invited without --name: the officer is asked it first
                   stdin=f"/start {code}\nHoàng Văn Minh\n/invite\n1\nVi Văn Tám\n/quit\n")

    assert chat.returncode == 0, chat.stderr
    assert "Chào mừng! Anh/chị đã đăng ký với vai trò cán bộ Công an xã (Xã Mẫu Sơn)." in chat.stdout
    assert "Họ và tên đầy đủ của anh/chị?" in chat.stdout and "Cảm ơn Hoàng Văn Minh." in chat.stdout
    assert "1. Tổ viên Tổ bảo vệ an ninh, trật tự" in chat.stdout
    assert "Mã mời cho tổ viên Tổ bảo vệ an ninh, trật tự" in chat.stdout


def test_the_console_demo_lets_you_switch_between_people(tmp_path):
    env = {"HOANHAP_DB": str(tmp_path / "demo.sqlite3")}
    chat = hoanhap("console", "--demo", env=env, cwd=tmp_path,
                   stdin="/whoami\n/help\n/as returnee1\n/whoami\n/help\n/invite\n/as stranger\nhello\n/quit\n")

    assert chat.returncode == 0, chat.stderr
    assert "police1 (police)" in chat.stdout and "returnee1 (returnee)" in chat.stdout
    assert "Cán bộ Công an xã có thể" in chat.stdout
    assert "Tại đây anh/chị có thể:\n     /me " in chat.stdout  # a returnee's own list
    assert "chức năng này không dành cho anh/chị" in chat.stdout  # a returnee cannot /invite
    assert "Để sử dụng, anh/chị cần mã mời" in chat.stdout  # a stranger is told how to get in


def test_the_demo_commune_has_people_enrolled_assigned_checked_in_and_an_open_alert(tmp_path):
    env = {"HOANHAP_DB": str(tmp_path / "demo.sqlite3")}
    chat = hoanhap("console", "--demo", env=env, cwd=tmp_path,
                   stdin="/as returnee1\n/me\n/as supervisor1\n/mylist\n/as police1\n/alerts\n/quit\n")
    assert chat.returncode == 0, chat.stderr
    assert "stranger" in chat.stdout.splitlines()[1]  # listed among the demo people
    assert "Diện của anh/chị: án treo." in chat.stdout  # a returnee has a record
    assert "Anh/chị đang giúp đỡ 2 người" in chat.stdout  # a supervisor has people assigned
    assert "Cảnh báo đang mở:" in chat.stdout and "có dấu hiệu đáng lo ngại · mới" in chat.stdout
    again = hoanhap("console", "--demo", env=env, cwd=tmp_path, stdin="/as supervisor1\n/mylist\n/quit\n")
    assert "Anh/chị đang giúp đỡ 2 người" in again.stdout  # a second run reuses the demo, nothing doubled


async def test_invite_learns_the_deep_link_from_telegram_when_a_token_is_set(env, tmp_path, api):
    server = await FakeTelegramServer(api).start()
    try:
        made = await asyncio.to_thread(
            hoanhap, "invite", "--role", "police", "--commune", "Xã Mẫu Sơn",
            env={**env, "HOANHAP_TELEGRAM_BASE_URL": server.base_url}, cwd=tmp_path,
        )
    finally:
        await server.stop()
    code = made.stdout.split("code: ", 1)[1].split()[0]
    assert f"link: https://t.me/HoaNhapTestBot?start={code.replace('-', '')}" in made.stdout


def test_backup_copies_the_database(env, tmp_path):
    hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)

    done = hoanhap("backup", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    import sqlite3

    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT count(*) FROM invites").fetchone()[0] == 1
    copy.close()
    # Sensitive personal data: the database, its write-ahead log and the copy are the owner's only.
    database = Path(env["HOANHAP_DB"])
    for file in (database, Path(f"{database}-wal"), tmp_path / "copy.sqlite3"):
        if file.exists() or file == database:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_a_backup_of_a_damaged_database_fails_loudly_and_leaves_no_copy(env, tmp_path):
    import sqlite3

    database = Path(env["HOANHAP_DB"])
    hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    with sqlite3.connect(database) as conn:  # enough rows to fill a few pages of one table
        conn.executemany("INSERT INTO bot_meta (key, value) VALUES (?, ?)", [(f"k{i}", "x" * 200) for i in range(300)])
    sqlite3.connect(database).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    with sqlite3.connect(database) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'bot_meta'").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(database, "r+b") as file:  # a disk error in the middle of that table's root page
        file.seek((root - 1) * page_size + 8)
        file.write(b"\xff" * 64)

    done = hoanhap("backup", str(tmp_path / "copy.sqlite3"), env=env, cwd=tmp_path)

    assert done.returncode == 1 and "damaged" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "backup written" not in done.stdout and not (tmp_path / "copy.sqlite3").exists()


def test_a_configuration_error_names_the_variable_and_exits_2(tmp_path):
    done = hoanhap("run", env={"HOANHAP_TELEGRAM_TOKEN": "", "HOANHAP_DB": str(tmp_path / "x.sqlite3")}, cwd=tmp_path)

    assert done.returncode == 2
    assert "HOANHAP_TELEGRAM_TOKEN" in done.stderr and "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_accepts_only_the_secret_token(env, tmp_path, api):
    server = await FakeTelegramServer(api).start()
    port = _free_port()
    child_env = {
        **os.environ, **env, "HOANHAP_TELEGRAM_BASE_URL": server.base_url,
        "HOANHAP_HTTP_LISTEN": "127.0.0.1", "HOANHAP_HTTP_PORT": str(port),
        "HOANHAP_WEBHOOK_SECRET": "s3cret-webhook-token",
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook", f"http://127.0.0.1:{port}",
        env=child_env, cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    update = {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "A"}, "text": "xin chào"}}
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    wrong = await client.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                              headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert wrong.status_code == 403
            right = await client.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-webhook-token"})
            assert right.status_code == 200
        [reply] = await api.wait_sent(42)
        assert reply.text.startswith("Xin chào! Đây là Hòa Nhập")
        [webhook_call] = [p for m, p in api.calls if m == "setWebhook"]
        assert webhook_call["url"] == f"http://127.0.0.1:{port}/telegram"
        assert webhook_call["secret_token"] == "s3cret-webhook-token"
    finally:
        bot.terminate()
        _, stderr = await asyncio.wait_for(bot.communicate(), 20)
        await server.stop()
    assert "s3cret-webhook-token" not in stderr.decode() and api.token not in stderr.decode()


def test_commune_settings_and_the_head_of_police_from_the_command_line(env, tmp_path):
    made = hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", "--name", "Hoàng Văn Minh", env=env,
                   cwd=tmp_path)
    code = made.stdout.split("code: ", 1)[1].split()[0]
    hoanhap("console", env=env, cwd=tmp_path, stdin=f"/start {code}\n/quit\n")

    done = hoanhap("commune", "--commune", "xa mau son", "--quiet", "22:00-06:30", "--escalate-after", "120", "--head",
                   "hoang van minh", env=env, cwd=tmp_path)  # a commune is named as in every other command
    assert done.returncode == 0, done.stderr
    assert "quiet_start: 22:00" in done.stdout and "escalate_after_minutes: 120" in done.stdout

    assert hoanhap("commune", "Xã Mẫu Sơn", "--quiet", "25:00-07:00", env=env, cwd=tmp_path).returncode == 2
    missing = hoanhap("commune", "Xã Mẫu Sơn", "--head", "Nobody", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "Nobody" in missing.stderr
    import sqlite3

    conn = sqlite3.connect(env["HOANHAP_DB"])
    assert conn.execute("SELECT full_name FROM people WHERE is_head = 1").fetchall() == [("Hoàng Văn Minh",)]
    conn.close()


async def test_a_second_process_on_the_same_database_refuses_to_start(env, tmp_path, api):
    server = await FakeTelegramServer(api).start()
    child_env = {**os.environ, **env, "HOANHAP_TELEGRAM_BASE_URL": server.base_url}
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=child_env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(400):  # until the first one serves (it polls)
            if api.polls:
                break
            await asyncio.sleep(0.05)
        assert api.polls
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=child_env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(second.communicate(), 30)
        assert second.returncode == 2
        assert "already serving this database" in err.decode() and "Traceback" not in err.decode()
        console = hoanhap("console", env=env, cwd=tmp_path, stdin="/help\n/quit\n")
        assert console.returncode == 2 and "already serving this database" in console.stderr
    finally:
        first.terminate()
        await asyncio.wait_for(first.communicate(), 20)
        await server.stop()
    # once the first has stopped, the database is free again
    again = hoanhap("console", env=env, cwd=tmp_path, stdin="/quit\n")
    assert again.returncode == 0, again.stderr


async def test_a_token_the_messenger_refuses_stops_the_start_with_one_clear_line(env, tmp_path, api):
    server = await FakeTelegramServer(api).start()
    try:
        refused = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env={**os.environ, **env, "HOANHAP_TELEGRAM_BASE_URL": server.base_url,
                 "HOANHAP_TELEGRAM_TOKEN": "999:not-the-token"},
            cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(refused.communicate(), 30)
    finally:
        await server.stop()
    assert refused.returncode == 2
    assert "HOANHAP_TELEGRAM_TOKEN was refused by Telegram" in err.decode() and "Traceback" not in err.decode()
    assert "not-the-token" not in err.decode()


@pytest.mark.parametrize("where, says", [
    ("exists.sqlite3", "already exists"),
    ("no-such-folder/copy.sqlite3", "no folder"),
])
def test_a_backup_that_cannot_be_written_says_why_in_one_line(env, tmp_path, where, says):
    (tmp_path / "exists.sqlite3").write_text("keep me")
    done = hoanhap("backup", str(tmp_path / where), env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert says in done.stderr
    assert (tmp_path / "exists.sqlite3").read_text() == "keep me"


def test_the_console_writes_files_to_a_private_output_folder_and_says_where(tmp_path):
    import stat

    env = {"HOANHAP_DB": str(tmp_path / "c.sqlite3"), "HOANHAP_TELEGRAM_TOKEN": "",
           "HOANHAP_OUTPUT_DIR": str(tmp_path / "out")}
    work = tmp_path / "repo"
    work.mkdir()
    made = hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", "--name", "Hoàng Văn Minh", env=env,
                   cwd=work)
    code = made.stdout.split("code: ", 1)[1].split()[0]
    done = hoanhap("console", env=env, cwd=work, stdin=f"/start {code}\n/mydata\n/quit\n")
    written = list((tmp_path / "out").iterdir())
    assert len(written) == 1 and f"📎 {written[0]}" in done.stdout
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert list(work.iterdir()) == []  # nothing in the folder the console was started from


def test_a_returnee_code_from_the_command_line_is_tied_to_their_record(env, tmp_path):
    from pathlib import Path

    untied = hoanhap("invite", "--role", "returnee", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    assert untied.returncode == 2 and "--person" in untied.stderr and len(untied.stderr.strip().splitlines()) == 1
    sample = Path(__file__).resolve().parent.parent / "data" / "import-sample.csv"
    assert hoanhap("import", str(sample), "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path).returncode == 0
    nobody = hoanhap("invite", "--role", "family", "--commune", "Xã Mẫu Sơn", "--person", "Trần Văn Không",
                     env=env, cwd=tmp_path)
    assert nobody.returncode == 2 and "no one named" in nobody.stderr

    made = hoanhap("invite", "--role", "returnee", "--commune", "Xã Mẫu Sơn", "--person", "nong van binh",
                   env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    code = made.stdout.split("code: ", 1)[1].split()[0]
    chat = hoanhap("console", env=env, cwd=tmp_path, stdin=f"/start {code}\n/me\n/quit\n")
    assert "thử thách kết thúc ngày 10/01/2028" in chat.stdout  # their own record, at once


def test_a_provincial_officer_belongs_to_a_province_not_to_a_commune_named_after_it(env, tmp_path):
    mistaken = hoanhap("invite", "--role", "province", "--commune", "Tỉnh Lạng Sơn", env=env, cwd=tmp_path)
    assert mistaken.returncode == 2 and "--province" in mistaken.stderr
    assert len(mistaken.stderr.strip().splitlines()) == 1

    made = hoanhap("invite", "--role", "province", "--province", "Tỉnh Lạng Sơn", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "role: province, province: Tỉnh Lạng Sơn" in made.stdout
    # The province is not a commune: no commune settings, no commune report under its name.
    as_commune = hoanhap("commune", "--commune", "Tỉnh Lạng Sơn", env=env, cwd=tmp_path)
    assert as_commune.returncode == 2 and "not found" in as_commune.stderr
    wrong_way = hoanhap("invite", "--role", "police", "--commune", "Tỉnh Lạng Sơn", env=env, cwd=tmp_path)
    assert wrong_way.returncode == 2 and "province" in wrong_way.stderr

    assert hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path).returncode == 0
    attached = hoanhap("commune", "--commune", "Xã Mẫu Sơn", "--province", "Tỉnh Lạng Sơn", env=env, cwd=tmp_path)
    assert attached.returncode == 0, attached.stderr
    report = hoanhap("report", "--province", "tinh lang son", "--from", "01/01/2026", "--to", "30/06/2026",
                     env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert report.stdout.startswith("Báo cáo Tỉnh Lạng Sơn, từ 01/01/2026 đến 30/06/2026")


def test_the_operator_lists_members_and_cancels_a_code_from_the_command_line(env, tmp_path):
    made = hoanhap("invite", "--role", "police", "--commune", "Xã Mẫu Sơn", "--name", "Hoàng Văn Minh", env=env, cwd=tmp_path)
    code = made.stdout.split("code: ", 1)[1].split()[0]
    hoanhap("console", env=env, cwd=tmp_path, stdin=f"/start {code}\n/quit\n")
    spare = hoanhap("invite", "--role", "supervisor", "--commune", "Xã Mẫu Sơn", "--name", "Hà Văn Mới", env=env, cwd=tmp_path)
    spare_code = spare.stdout.split("code: ", 1)[1].split()[0]

    listed = hoanhap("members", "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t")[1:] == ["police", "Hoàng Văn Minh", "console"]
    invite_id = next(line.split("\t")[0].split()[1] for line in lines if "Hà Văn Mới" in line)
    cancelled = hoanhap("members", "--commune", "Xã Mẫu Sơn", "--cancel-invite", invite_id, env=env, cwd=tmp_path)
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
    chat = hoanhap("console", env=env, cwd=tmp_path, stdin=f"/as newcomer\n/start {spare_code}\n/quit\n")
    assert "Mã này đã bị Công an xã hủy" in chat.stdout

    nobody = hoanhap("members", "--commune", "Xã Mẫu Sơn", "--deactivate", "999", env=env, cwd=tmp_path)
    assert nobody.returncode == 2 and len(nobody.stderr.strip().splitlines()) == 1


def test_a_transfer_from_the_command_line_moves_the_record_and_says_why_not_when_it_cannot(env, tmp_path):
    for commune in ("Xã Mẫu Sơn", "Xã Khác"):
        assert hoanhap("invite", "--role", "police", "--commune", commune, env=env, cwd=tmp_path).returncode == 0
    sample = Path(__file__).resolve().parent.parent / "data" / "import-sample.csv"
    assert hoanhap("import", str(sample), "--commune", "Xã Mẫu Sơn", env=env, cwd=tmp_path).returncode == 0

    moved = hoanhap("transfer", "--person", "Nông Văn Bình", "--from", "Xã Mẫu Sơn", "--to", "Xã Khác",
                    env=env, cwd=tmp_path)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("Nông Văn Bình transferred to Xã Khác")
    again = hoanhap("transfer", "--person", "Nông Văn Bình", "--from", "Xã Mẫu Sơn", "--to", "Xã Khác",
                    env=env, cwd=tmp_path)
    assert again.returncode == 2 and again.stderr.strip() == "hoanhap: not found: Nông Văn Bình"
