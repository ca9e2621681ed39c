"""`cptnlp app`: start the Streamlit front end on localhost and return its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .errors import InputError

__all__ = ["APP_SCRIPT", "DEFAULT_REVIEWS_DB", "REVIEWS_DB_ENV", "app_command", "launch_app"]

#: Environment variable the app reads for the supervisor-review SQLite file.
REVIEWS_DB_ENV = "CPTNLP_REVIEWS_DB"
DEFAULT_REVIEWS_DB = "cptnlp-reviews.sqlite3"
APP_SCRIPT = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"


def app_command(port: int) -> list[str]:
    """The streamlit command line: localhost only, headless, no usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.headless",
        "true",
    ]


def launch_app(*, port: int = 8501, reviews_db: str | None = None) -> int:
    """Run the app until interrupted; the reviews DB path travels in ``CPTNLP_REVIEWS_DB``."""
    if not APP_SCRIPT.is_file():
        raise InputError("the Streamlit app (app/streamlit_app.py) is not in this installation; run from a source checkout")
    if not 0 < port < 65536:
        raise InputError(f"port must be between 1 and 65535, got {port}")
    env = dict(os.environ)
    # Resolve against the caller's directory before the app runs from the repository root.
    db = reviews_db or env.get(REVIEWS_DB_ENV) or DEFAULT_REVIEWS_DB
    env[REVIEWS_DB_ENV] = str(Path(db).expanduser().resolve())
    # Run from the repository root so .streamlit/config.toml applies.
    try:
        return subprocess.call(app_command(port), env=env, cwd=str(APP_SCRIPT.parent.parent))
    except KeyboardInterrupt:
        return 130
