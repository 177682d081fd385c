"""The `enrich` command: options -> settings -> library -> report. Exit codes are decided here.

Exit status: 0 finished; 1 a conflict at or above --fail-on; 2 bad usage, unreadable input, no
entries at all, or invalid settings; 3 finished, but some entries could not be looked up (status
"unavailable"). Heavy modules are imported inside the commands so that `enrich --help` starts fast.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from enrich import __version__

if TYPE_CHECKING:
    from enrich.runner import RunOutcome

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


class Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class FormatName(click.ParamType[str]):
    """A digest format name; the choices are read from the registry only when needed."""

    name = "format"

    def _names(self) -> list[str]:
        from enrich.digests import all_formats

        return sorted(all_formats())

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        names = self._names()
        if value not in names:
            self.fail(f"{value!r} is not a format; `enrich formats` lists them", param, ctx)
        return value


class _FormatOption(click.Option):
    """--format, whose help lists the registry's names, read only when help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        names = ", ".join(FormatName()._names())
        self.help = f"Skip sniffing and read every input as NAME, one of: {names}."
        return super().get_help_record(ctx)


def _format_help(prefix: str) -> str:
    return f"{prefix} NAME is one of `enrich formats`."


_CONFIG = click.option(
    "--config", type=click.Path(dir_okay=False), metavar="FILE", help="Settings file (TOML)."
)
_CACHE_DIR = click.option(
    "--cache-dir", type=click.Path(file_okay=False), metavar="DIR", help="Cache folder."
)
_NETWORK = [
    click.option(
        "--api-url", metavar="URL", help="arXiv API endpoint (default: export.arxiv.org)."
    ),
    click.option("--offline", is_flag=True, default=None, help="Answer from the cache only."),
    click.option("--refresh", is_flag=True, default=None, help="Ignore cached answers."),
]
_QUIET = click.option("-q", "--quiet", is_flag=True, help="No progress line, no summary.")
_VERBOSE = click.option(
    "-v", "--verbose", is_flag=True, help="Log each request to arXiv and the cache hits."
)


