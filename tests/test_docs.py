"""Docs that cannot drift: every command and option in the README, every setting documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from enrich.cli import cli
from enrich.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def _commands() -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in cli.commands.items():  # type: ignore[attr-defined]
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            out.append((name, command))
    return out


def test_readme_opens_with_the_two_setup_commands() -> None:
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert "enrich run" in block[0]
    assert "pytest" in block[1]
    ci = (ROOT / ".ci/run").read_text("utf-8")
    assert block[1] in ci  # CI runs exactly the README's test command


@pytest.mark.parametrize(("name", "command"), _commands())
def test_every_command_and_option_is_in_the_readme(name: str, command: click.Command) -> None:
    head = name.split()[0]
    assert f"enrich {head}" in README or f"`enrich {name.replace(' ', ' ')}" in README
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(opt in README for opt in param.opts), f"{name}: {param.opts} undocumented"


def test_every_setting_is_in_the_readme_table() -> None:
    for key in Settings.model_fields:
        assert f"| `{key}` |" in README, key
