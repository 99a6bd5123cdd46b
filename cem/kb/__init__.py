"""The knowledge base (KM, ฐานข้อมูลบริการ): the questions customers ask
with the team's answers (cem.kb.questions) and searching them in Thai and
English (cem.kb.search).

The search structures (SQLite FTS5 tables, PostgreSQL's kb_search table)
are made by migration 0011 and kept by database triggers; they are not
models. Their names, and only theirs, start with SEARCH_PREFIX.
"""
from __future__ import annotations

SEARCH_PREFIX = "kb_"  # model tables are named without an underscore (kbquestion)


def outside_the_models(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: leave the search structures out when the
    models are compared with the database."""
    return not (reflected and compare_to is None and (name or "").startswith(SEARCH_PREFIX))
