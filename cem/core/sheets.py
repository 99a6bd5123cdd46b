"""Reading the first sheet of an .xlsx, .xls or .ods file with
python-calamine (fast, and it reads all three), in a child process with a
memory limit and a time limit: a hostile or broken file can make the parser
allocate without bound or abort, and that must never take the server with
it. The child is cem/core/_sheet_child.py."""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from cem.core.errors import ImportFileError
from cem.core.workbooks import check_size, check_workbook_file

CHILD = Path(__file__).with_name("_sheet_child.py")
MEMORY_LIMIT = 2 * 2**30  # bytes of address space for the child
TIME_LIMIT = 60  # seconds
MAX_CELLS = 5_000_000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls (Excel 97-2003) file starts so


def is_spreadsheet(data: bytes) -> bool:
    return data.startswith(b"PK") or data.startswith(OLE2)


def read_first_sheet(data: bytes, *, max_rows: int) -> tuple[str, list[list[Any]]]:
    """The first sheet's name and its rows (lists of str, int, float, bool,
    date, datetime, time or timedelta values; "" for an empty cell), or
    ImportFileError saying why the file cannot be read."""
    check_size(data)
    if data.startswith(b"PK"):
        check_workbook_file(data)  # the zip checks: .xlsx and .ods are zip files
    elif not data.startswith(OLE2):
        raise ImportFileError("excel.err.not_xlsx")
    try:
        done = subprocess.run([sys.executable, "-I", str(CHILD), str(max_rows), str(MAX_CELLS), str(MEMORY_LIMIT)],
                              input=data, capture_output=True, timeout=TIME_LIMIT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ImportFileError("billing.err.too_slow", seconds=TIME_LIMIT) from exc
    if done.returncode != 0:  # killed by its memory limit, or the parser aborted
        raise ImportFileError("billing.err.too_many_cells" if done.returncode < 0 else "billing.err.unreadable")
    answer = pickle.loads(done.stdout)  # written by our own child process
    if answer[0] != "ok":
        raise ImportFileError(answer[1], max=max_rows, cells=MAX_CELLS)
    _, name, rows = answer
    return name, rows
