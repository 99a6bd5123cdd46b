"""Settings read from the environment."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_SQLITE_PATH = DATA_DIR / "cem.db"


# How long a Python thread may keep the interpreter lock while another waits
# for it. A save hands the lock back and takes it again at every database
# call, some hundred times; with Python's default of 5 ms it waited up to
# 5 ms each time behind a thread parsing a large workbook, 1-2 s in all.
# At 1 ms the same save takes at most about 0.1 s, and the import about 6 %
# longer.
SWITCH_INTERVAL = 0.001


def share_the_interpreter() -> None:
    """Let threads that wait on the database get the processor back soon
    (the app server runs every browser session as a thread)."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def database_url() -> str:
    """DATABASE_URL if set, else the embedded SQLite file in data/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        DATA_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # Accept the common postgres:// spelling and use the psycopg 3 driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def bootstrap_admin() -> tuple[str, str] | None:
    """CEM_ADMIN_USER and CEM_ADMIN_PASSWORD: the first administrator, made
    at start-up when the database has no account yet (scripted deployments)."""
    username = os.environ.get("CEM_ADMIN_USER", "").strip()
    password = os.environ.get("CEM_ADMIN_PASSWORD", "")
    return (username, password) if username and password else None


def seed_sample() -> bool:
    """Whether the first start seeds a sample journey (default yes)."""
    return os.environ.get("CEM_SEED_SAMPLE", "1") not in ("0", "false", "no")


def default_lang() -> str:
    """CEM_LANG: the install's language, "th" (default) or "en" ("en-GB"
    and the like count as "en"). It picks the language of the sample
    journey seeded on first start."""
    from cem.core.i18n import normalise_lang

    return normalise_lang(os.environ.get("CEM_LANG", "").strip())
