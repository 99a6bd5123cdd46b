"""Command line for scripted deployments.

    python -m cem.cli migrate
    python -m cem.cli create-admin --username somchai [--name "Somchai K."]

The password comes from CEM_ADMIN_PASSWORD, or is asked for when the
command runs in a terminal. The database is DATABASE_URL (default: the
SQLite file in data/).
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from cem.core import i18n
from cem.core.auth import create_first_admin
from cem.core.db import get_engine, migrate, session_scope
from cem.core.errors import CemError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cem.cli", description="CEM journey map administration")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations")
    admin = commands.add_parser("create-admin", help="create the first administrator of a new installation")
    admin.add_argument("--username", required=True)
    admin.add_argument("--name", default="")
    args = parser.parse_args(argv)

    engine = get_engine()
    migrate(engine)
    if args.command == "migrate":
        print("migrated")
        return 0
    password = os.environ.get("CEM_ADMIN_PASSWORD") or (getpass.getpass("Password: ") if sys.stdin.isatty() else "")
    try:
        with session_scope(engine) as session:
            account = create_first_admin(session, username=args.username, password=password,
                                         display_name=args.name)
    except CemError as error:
        print(i18n.error_text(error, "en"), file=sys.stderr)
        return 2
    print(f"created administrator {account.username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
