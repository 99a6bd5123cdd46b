"""One translation function over per-language message catalogues.

Catalogues live in cem/locales/<lang>/*.json (one file per area of the app);
all files of a language are merged. Every key must exist in every language:
tests/test_i18n.py fails otherwise.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LANGS = ("th", "en")
DEFAULT_LANG = "th"
LANG_NAMES = {"th": "ไทย", "en": "English"}
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        duplicated = merged.keys() & entries.keys()
        if duplicated:
            raise ValueError(f"{path}: keys defined twice: {sorted(duplicated)}")
        merged.update(entries)
    return merged


def normalise_lang(value: str | None) -> str:
    """'th-TH', 'en_US', 'EN' ... -> a supported language code."""
    code = (value or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGS else DEFAULT_LANG


def t(key: str, /, lang: str, **params) -> str:
    """The message `key` in `lang`, with {placeholders} filled from params
    (one may be named `key`: the first argument is positional only). A
    missing key shows as the key itself, so it is visible, not a crash."""
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue("en").get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def error_text(error, lang: str, escape=None) -> str:
    """A CemError as a sentence in `lang`. A parameter that is itself a
    catalogue key (a column name, or the problem inside a cell error) is
    translated too, filled from the same parameters. `escape` is applied to
    the other text parameters, which may hold what a user typed."""
    raw = dict(error.params)
    if escape is not None:
        raw = {k: escape(v) if isinstance(v, str) and v not in catalogue(lang) else v for k, v in raw.items()}
    params = {k: _translate_param(value, lang, raw) for k, value in raw.items()}
    return t(error.code, lang, **params)


def _translate_param(value, lang: str, raw: dict):
    if isinstance(value, str) and value in catalogue(lang):
        inner = {k: v for k, v in raw.items() if not (isinstance(v, str) and v in catalogue(lang))}
        return t(value, lang, **inner)
    return value
