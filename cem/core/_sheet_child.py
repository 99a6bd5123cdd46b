"""Run by cem.core.sheets in a child process, never imported: reads the
first sheet of the spreadsheet on stdin with python-calamine and writes
("ok", sheet name, rows) or ("error", message code) to stdout as a pickle.

The child limits its own memory first. python-calamine keeps a sheet as one
block from A1, so a few kilobytes naming cell XFD1048576 ask it for
gigabytes; here that ends this process, not the server.
Arguments: the most rows and the most cells to hand back, the memory limit
in bytes."""
import pickle
import resource
import sys
from io import BytesIO


def main() -> None:
    max_rows, max_cells, memory = (int(a) for a in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    data = sys.stdin.buffer.read()
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(BytesIO(data))
        if not book.sheet_names:
            answer = ("error", "billing.err.empty")
        else:
            sheet = book.get_sheet_by_index(0)
            answer = _rows(sheet, max_rows, max_cells)
    except MemoryError:
        answer = ("error", "billing.err.too_many_cells")
    except Exception:  # whatever the parser trips over, the file is unusable
        answer = ("error", "billing.err.unreadable")
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


def _rows(sheet, max_rows: int, max_cells: int):
    rows, cells = [], 0
    for row in sheet.iter_rows():
        rows.append(row)
        cells += len(row)
        if len(rows) > max_rows:
            return ("error", "billing.err.too_many_rows")
        if cells > max_cells:
            return ("error", "billing.err.too_many_cells")
    return ("ok", sheet.name, rows)


if __name__ == "__main__":
    main()
