"""The README's command-line examples run as written, in the order a new commune meets them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Examples that serve people or need an operator's own values are run elsewhere (test_cli, test_zalo_oa).
NOT_HERE = ("hoanhap run", "hoanhap console", "hoanhap zalo-oa", "hoanhap ask [", "hoanhap expungement --json [",
            "hoanhap transfer")  # a transfer needs a second commune with police: tests/test_cli.py


def examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = [" ".join(m.split()) for m in re.findall(r"`(hoanhap [^`]+)`", text)]
    return [c for c in found if not c.startswith(NOT_HERE) and c not in ("hoanhap invite",)]


def test_the_readme_examples_run_as_written(tmp_path):
    commands = examples()
    assert sorted(c.split()[1] for c in commands) == ["backup", "cadence", "commune", "commune", "commune", "commune",
                                                      "import", "invite", "invite", "invite", "members", "report"]
    assert commands[0].startswith("hoanhap invite")
    # A code for a person needs them enrolled first: it runs after the import, as an operator would.
    commands = [commands[0]] + [c for c in commands[1:] if "--person" not in c] + [c for c in commands if "--person" in c]
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "HOANHAP_DB": str(tmp_path / "hoanhap.sqlite3"),
           "HOANHAP_TELEGRAM_TOKEN": ""}
    shutil.copy(ROOT / "data" / "import-sample.csv", tmp_path / "people.csv")  # "hoanhap import people.csv"
    (tmp_path / "backups").mkdir()

    def run(command: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, input=stdin, text=True,
                              capture_output=True, timeout=120)

    invite = run(commands[0])  # the first officer's code…
    assert invite.returncode == 0, invite.stderr
    code = invite.stdout.split("code: ", 1)[1].split()[0]
    joined = run("hoanhap console", f"/start {code}\nHoàng Văn Minh\n/quit\n")  # …used, and the name asked
    assert "Cảm ơn Hoàng Văn Minh." in joined.stdout, joined.stdout[-500:]
    for command in commands[1:]:
        done = run(command)
        assert done.returncode == 0, f"{command}: {done.stderr or done.stdout}"
    assert (tmp_path / "out.xlsx").exists() and (tmp_path / "out.png").exists()
    assert len(list((tmp_path / "backups").iterdir())) == 1
