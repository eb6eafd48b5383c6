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
    "apscheduler": ("bot/background",),
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


# ---- the bot's own layers ------------------------------------------------------------------------
# A module may import its own level and the levels below, never one above. The first prefix that
# matches decides. Imports only for type checking (under ``if TYPE_CHECKING:``) are not counted.
LAYERS = [
    ("bot/cli/", 6), ("bot/__main__.py", 6), ("bot/serve.py", 6),  # composition roots
    ("bot/channels/port.py", 0), ("bot/channels/errors.py", 0),  # the messenger port is a contract
    ("handlers/", 5), ("bot/channels/", 5), ("bot/app.py", 5), ("bot/background.py", 5),  # adapters, wiring
    ("bot/runtime/", 4),  # the inbox, the one pipeline, the dispatcher, the web server
    ("bot/flows/", 3), ("bot/reports/", 3),  # conversations; report files
    ("bot/dialog/engine.py", 2),  # runs the flows
    ("bot/services/", 1), ("bot/notices.py", 1),  # use cases; the texts of notices
    ("bot/", 0),  # storage, rules, models, clock, i18n, labels, dialog types
]


def _layer(relative: str) -> int:
    return next(level for prefix, level in LAYERS if relative.startswith(prefix))


def _module_file(module: str) -> str | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ROOT.joinpath(*parts[:n])
        if candidate.with_suffix(".py").exists():
            return str(candidate.with_suffix(".py").relative_to(ROOT))
        if (candidate / "__init__.py").exists():
            return str((candidate / "__init__.py").relative_to(ROOT))
    return None


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                 and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
                 for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, m) for line, m in found if m.split(".")[0] in ("bot", "handlers")]


def test_no_module_imports_from_a_layer_above_its_own():
    upward = []
    for path in SOURCES:
        relative = str(path.relative_to(ROOT))
        for line, module in _runtime_imports(path):
            target = _module_file(module)
            if target is not None and _layer(target) > _layer(relative):
                upward.append(f"{relative}:{line} imports {target}")
    assert upward == []


def test_the_layer_rule_catches_an_upward_import_and_ignores_type_only_ones(tmp_path):
    probe = tmp_path / "probe.py"  # as if it were bot/storage/probe.py
    probe.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import Services\n"
                     "from bot.flows import basics\n", encoding="utf-8")
    [(line, module)] = _runtime_imports(probe)
    assert (line, module) == (4, "bot.flows")
    assert _layer(_module_file(module)) > _layer("bot/storage/probe.py")
