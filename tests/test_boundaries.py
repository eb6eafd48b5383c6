"""Which packages may import the messenger, the database driver, the scheduler and Babel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "telegram": ("handlers/",),
    "aiosqlite": ("bot/storage/",),
    "babel": ("bot/i18n.py",),
    "apscheduler": ("bot/scheduler",),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


SOURCES = sorted(p for pkg in ("bot", "handlers") for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_stay_inside_their_layer(path):
    relative = str(path.relative_to(ROOT))
    for module, places in ALLOWED.items():
        if module in _imports(path):
            assert relative.startswith(places), f"{relative} imports {module}"


def test_sql_lives_in_storage():
    sql = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM")
    offenders = [
        str(p.relative_to(ROOT)) for p in SOURCES
        if not str(p.relative_to(ROOT)).startswith("bot/storage/")
        and any(word in p.read_text(encoding="utf-8") for word in sql)
    ]
    assert offenders == []
