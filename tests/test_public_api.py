"""The public surface: a sorted __all__, every name importable, nothing else advertised."""

from __future__ import annotations

import subprocess
import sys

import enrich


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert enrich.__all__ == sorted(enrich.__all__)
    for name in enrich.__all__:
        assert getattr(enrich, name) is not None, name


def test_importing_the_package_and_the_cli_stays_light() -> None:
    heavy = ("httpx", "lxml", "pydantic", "rich", "diskcache")
    code = f"import sys, enrich.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""  # heavy modules load only when a command needs them


def test_the_text_rules_load_when_asked_for() -> None:
    """enrich.text names each rule's home and loads it on first use: every name advertised
    resolves to its home's own object, and a module needing one rule loads no other."""
    import enrich.text
    from enrich.text import authors, markup, vocabulary

    homes = {"authors": authors, "markup": markup, "vocabulary": vocabulary}
    assert sorted(enrich.text.__all__) == sorted(enrich.text._HOMES)
    for name in enrich.text.__all__:
        assert getattr(enrich.text, name) is getattr(homes[enrich.text._HOMES[name]], name)
    code = "import sys, enrich.text.markup; print('enrich.text.authors' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
