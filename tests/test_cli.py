"""CLI: bad input through a real subprocess gives exit 2, one stderr line, no traceback, no note text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MARKER = "ZQXJ-SECRET-NOTE-TEXT"
GOOD = (
    f"Session 10:02am-10:55am. {MARKER} Client reports low mood. Dx: F33.1 MDD. Used CBT. "
    "Denies SI/HI. Plan: weekly sessions.\nElectronically signed: Jane Doe, LCSW"
)


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cptnlp.cli", *args], input=stdin, capture_output=True, timeout=300, check=False
    )


def assert_clean_failure(proc: subprocess.CompletedProcess[bytes]) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert MARKER not in err
    assert proc.stdout == b""


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", b""),
        ("blank.txt", b"  \n\t \n"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00" + MARKER.encode() + b"\x00\xff"),
        ("latin1.txt", f"Caf\xe9 session 50 min {MARKER} r\xe9sum\xe9".encode("latin-1")),
    ],
)
def test_cli_unreadable_note_exits_2(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert_clean_failure(run_cli("check", str(path), "--cpt", "90837"))


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    assert_clean_failure(run_cli("check", str(tmp_path / "nope.txt")))


def test_cli_bad_minutes_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD, encoding="utf-8")
    assert_clean_failure(run_cli("check", str(path), "--cpt", "90837", "--minutes", "abc"))


def test_cli_malformed_code_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD, encoding="utf-8")
    proc = run_cli("check", str(path), "--cpt", "9083x4")
    assert_clean_failure(proc)
    assert b"is not a CPT/HCPCS code" in proc.stderr


def test_cli_empty_stdin_exits_2() -> None:
    assert_clean_failure(run_cli("check", "-", stdin=b""))


@pytest.mark.parametrize("codes", ["99999", "90834 12345", "G0444"])
def test_cli_code_not_in_the_table_exits_2(tmp_path: Path, codes: str) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD, encoding="utf-8")
    proc = run_cli("check", str(path), "--cpt", codes)
    assert_clean_failure(proc)
    assert b"is not a code cptnlp knows" in proc.stderr and b"cptnlp codes" in proc.stderr


def test_cli_deleted_code_is_a_finding_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD, encoding="utf-8")
    proc = run_cli("check", str(path), "--cpt", "90806", "--date", "2025-06-01", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert "code.unknown" in {f["code"] for f in report["findings"]}
    assert proc.stderr == b""


def test_cli_large_note_is_checked(tmp_path: Path) -> None:
    """A 900 kB note (a pasted chart) is under the size limit: it is checked like any note."""
    path = tmp_path / "big.txt"
    body = (GOOD + "\n") * (900_000 // (len(GOOD) + 1) + 1)
    path.write_text(body[:900_000], encoding="utf-8")
    proc = run_cli("check", str(path), "--cpt", "90837", "--format", "json")
    assert proc.returncode == 0, proc.stderr[-500:]
    assert b"Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["minutes"] == 53


def test_cli_2mb_note_is_refused_with_one_line(tmp_path: Path) -> None:
    """A 2 MB note is bad input: a one-line message naming the size and the limit, exit 2, no note text."""
    path = tmp_path / "big.txt"
    body = (GOOD + "\n") * (2_000_000 // (len(GOOD) + 1) + 1)
    path.write_text(body[:2_000_000], encoding="utf-8")
    proc = run_cli("check", str(path), "--cpt", "90837")
    assert_clean_failure(proc)
    assert b"2,000,000 characters" in proc.stderr and b"1,000,000" in proc.stderr


def test_cli_strict_exit_1_on_error(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD.replace("10:02am-10:55am", "10:00-10:45"), encoding="utf-8")
    assert run_cli("check", str(path), "--cpt", "90837").returncode == 0
    assert run_cli("check", str(path), "--cpt", "90837", "--strict").returncode == 1


def test_cli_cpt_forms_are_equivalent(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD, encoding="utf-8")
    outs = [
        json.loads(run_cli("check", str(path), *args, "--format", "json", "--date", "2025-06-01").stdout)["cpt"]
        for args in (("--cpt", "90837 90785"), ("--cpt", "90837,90785"), ("--cpt", "90837", "--cpt", "90785"))
    ]
    assert outs[0] == outs[1] == outs[2] == ["90837", "90785"]


def test_cli_text_output_quotes_evidence(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(GOOD.replace("10:02am-10:55am", "10:00-10:45"), encoding="utf-8")
    proc = run_cli("check", str(path), "--cpt", "90837")
    assert proc.returncode == 0
    assert "time.code_mismatch" in proc.stdout.decode()


def test_cli_codes_lists_table() -> None:
    proc = run_cli("codes")
    assert proc.returncode == 0
    assert "90837" in proc.stdout.decode()
