"""The apps depend one way, as the README's architecture section draws
them: import-linter's « layers » contract in pyproject.toml, run here so
that a wrong-way import (at module level or inside a function) fails the
suite with the import chain that breaks it."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_apps_depend_one_way(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out
