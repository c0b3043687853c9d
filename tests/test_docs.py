"""Documentation stays true: every command is in the README, and every local link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from morrow.cli.app import app

ROOT = Path(__file__).resolve().parent.parent


def command_paths(typer_app: typer.Typer, prefix: str = "morrow") -> list[str]:
    paths = [
        f"{prefix} {command.name or (command.callback.__name__ if command.callback else '')}"
        for command in typer_app.registered_commands
    ]
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        paths += command_paths(group.typer_instance, f"{prefix} {group.name}")
    return paths


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    paths = command_paths(app)
    assert "morrow serve" in paths
    assert "morrow db upgrade" in paths
    missing = [path for path in paths if f"`{path}" not in readme]
    assert missing == []


def test_the_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make run" in head
    assert "make test" in head


def test_local_links_in_the_docs_resolve() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to missing {target}"
