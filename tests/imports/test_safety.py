"""Upload safety: each refusal is proven with a file crafted to trigger it."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.test import override_settings

from dtks.imports.safety import UnsafeUpload, check_upload

HEADER = "nomor_kk,nomor_nik,nama\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def real_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["nomor_kk", "nomor_nik", "nama"])
    book.active.append(["1709010101010001", "1709014101850001", "SITI"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_with(parts: dict[str, bytes], *, level: int = 6) -> bytes:
    """A minimal workbook ZIP with the given parts added to the two that make it xlsx."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def refusal(path: Path, name: str) -> str:
    """The refusal's code; its Indonesian message is checked to be non-empty on the way."""
    with pytest.raises(UnsafeUpload) as caught:
        check_upload(path, name)
    assert caught.value.message
    return caught.value.code


def test_accepts_utf8_csv_with_and_without_bom(tmp_path):
    plain = write(tmp_path, "a.csv", (HEADER + "1,2,BUDI\n").encode())
    bom = write(tmp_path, "b.csv", "\ufeff".encode() + (HEADER + "1,2,ÁNGEL\n").encode())
    check_upload(plain, "data.csv")
    check_upload(bom, "DATA.CSV")


def test_accepts_a_real_workbook(tmp_path):
    check_upload(write(tmp_path, "w.xlsx", real_workbook()), "Data Desa.xlsx")


@pytest.mark.parametrize("name", ["data.xls", "data.txt", "data", "data.xlsm", "data.csv.exe"])
def test_refuses_other_extensions(tmp_path, name):
    path = write(tmp_path, "f", (HEADER).encode())
    assert refusal(path, name) == "extension"


def test_refuses_an_empty_file(tmp_path):
    assert refusal(write(tmp_path, "e.csv", b""), "e.csv") == "empty"


def test_refuses_a_file_over_the_size_limit(tmp_path):
    path = write(tmp_path, "big.csv", (HEADER + "1,2,BUDI\n" * 200).encode())
    with override_settings(DTKS_IMPORT_MAX_BYTES=1024):
        code = refusal(path, "big.csv")
    check_upload(path, "big.csv")  # under the default limit the same file passes
    assert code == "too_large"


def test_refuses_a_workbook_renamed_to_csv(tmp_path):
    path = write(tmp_path, "w.csv", real_workbook())
    assert refusal(path, "data.csv") == "mismatch"


def test_refuses_text_renamed_to_xlsx(tmp_path):
    path = write(tmp_path, "t.xlsx", (HEADER + "1,2,BUDI\n").encode())
    assert refusal(path, "data.xlsx") == "not_xlsx"


def test_refuses_a_zip_that_is_not_a_workbook(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(write(tmp_path, "z.xlsx", out.getvalue()), "z.xlsx") == "not_xlsx"


def test_refuses_csv_that_is_not_utf8(tmp_path):
    path = write(tmp_path, "l.csv", (HEADER + "1,2,JOSÉ\n").encode("latin-1"))
    assert refusal(path, "l.csv") == "not_utf8"


def test_refuses_csv_with_nul_bytes(tmp_path):
    path = write(tmp_path, "n.csv", (HEADER + "1,2,BU\x00DI\n").encode())
    assert refusal(path, "n.csv") == "not_text"


def test_refuses_a_zip_bomb_by_its_compression_ratio(tmp_path):
    # 20 MB of zeros deflate to about 20 KB: a ratio near 1000, read from the directory only.
    bomb = workbook_with({"xl/worksheets/sheet1.xml": b"\x00" * (20 * 1024 * 1024)}, level=9)
    path = write(tmp_path, "bomb.xlsx", bomb)
    assert path.stat().st_size < 100_000
    assert refusal(path, "bomb.xlsx") == "zip_bomb"


def test_refuses_a_workbook_expanding_past_the_uncompressed_limit(tmp_path):
    # Random bytes do not compress: only the total declared size trips the check.
    filler = random.Random(3).randbytes(2 * 1024 * 1024)
    path = write(tmp_path, "wide.xlsx", workbook_with({"xl/media/a.bin": filler}))
    check_upload(path, "wide.xlsx")
    with override_settings(DTKS_IMPORT_MAX_UNCOMPRESSED=1024 * 1024):
        assert refusal(path, "wide.xlsx") == "too_large_uncompressed"


def test_refuses_a_workbook_with_too_many_entries(tmp_path):
    parts = {f"xl/media/{i}.bin": b"x" for i in range(10_001)}
    path = write(tmp_path, "many.xlsx", workbook_with(parts, level=1))
    assert refusal(path, "many.xlsx") == "too_many_parts"


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1">
<si><t>&lol9;</t></si></sst>"""


def test_refuses_billion_laughs_in_shared_strings(tmp_path):
    path = write(tmp_path, "lol.xlsx", workbook_with({"xl/sharedStrings.xml": BILLION_LAUGHS}))
    assert refusal(path, "lol.xlsx") == "xml_entities"


def test_refuses_an_entity_declaration_in_utf16(tmp_path):
    path = write(
        tmp_path,
        "u16.xlsx",
        workbook_with({"xl/sharedStrings.xml": BILLION_LAUGHS.decode().encode("utf-16")}),
    )
    assert refusal(path, "u16.xlsx") == "xml_entities"


def test_refuses_a_doctype_hidden_behind_a_long_comment(tmp_path):
    padded = b'<?xml version="1.0"?><!--' + b"<a>" * 40_000 + b"-->" + BILLION_LAUGHS[22:]
    path = write(tmp_path, "pad.xlsx", workbook_with({"xl/sharedStrings.xml": padded}, level=1))
    assert refusal(path, "pad.xlsx") == "xml_entities"