def _options(*options: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return apply


def _load(kwargs: dict[str, Any]) -> Any:
    from enrich.settings import load_settings

    settings = load_settings(
        kwargs.pop("config", None),
        api_url=kwargs.pop("api_url", None),
        cache_dir=kwargs.pop("cache_dir", None),
        offline=kwargs.pop("offline", None),
        refresh=kwargs.pop("refresh", None),
        server=kwargs.pop("server", None),
        oai_url=kwargs.pop("oai_url", None),
        mirror_path=kwargs.pop("mirror_path", None),
    )
    if kwargs.pop("verbose", False):
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # our own lines say more
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="enrich")
def cli() -> None:
    """Check and repair arXiv paper digests against the arXiv API.

    \b
    Examples:
      enrich run digests/ --out out/run.jsonl --report out/review.html
      enrich ingest digests/ | enrich run - --out out/run.jsonl
      enrich run digests/ --fix-dir out/fixed
      python -m enrich.testing serve --seeds ../shared/seeds   # a local arXiv, offline
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--out", "out", metavar="FILE", help="Write JSONL here (default: standard output).")
@click.option(
    "--format", "fmt", type=FormatName(), cls=_FormatOption, help=_format_help("Skip sniffing.")
)
@click.option("-q", "--quiet", is_flag=True, help="No per-file summary.")
def ingest(paths: tuple[str, ...], out: str | None, fmt: str | None, quiet: bool) -> None:
    """Parse and validate digests: one DigestEntry per JSONL line, nothing looked up.

    PATH is a file, a folder (searched recursively for .md .markdown .txt .html .htm .bib .bbl
    .xml .ris .csv .tsv .json .org .rst; the content decides the reader), or - for standard input.

    \b
    Examples:
      enrich ingest digests/ --out out/entries.jsonl
      curl -s https://example.org/digest.md | enrich ingest - > entries.jsonl
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
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--out", "out", metavar="FILE", help="Write enriched JSONL here (default: standard output)."
)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FILE",
    help="Write a report; the suffix picks the kind: .json, .md or .html. Repeatable.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["warning", "error"]),
    help="Exit 1 when a conflict of this severity or worse is found (and name them).",
)
@click.option(
    "--format", "fmt", type=FormatName(), cls=_FormatOption, help=_format_help("Skip sniffing.")
)
@click.option(
    "--fix-dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write corrected copies of the digests here.",
)
@click.option(
    "--fix", is_flag=True, help="Write the corrections into the digests themselves (atomically)."
)
@click.option(
    "--diff", is_flag=True, help="Print a unified diff of the corrections (needs --out FILE)."
)
@click.option(
    "--server", metavar="URL", help="Send the look-ups to this running `enrich serve` instead."
)
@_options(_CONFIG, *_NETWORK, _CACHE_DIR, _QUIET, _VERBOSE)
def run(
    inputs: tuple[str, ...],
    out: str | None,
    reports: tuple[str, ...],
    fail_on: str | None,
    fmt: str | None,
    fix_dir: str | None,
    fix: bool,
    diff: bool,
    quiet: bool,
    **settings_options: Any,
) -> None:
    """Enrich every entry of INPUT (digest files, folders, an `enrich ingest` JSONL, or - for
    standard input, digest text or JSONL told apart by content).

    \b
    Examples:
      enrich run digests/ --out out/run.jsonl --report out/review.html
      enrich ingest digests/ | enrich run - --out out/run.jsonl
      enrich run digests/ --out out/run.jsonl --diff > fixes.patch   # git apply fixes.patch
      enrich run digests/ --fix-dir out/fixed --fail-on error -q
    """
    verbose = bool(settings_options.get("verbose"))
    settings = _load(settings_options)
    settings, client = _lookup_process_now(settings, inputs)
    try:
        from enrich.report.terminal import print_outcome, progress_line
        from enrich.runner import run_command

        show_progress = not quiet and sys.stderr.isatty()
        announce = not quiet and not verbose  # -v logs the same lines itself
        with progress_line(show_progress, sys.stderr, announce_waits=announce) as progress:
            outcome = run_command(
                settings=settings,
                inputs=inputs,
                stdout=sys.stdout,
                out=out,
                reports=reports,
                fmt=fmt,
                fix_dir=fix_dir,
                fix=fix,
                diff=diff,
                progress=progress,
                client=client,
            )
    finally:
        if client is not None:  # done already when the run got that far (a second close: none)
            client.close()
    code, why = exit_status(outcome, fail_on, inputs)
    print_outcome(outcome, sys.stderr, quiet=quiet, why=why)
    raise Exit(code)


def _lookup_process_now(settings: Any, inputs: Sequence[str]) -> tuple[Any, Any]:
    """The settings and the run's look-up source, opened before the rest of the run is loaded
    when it looks up in a process of its own (enrich.arxiv.backends.wants_lookup_process): the
    process starts (forked, see enrich/arxiv/process.py) and loads its HTTP client while this
    one loads the comparison, so that the first request goes out about 0.2 s sooner. None
    otherwise: the pipeline opens its source itself, told the choice made here (`auto`
    decided: the input's folders are not walked again for their size)."""
    from enrich.arxiv.backends import open_lookup_source, wants_lookup_process

    if not wants_lookup_process(settings, inputs):
        if settings.lookup_process == "auto":
            settings = settings.model_copy(update={"lookup_process": "off"})
        return settings, None
    return settings, open_lookup_source(settings, process=True)


def exit_status(
    outcome: RunOutcome, fail_on: str | None, inputs: Sequence[str]
) -> tuple[int, str | None]:
    """The exit status of a run and, when it is not 0, the line that says why."""
    if outcome.unreadable:
        return EXIT_USAGE, None  # each unreadable file has its own line already
    if outcome.summary.entries == 0:
        return EXIT_USAGE, _nothing_found(outcome, inputs)
    if fail_on:
        hits = outcome.at_or_above(fail_on)
        if hits:
            named = ", ".join(f"{n} {kind}" for kind, n in hits.items())
            return EXIT_FAIL_ON, f"enrich: failing on {fail_on} or worse: {named}"
    if outcome.summary.statuses.get("unavailable"):
        return EXIT_UNAVAILABLE, None  # said by print_outcome in any case
    return EXIT_OK, None


