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


def test_the_offline_recipe_runs_without_network_and_its_output_is_the_readmes(
    tmp_path: Path,
) -> None:
    """`python -m enrich.testing run ../shared/seeds ...`, with every proxy pointing nowhere but
    127.0.0.1 exempt: only the local stand-in can answer. Its per-file lines and table rows are
    the README's sample."""
    import os
    import subprocess
    import sys

    from conftest import ROOT, shared_path

    shared_path("seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENRICH_")}
    dead = "http://127.0.0.1:9"  # nothing listens: a request past the stand-in fails
    env |= {"HTTP_PROXY": dead, "HTTPS_PROXY": dead, "ALL_PROXY": dead, "NO_PROXY": "127.0.0.1"}
    out = tmp_path / "seeds.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "enrich.testing", "run", "../shared/seeds", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text("utf-8").count('"status":"enriched"') == 128
    block = README.split("<!-- offline-recipe -->", 1)[1].split("```", 2)[1]
    for line in done.stderr.splitlines():
        line = line.rstrip()
        per_file = line.startswith("../shared/seeds/") and " invalid" in line
        if per_file or line.startswith((" entries", " authors_", " claim_", " version_")):
            assert line in block, line
    assert "arXiv stand-in on http://127.0.0.1:" in done.stderr
