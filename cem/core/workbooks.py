"""The checks every uploaded workbook passes before a parser reads it:
its size, that it is a zip file Python can read, and that it does not
unpack to far more than it is (a zip bomb)."""
from __future__ import annotations

import zipfile
from io import BytesIO

from cem.core.errors import ImportFileError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed size of one member bigger than 1 MB


def check_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError("excel.err.too_big", size_mb=round(len(data) / 2**20, 1),
                              max_mb=MAX_UPLOAD_BYTES // 2**20)


def check_workbook_file(data: bytes) -> None:
    """ImportFileError unless `data` may be given to a workbook parser."""
    check_size(data)
    try:
        members = zipfile.ZipFile(BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError("excel.err.not_xlsx") from exc
    except NotImplementedError as exc:  # a zip feature Python cannot read (an unknown version, a compression)
        raise ImportFileError("excel.err.bad_zip") from exc
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES or any(
            m.file_size > 2**20 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members):
        raise ImportFileError("excel.err.zip_bomb")
