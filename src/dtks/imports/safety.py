"""Checks an uploaded file before anything parses it: a file may come from anyone.

Refused: files over the size limit; any extension but .csv and .xlsx; content that does not
match the extension (a workbook named .csv, text named .xlsx); CSV that is not UTF-8 text;
workbooks that would expand beyond the limits (zip bombs, judged from the ZIP central
directory alone, before any part is decompressed); and XML parts that declare a DTD or
entities, so no parser ever sees an entity to expand (billion laughs, external entities).
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from dtks.core.errors import DomainError

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MB
DEFAULT_MAX_UNCOMPRESSED = 500 * MB
MAX_ENTRIES = 10_000
MAX_RATIO = 200
# Parts this small cannot hurt whatever their ratio; a few KB of repeated XML compresses well.
RATIO_FLOOR = 64 * 1024
# The prolog (where a DTD must sit) ends at the root element; it must do so this early.
XML_HEAD = 64 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = MB

DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# The first element start tag: `<` followed by a name character (not `?`, `!` or `/`).
ROOT_START = re.compile(r"<[A-Za-z_:]")


class UnsafeUpload(DomainError):
    """The uploaded file was refused before parsing; `message` says why, in Indonesian."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, field="file", code=code)


def max_bytes() -> int:
    return int(getattr(settings, "DTKS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_uncompressed() -> int:
    return int(getattr(settings, "DTKS_IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED))


def check_upload(path: Path, original_name: str) -> None:
    """Raise `UnsafeUpload` unless `path` is a size-bounded CSV or xlsx matching its name."""
    path = Path(path)
    suffix = Path(original_name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UnsafeUpload(_("Only .csv and .xlsx files can be imported."), "extension")
    size = path.stat().st_size
    if size == 0:
        raise UnsafeUpload(_("The file is empty."), "empty")
    if size > max_bytes():
        raise size_refusal()
    if suffix == ".xlsx":
        check_xlsx(path)
    else:
        check_csv(path)


def size_refusal() -> UnsafeUpload:
    """The refusal of a file over DTKS_IMPORT_MAX_BYTES (the upload page uses it too)."""
    limit = _megabytes(max_bytes())
    return UnsafeUpload(_("The file is larger than %(limit)s MB.") % {"limit": limit}, "too_large")


def check_csv(path: Path) -> None:
    """UTF-8 text (a BOM allowed) without NUL bytes; read in chunks, never whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        if f.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
            raise UnsafeUpload(
                _("The file is a workbook, not CSV text: name it .xlsx."), "mismatch"
            )
        f.seek(0)
        try:
            while chunk := f.read(CHUNK):
                if b"\x00" in chunk:
                    raise UnsafeUpload(_("The .csv file is not text."), "not_text")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UnsafeUpload(
                _("The .csv file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
                "not_utf8",
            ) from None


def check_xlsx(path: Path) -> None:
    """A ZIP holding a workbook whose declared sizes stay bounded and whose XML has no DTD."""
    if not zipfile.is_zipfile(path):
        raise UnsafeUpload(_("The file is not an xlsx workbook."), "not_xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()  # the central directory: nothing decompressed yet
            check_zip_limits(entries)
            names = {info.filename for info in entries}
            if not all(part in names for part in REQUIRED_PARTS):
                raise UnsafeUpload(_("The file is not an xlsx workbook."), "not_xlsx")
            for info in entries:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    check_xml_head(archive, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        raise UnsafeUpload(_("The file is not an xlsx workbook."), "not_xlsx") from None


def check_zip_limits(entries: list[zipfile.ZipInfo]) -> None:
    """Entry count, total declared size and per-entry compression ratio within the limits."""
    if len(entries) > MAX_ENTRIES:
        raise UnsafeUpload(_("The workbook holds too many parts."), "too_many_parts")
    limit = max_uncompressed()
    if sum(info.file_size for info in entries) > limit:
        raise UnsafeUpload(
            _("The workbook would expand beyond %(limit)s MB.") % {"limit": _megabytes(limit)},
            "too_large_uncompressed",
        )
    for info in entries:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeUpload(
                _("The workbook is compressed suspiciously (a zip bomb)."), "zip_bomb"
            )


def check_xml_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a DTD or entity declaration: none may appear before the root element.

    The prolog must end (the root element start) within XML_HEAD characters, else a long
    comment could push a DTD past the scan. Python's zipfile never reads past the declared
    size, and the sizes were bounded before, so reading the head is bounded too.
    """
    with archive.open(info) as part:
        head = _decode_head(part.read(XML_HEAD))
    reaches_root = ROOT_START.search(_strip_comments(head)) is not None
    if DECLARATION.search(head) or (not reaches_root and info.file_size > XML_HEAD):
        raise UnsafeUpload(
            _("The workbook declares XML entities, which is not allowed."), "xml_entities"
        )


def _decode_head(data: bytes) -> str:
    """Text of an XML head in UTF-8 or, by its byte-order mark or NUL pattern, UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data[:2] == b"<\x00":
        return data.decode("utf-16-le", errors="replace")
    if data[:2] == b"\x00<":
        return data.decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


def _strip_comments(text: str) -> str:
    return re.sub(r"<!--.*?(?:-->|\Z)", "", text, flags=re.DOTALL)


def _megabytes(n: int) -> str:
    return f"{n / MB:g}"
