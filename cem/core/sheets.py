"""Reading the first sheet of an .xlsx, .xls or .ods file with
python-calamine (fast, and it reads all three), in a child process with a
memory limit and a time limit: a hostile or broken file can make the parser
allocate without bound or abort, and that must never take the server with
it. The child is cem/core/_sheet_child.py; it hands the sheet over column
by column, in a compact form that this side reads while the child writes
the next column."""
from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from array import array
from datetime import date
from pathlib import Path
from typing import Any, Callable

from cem.core.errors import ImportFileError
from cem.core.workbooks import check_size, check_workbook_file

CHILD = Path(__file__).with_name("_sheet_child.py")
MEMORY_LIMIT = 2 * 2**30  # bytes of address space for the child
TIME_LIMIT = 60  # seconds
MAX_CELLS = 5_000_000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls (Excel 97-2003) file starts so
SEPARATOR = "\x00"  # as the child joins a column's texts


def is_spreadsheet(data: bytes) -> bool:
    return data.startswith(b"PK") or data.startswith(OLE2)


def read_first_sheet(data: bytes, *, max_rows: int) -> tuple[str, list[list[Any]]]:
    """The first sheet's name and its rows from the first row of the file
    (lists of str, int, float, bool, date, datetime, time or timedelta
    values; "" for an empty cell), or ImportFileError saying why the file
    cannot be read."""
    name, skipped, columns = read_first_sheet_columns(data, max_rows=max_rows)
    blank = [""] * len(columns)
    return name, [list(blank) for _ in range(skipped)] + [list(row) for row in zip(*columns)]


Watch = Callable[[list[list[Any]], int], Callable[[int, list[Any]], None] | None]


def read_first_sheet_columns(data: bytes, *, max_rows: int, watch: Watch | None = None
                             ) -> tuple[str, int, list[list[Any]]]:
    """The first sheet's name, how many rows of the file come before its
    first row with a cell, and its columns from that row on (each a list of
    values as read_first_sheet gives them, all of the same length).

    `watch`, given the sheet's first rows and its number of rows as soon
    as they are known, may
    return a function that is given each column (its index, its values) as
    it comes, while the child is still making the next one."""
    check_size(data)
    if data.startswith(b"PK"):
        check_workbook_file(data)  # the zip checks: .xlsx and .ods are zip files
    elif not data.startswith(OLE2):
        raise ImportFileError("excel.err.not_xlsx")
    child = subprocess.Popen([sys.executable, "-I", str(CHILD), str(max_rows), str(MAX_CELLS), str(MEMORY_LIMIT)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        child.kill()

    timer = threading.Timer(TIME_LIMIT, stop)
    timer.daemon = True
    timer.start()
    try:
        return _answer(child, data, max_rows, watch)
    except _ChildEnded:
        child.kill()
        returncode = child.wait()
        if timed_out.is_set():
            raise ImportFileError("billing.err.too_slow", seconds=TIME_LIMIT) from None
        # Killed by its memory limit, or the parser aborted; or it ended without its answer.
        raise ImportFileError("billing.err.too_many_cells" if returncode < 0 else "billing.err.unreadable") from None
    finally:
        timer.cancel()
        if child.poll() is None:
            child.kill()
        child.wait()
        child.stdout.close()


class _ChildEnded(Exception):
    """The child process ended, or stopped writing, before its whole answer."""


def _answer(child: subprocess.Popen, data: bytes, max_rows: int, watch: Watch | None
            ) -> tuple[str, int, list[list[Any]]]:
    try:
        child.stdin.write(data)  # the child reads all of it before it writes a byte
        child.stdin.close()
    except OSError:  # it ended at once
        raise _ChildEnded() from None

    def frame():
        try:
            found = pickle.load(child.stdout)  # written by our own child process
        except Exception:  # noqa: BLE001 - cut short: the child ended half-way
            raise _ChildEnded() from None
        if found[0] == "error":
            raise ImportFileError(found[1], max=max_rows, cells=MAX_CELLS)
        return found

    _, name, skipped, height, width, head = frame()
    seen = watch(head, height) if watch is not None else None
    columns = []
    for index in range(width):
        columns.append(decode_column(frame(), height))
        if seen is not None:
            seen(index, columns[-1])
    return name, skipped, columns


def decode_column(encoded: tuple, height: int) -> list[Any]:
    """A column as the child encoded it (see _sheet_child.encode_column)."""
    kind, payload, others = encoded
    if kind == "s":
        values = payload.split(SEPARATOR) if height else []
    elif kind == "i":
        ordinals = array("i")
        ordinals.frombytes(payload)
        days = {ordinal: date.fromordinal(ordinal) for ordinal in set(ordinals)}
        values = [days[ordinal] for ordinal in ordinals]
    elif kind in ("d", "q"):
        numbers = array(kind)
        numbers.frombytes(payload)
        values = numbers.tolist()
    else:
        values = payload
    for index, value in others.items():
        values[index] = value
    if len(values) != height:
        raise ImportFileError("billing.err.unreadable")
    return values
