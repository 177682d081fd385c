"""The `enrich` command: options -> settings -> library -> report. Errors become exit codes here.

Exit status: 0 finished; 1 a conflict at or above --fail-on; 2 bad usage, unreadable input or
invalid settings; 3 finished, but some entries could not be looked up (status "unavailable").
Heavy modules are imported inside the commands so that `enrich --help` starts fast.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from enrich import __version__

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


class Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _settings_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--config", type=click.Path(dir_okay=False), help="Settings file (TOML)."),
        click.option("--api-url", help="arXiv API endpoint (default: export.arxiv.org)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache folder."),
        click.option("--offline", is_flag=True, default=None, help="Answer from the cache only."),
        click.option("--refresh", is_flag=True, default=None, help="Ignore cached answers."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary."),
        click.option("-v", "--verbose", is_flag=True, help="Log each request to arXiv."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _load(kwargs: dict[str, Any]) -> Any:
    from enrich.settings import load_settings

    settings = load_settings(
        kwargs.pop("config", None),
        api_url=kwargs.pop("api_url", None),
        cache_dir=kwargs.pop("cache_dir", None),
        offline=kwargs.pop("offline", None),
        refresh=kwargs.pop("refresh", None),
    )
    if kwargs.pop("verbose", False):
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="enrich")
def cli() -> None:
    """Check and repair arXiv paper digests against the arXiv API."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", help="Write JSONL here (default: standard output).")
@click.option("--format", "fmt", help="Skip sniffing: parse every file as this format.")
@click.option("-q", "--quiet", is_flag=True, help="No per-file summary.")
def ingest(paths: tuple[str, ...], out: str | None, fmt: str | None, quiet: bool) -> None:
    """Parse and validate digests: one DigestEntry per JSONL line, nothing looked up.

    PATHS are files or folders (searched recursively for .md .markdown .txt .html .htm .bib .xml).
    """
    from enrich.ingest import FileReport, iter_entries
    from enrich.outputs import output_file

    reports: list[FileReport] = []
    with output_file(out, inputs=paths) as stream:  # never an input; renamed into place at the end
        for entry in iter_entries(paths, format=fmt, on_file=reports.append):
            stream.write(entry.model_dump_json() + "\n")
    if not quiet:
        from enrich.report.terminal import print_file_reports

        print_file_reports(reports, sys.stderr)
    if any(r.error for r in reports):
        raise Exit(EXIT_USAGE)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", help="Write enriched JSONL here (default: standard output).")
@click.option(
    "--report",
    "reports",
    multiple=True,
    help="Write a report; the suffix picks the kind: .json, .md or .html. Repeatable.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["warning", "error"]),
    help="Exit 1 when a conflict of this severity or worse is found.",
)
@click.option("--format", "fmt", help="Skip sniffing: parse every digest as this format.")
@click.option("--fix-dir", type=click.Path(file_okay=False), help="Write corrected digests here.")
@click.option("--fix", is_flag=True, help="Write the corrections into the digests themselves.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the corrections.")
@_settings_options
def run(**kwargs: Any) -> None:
    """Enrich every entry of INPUTS (digest files, folders, or an `enrich ingest` JSONL)."""
    from enrich.runner import run_command

    settings = _load(kwargs)
    code = run_command(settings=settings, **kwargs)
    raise Exit(code)


@cli.group()
def cache() -> None:
    """Inspect or empty the on-disk cache of arXiv answers."""


@cache.command("stats")
@_settings_options
def cache_stats(**kwargs: Any) -> None:
    """Show what the cache holds."""
    from enrich.arxiv import open_cache

    settings = _load(kwargs)
    with open_cache(settings) as store:
        stats = store.stats()
    for key, value in dataclasses.asdict(stats).items():
        if value is not None:
            click.echo(f"{key}: {value}")


@cache.command("clear")
@_settings_options
def cache_clear(**kwargs: Any) -> None:
    """Remove every cached answer."""
    from enrich.arxiv import open_cache

    settings = _load(kwargs)
    with open_cache(settings) as store:
        removed = store.clear()
    click.echo(f"removed {removed} cached answers from {settings.cache_dir}")


@cli.command()
def formats() -> None:
    """List the digest formats `--format` accepts."""
    from enrich.digests import all_formats

    for name, fmt in sorted(all_formats().items()):
        click.echo(f"{name:28} {fmt.description}")


def _guard(fn: Callable[[], None]) -> Callable[[], int]:
    @functools.wraps(fn)
    def wrapper() -> int:
        from enrich.errors import EnrichError

        try:
            fn()
        except Exit as done:
            return done.code
        except click.exceptions.Exit as done:
            return int(done.exit_code)
        except click.ClickException as exc:
            exc.show()
            return EXIT_USAGE
        except click.Abort:
            click.echo("aborted", err=True)
            return 130
        except EnrichError as exc:
            click.echo(f"enrich: error: {exc}", err=True)
            return EXIT_USAGE
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            return 130
        return EXIT_OK

    return wrapper


@_guard
def _invoke() -> None:
    cli.main(standalone_mode=False)


def main() -> None:
    sys.exit(_invoke())


if __name__ == "__main__":
    main()