def _nothing_found(outcome: RunOutcome, inputs: Sequence[str]) -> str:
    from enrich.ingest import DIGEST_SUFFIXES

    where = ", ".join(inputs)
    if not outcome.files:
        suffixes = " ".join(sorted(DIGEST_SUFFIXES))
        return f"enrich: no entries: no digest files in {where} (searched for {suffixes} .jsonl)"
    names = [f.path for f in outcome.files[:3]] + (["..."] if len(outcome.files) > 3 else [])
    n = len(outcome.files)
    return (
        f"enrich: no entries: {n} file{'s' if n != 1 else ''} read in {where} "
        f"({', '.join(names)}), none with an arXiv id"
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@_options(_CONFIG, *_NETWORK, _CACHE_DIR, _VERBOSE)
def serve(host: str, port: int, **settings_options: Any) -> None:
    """Run the enrichment service (HTTP): one arXiv budget for every caller.

    \b
    Examples:
      enrich serve --port 8080
      ENRICH_REDIS_URL=redis://127.0.0.1:6379/0 enrich serve --port 8081
    """
    from enrich.serve.run import serve as run_service

    run_service(_load(settings_options), host, port)


@cli.group()
def cache() -> None:
    """Inspect or empty the on-disk cache of arXiv answers."""


@cache.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on standard output.")
@_options(_CONFIG, _CACHE_DIR)
def cache_stats(as_json: bool, **settings_options: Any) -> None:
    """Show what the cache holds.

    \b
    Examples:
      enrich cache stats
      enrich cache stats --json --cache-dir /tmp/enrich-cache
    """
    import dataclasses
    import json

    from enrich.arxiv.backends import open_record_cache

    settings = _load(settings_options)
    with open_record_cache(settings) as store:
        stats = store.stats()
    fields = {k: v for k, v in dataclasses.asdict(stats).items() if v is not None}
    if not settings.redis_url:
        fields["path"] = str(settings.cache_dir.resolve())
    if as_json:
        click.echo(json.dumps(fields, default=str, sort_keys=True))
        return
    for key, value in fields.items():
        click.echo(f"{key}: {value}")


@cache.command("clear")
@_options(_CONFIG, _CACHE_DIR)
def cache_clear(**settings_options: Any) -> None:
    """Remove every cached answer.

    \b
    Example:
      enrich cache clear --cache-dir /tmp/enrich-cache
    """
    from enrich.arxiv.backends import open_record_cache
    from enrich.arxiv.cache import remove_damaged
    from enrich.errors import CacheCorrupted

    settings = _load(settings_options)
    try:
        store = open_record_cache(settings)
    except CacheCorrupted as exc:  # no database to empty: the damaged file goes
        files = remove_damaged(settings.cache_dir)
        names = ", ".join(p.name for p in files)
        click.echo(f"removed the damaged cache database ({names}) from {settings.cache_dir}: {exc}")
        return
    with store:
        removed = store.clear()
        where = str(store.path) if settings.redis_url else str(settings.cache_dir.resolve())
    click.echo(f"removed {removed} cached answers from {where}")


_MIRROR_PATH = click.option(
    "--mirror-path", type=click.Path(dir_okay=False), metavar="FILE", help="Mirror database."
)


@cli.group()
def mirror() -> None:
    """The local arXiv mirror: look-ups ask it before the cache and the API."""


@mirror.command("sync")
@click.option(
    "--set", "set_spec", metavar="SET", help="Only this OAI-PMH set (cs, physics:hep-th)."
)
@click.option("--from", "from_day", metavar="DAY", help="List changes from this day (YYYY-MM-DD).")
@click.option("--oai-url", metavar="URL", help="OAI-PMH endpoint (default: oaipmh.arxiv.org).")
@_options(_CONFIG, _CACHE_DIR, _MIRROR_PATH, _QUIET, _VERBOSE)
def mirror_sync(set_spec: str | None, from_day: str | None, quiet: bool, **options: Any) -> None:
    """Harvest arXiv's OAI-PMH arXivRaw records changed since the last sync (resumable).

    \b
    Examples:
      enrich mirror sync --set cs
      enrich mirror sync --from 2026-11-01
    """
    from enrich.errors import ArxivUnavailable
    from enrich.mirror.commands import sync_command

    settings = _load(options)
    try:
        sync_command(settings, set_spec=set_spec, from_day=from_day, quiet=quiet)
    except ArxivUnavailable as exc:
        click.echo(
            f"enrich: sync stopped: {exc}; what was harvested is kept, run it again to resume",
            err=True,
        )
        raise Exit(EXIT_UNAVAILABLE) from None


@mirror.command("import")
@click.argument("file", metavar="FILE")
@_options(_CONFIG, _CACHE_DIR, _MIRROR_PATH, _QUIET, _VERBOSE)
def mirror_import(file: str, quiet: bool, **options: Any) -> None:
    """Import the arXiv metadata snapshot (JSON lines, plain or gzip).

    \b
    Example:
      enrich mirror import arxiv-metadata-oai-snapshot.json
    """
    from enrich.mirror.commands import import_command

    import_command(_load(options), path=file, quiet=quiet)


@mirror.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on standard output.")
@_options(_CONFIG, _CACHE_DIR, _MIRROR_PATH)
def mirror_stats(as_json: bool, **options: Any) -> None:
    """Show what the mirror holds and how fresh it is.

    \b
    Example:
      enrich mirror stats --json
    """
    import json

    from enrich.mirror.commands import mirror_stats as read_stats

    fields = read_stats(_load(options))
    if as_json:
        click.echo(json.dumps(fields, default=str, sort_keys=True))
        return
    for key, value in fields.items():
        click.echo(f"{key}: {value}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per format, per line.")
def formats(as_json: bool) -> None:
    """List the digest formats `--format` accepts.

    \b
    Examples:
      enrich formats
      enrich formats --json | jq -r .name
    """
    import json

    from enrich.digests import all_formats

    for name, fmt in sorted(all_formats().items()):
        if as_json:
            click.echo(json.dumps({"name": name, "description": fmt.description}))
        else:
            click.echo(f"{name:28} {fmt.description}")


def _guard(fn: Callable[[], None]) -> Callable[[], int]:
    @functools.wraps(fn)
    def wrapper() -> int:
        from enrich.errors import EnrichError, LookupCancelled, RunStopped

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
        except (KeyboardInterrupt, LookupCancelled):
            click.echo("interrupted", err=True)
            return 130
        except RunStopped as stop:
            with contextlib.suppress(OSError):
                click.echo(f"stopped (signal {stop.signum})", err=True)
            return 128 + stop.signum
        except OSError as exc:  # standard output on a full disk, a file gone meanwhile
            where = f"{exc.filename}: " if exc.filename else ""
            with contextlib.suppress(OSError):
                click.echo(f"enrich: error: {where}{exc.strerror or exc}", err=True)
            return EXIT_USAGE
        return EXIT_OK

    return wrapper


def _lean_imports() -> None:
    """Modules this program never uses, that httpx would load in each of its processes that
    sends a request (the look-up process, the service), marked absent before httpx is first
    imported:

    * httpx._main, httpx's own command-line client, which httpx's __init__ imports: it loads
      rich and pygments (about 50 ms). httpx then defines its stand-in `main` instead (what it
      does when the CLI's extras are not installed).
    * trio, which httpcore imports when it happens to be installed, for programs running a trio
      event loop (about 60 ms, more than httpx itself). This program runs none; httpcore then
      serves asyncio and threads as it does without trio.

    Only in this program's own processes (never on `import enrich`), and only when httpx is not
    loaded yet."""
    if "httpx" not in sys.modules:
        for name in ("httpx._main", "trio"):
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def _no_pydantic_plugins() -> None:
    """Pydantic looks for plugins (entry points of the group "pydantic" in every installed
    package's metadata) when the first model is built: a walk of site-packages that cost a start
    10-14 ms here (about 120 packages installed), and no plugin has any business inside this
    program's models. Turned off for this program's own processes (PYDANTIC_DISABLE_PLUGINS,
    pydantic's own switch; the look-up process and the workers inherit it), unless the user set
    that variable."""
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


@_guard
def _invoke() -> None:
    cli.main(standalone_mode=False)


def main() -> None:
    _lean_imports()
    _no_pydantic_plugins()
    code = _invoke()
    # The process ends here. Whatever is still held is frozen out of the collection the
    # interpreter makes on its way out, which would walk every object a long run left (about
    # 0.3 s of CPU after 20,000 entries) only to find the little cyclic garbage since the last
    # collection; the memory goes back with the process all the same.
    import gc

    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
