"""Run by cem.core.sheets in a child process, never imported: reads the
first sheet of the spreadsheet on stdin with python-calamine and writes
pickled frames to stdout: ("ok", sheet name, rows before the first, rows,
columns, the first HEAD_ROWS rows), then each column in turn; or ("error",
message code) at any point.

The child limits its own memory first. python-calamine keeps a sheet as one
block from A1, so a few kilobytes naming cell XFD1048576 ask it for
gigabytes; here that ends this process, not the server.
Arguments: the most rows and the most cells to hand back, the memory limit
in bytes.

A column goes as compactly as its cells allow, so that handing 100,000
rows over costs little: texts joined in one string, numbers and dates as
arrays, and the cells of another type than most of the column's by their
place (see cem.core.sheets.decode_column). Each column is written as soon
as it is ready, while the server reads the one before.
"""
import gc
import os
import pickle
import resource
import sys
from array import array
from collections import Counter
from datetime import date
from io import BytesIO

HEAD_ROWS = 40  # the first rows, sent ahead of the columns
SEPARATOR = "\x00"  # no cell of an .xlsx or .ods holds it (XML cannot); checked for .xls


def main() -> None:
    max_rows, max_cells, memory = (int(a) for a in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    gc.disable()  # a short life of many small objects, none of them in cycles
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(BytesIO(data))
        if not book.sheet_names:
            return _send(out, ("error", "billing.err.empty"))
        sheet = book.get_sheet_by_index(0)
        refused = _too_large(sheet, max_rows, max_cells)
        if refused:
            return _send(out, ("error", refused))
        rows = sheet.to_python() if sheet.start is not None else []
        columns = list(zip(*rows))
        _send(out, ("ok", sheet.name, sheet.start[0] if sheet.start else 0, len(columns[0]) if columns else 0,
                    len(columns), rows[:HEAD_ROWS]))
        for column in columns:
            _send(out, encode_column(column))
    except MemoryError:
        _send(out, ("error", "billing.err.too_many_cells"))
    except Exception:  # whatever the parser trips over, the file is unusable
        _send(out, ("error", "billing.err.unreadable"))


def _send(out, frame) -> None:
    out.write(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
    out.flush()


def _too_large(sheet, max_rows: int, max_cells: int):
    """The limit the sheet passes, as the rows would cross it one by one
    from the first row of the file (blank rows before the first cell count):
    the rows' limit first when both are crossed in the same row."""
    if sheet.start is None:
        return None
    rows, width = sheet.end[0] + 1, sheet.end[1] - sheet.start[1] + 1
    rows_at = max_rows + 1 if rows > max_rows else None
    cells_at = max_cells // width + 1 if rows * width > max_cells else None
    if rows_at is not None and (cells_at is None or rows_at <= cells_at):
        return "billing.err.too_many_rows"
    return "billing.err.too_many_cells" if cells_at is not None else None


ARRAYS = {float: "d", int: "q", date: "i"}  # date: its ordinal


def encode_column(values: tuple):
    """(kind, payload, others): kind "s" (texts joined by SEPARATOR), "d",
    "q" (an array of floats or ints) or "i" (dates by ordinal), or "v" (the
    values as they are); `others` gives the cells of another type by index,
    their place in the payload holding a stand-in."""
    # Most columns are of one type below their first rows (a title, the headings).
    below = set(map(type, values[HEAD_ROWS:]))
    if len(below) == 1:
        main = next(iter(below))
        others = {i: v for i, v in enumerate(values[:HEAD_ROWS]) if type(v) is not main}
    else:
        kinds = Counter(map(type, values))
        main = kinds.most_common(1)[0][0] if kinds else str
        others = {i: v for i, v in enumerate(values) if type(v) is not main} if len(kinds) > 1 else {}
    if main is str:
        text = SEPARATOR.join(_stood_in(values, others, ""))
        if text.count(SEPARATOR) == len(values) - 1:
            return ("s", text, others)
    elif main in ARRAYS and len(others) <= len(values) // 2:
        filled = _stood_in(values, others, date.min if main is date else 0)
        try:
            numbers = array(ARRAYS[main], map(date.toordinal, filled) if main is date else filled)
        except OverflowError:  # an int beyond 64 bits
            pass
        else:
            return (ARRAYS[main], numbers.tobytes(), others)
    return ("v", list(values), {})


def _stood_in(values: tuple, others: dict, stand_in) -> tuple | list:
    if not others:
        return values
    filled = list(values)
    for i in others:
        filled[i] = stand_in
    return filled

if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # at once: tearing down a sheet's hundreds of thousands of objects one by one keeps the server waiting
