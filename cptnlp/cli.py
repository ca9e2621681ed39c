"""Command line: thin; parses arguments, calls the library, maps errors to exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import CptnlpError, InputError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"cptnlp: error: {message} (see `cptnlp {self.prog.split()[-1]} --help`)\n")
        raise SystemExit(2)


def _cpt_arg(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.append(v)
    return out


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cptnlp", description="Check mental-health progress notes against their billed CPT codes.")
    p.add_argument("--version", action="version", version=f"cptnlp {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="check one note (FILE or - for stdin)")
    c.add_argument("file", metavar="FILE")
    c.add_argument("--cpt", action="append", metavar="CODES", help="billed code(s): '90834 90785', '90834,90785' or repeated")
    c.add_argument("--minutes", metavar="N", help="session minutes from the EHR/claim (compared with the note)")
    c.add_argument("--date", metavar="YYYY-MM-DD", help="date of service (default: today); decides deleted codes")
    c.add_argument("--id", help="note id echoed in the report")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--strict", action="store_true", help="exit 1 when an error-severity finding is raised")
    c.add_argument("--model", metavar="DIR", help="model directory (default: the shipped models/)")
    c.add_argument("--no-color", action="store_true", help="plain text output")

    b = sub.add_parser("batch", help="score many notes (.jsonl, .csv, .parquet or a folder of .txt)")
    b.add_argument("input", metavar="INPUT")
    b.add_argument("--out", required=True, metavar="OUTPUT")
    b.add_argument("--format", choices=("jsonl", "csv", "parquet"), default=None, help="output format (default: from --out)")
    b.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: all cores)")
    b.add_argument("--resume", action="store_true", help="continue an interrupted run")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--profile", default=None, help="payer profile for cross-note limits (see cptnlp/data/profiles)")
    b.add_argument("--engine", choices=("local", "dask"), default="local")
    b.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler address (with --engine dask)")
    b.add_argument("--model", metavar="DIR", help="model directory (default: the shipped models/)")

    t = sub.add_parser("train", help="retrain the evidence classifier from training/data")
    t.add_argument("--data", default="training/data", metavar="DIR")
    t.add_argument("--out", default="models", metavar="DIR")

    a = sub.add_parser("app", help="start the Streamlit app on localhost")
    a.add_argument("--port", type=int, default=8501)
    a.add_argument("--reviews-db", default=None, metavar="PATH", help="SQLite file for supervisor reviews")

    sub.add_parser("codes", help="print the CPT code table in force")
    return p


def _cmd_check(args: argparse.Namespace) -> int:
    from .engine import load_checker, make_note
    from .render import format_text
    from .rules import load_settings
    from .textio import read_note_file

    limit = load_settings()["input"]["max_note_chars"]
    name = "<stdin>" if args.file == "-" else args.file
    note = make_note(
        read_note_file(args.file, max_bytes=limit * 4),
        id=args.id or (None if args.file == "-" else os.path.basename(args.file)),
        cpt=" ".join(_cpt_arg(args.cpt)) or None,
        minutes=args.minutes,
        date=args.date,
        max_chars=limit,
    )
    _known_codes(note.cpt, record=note.id or name)
    report = load_checker(args.model).check(note)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        color = sys.stdout.isatty() and not args.no_color and "NO_COLOR" not in os.environ
        sys.stdout.write(format_text(report, note.text, name=name, color=color) + "\n")
    return report.exit_code(strict=args.strict)


def _known_codes(codes: tuple[str, ...], *, record: str) -> None:
    """A ``--cpt`` code the code table does not hold at all is a usage error (exit 2): nothing code-specific
    can be checked against it. A code the table holds as deleted (90806) is checked and reported as
    ``code.unknown``, as are unknown codes read from the note or from batch records."""
    from .rules import load_code_table

    table = load_code_table()
    for code in codes:
        if table.get(code) is None:
            raise InputError(
                f"{code} is not a code cptnlp knows (`cptnlp codes` lists them; rows are added in "
                "cptnlp/data/cpt_codes.toml)",
                record=record,
                field="cpt",
            )


def _cmd_codes(args: argparse.Namespace) -> int:
    from .rules import load_code_table

    table = load_code_table()
    rows = [("code", "kind", "minutes", "add-on to", "attendee", "deleted", "summary", "source")]
    for r in sorted(table.codes.values(), key=lambda r: (r.deleted is not None, r.code)):
        prim = ""
        if r.addon:
            prim = ",".join(r.primaries) if len(r.primaries) <= 4 else f"{r.primaries[0]}..{r.primaries[-1]} ({len(r.primaries)})"
        rows.append(
            (
                r.code,
                r.kind,
                r.band(),
                prim,
                r.attendee or "",
                r.deleted.isoformat() if r.deleted else "",
                r.summary,
                table.source_text(r.source),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    out = []
    for row in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(row[:6], widths, strict=True)) + "  " + row[6])
    out.append("")
    cr = table.crisis
    out.append(
        f"Crisis: {cr.first_code} for {cr.first_min}-{cr.addon_from - 1} min; +{cr.addon_code} from {cr.addon_from} min, "
        f"one more unit per {cr.addon_step} min. Source: {cr.source}"
    )
    out.append("")
    out.append("Same-day pair conflicts (modifier indicator: 0 = never, 1 = only as distinct services):")
    seen = set()
    for p in table.pairs:
        key = (p.reason, p.modifier_indicator)
        group = [q for q in table.pairs if (q.reason, q.modifier_indicator) == key]
        if key in seen:
            continue
        seen.add(key)
        a = sorted({q.a for q in group})
        b = sorted({q.b for q in group})
        out.append(f"  [{p.modifier_indicator}] {' '.join(a)}  x  {' '.join(b)}: {p.reason} ({p.source})")
    out.append("")
    out.append("Sources:")
    for k, v in table.sources.items():
        out.append(f"  {k}: {v}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .classify.train import train_cli

    return train_cli(args.data, args.out)


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import batch_cli

    return batch_cli(args)


def _cmd_app(args: argparse.Namespace) -> int:
    from .launch import launch_app

    return launch_app(port=args.port, reviews_db=args.reviews_db)


_COMMANDS = {"check": _cmd_check, "codes": _cmd_codes, "train": _cmd_train, "batch": _cmd_batch, "app": _cmd_app}


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except InputError as exc:
        sys.stderr.write(f"cptnlp: {exc}\n")
        return 2
    except CptnlpError as exc:
        sys.stderr.write(f"cptnlp: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("cptnlp: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
