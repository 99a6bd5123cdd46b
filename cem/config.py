"""Settings read from the environment."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_SQLITE_PATH = DATA_DIR / "cem.db"


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
