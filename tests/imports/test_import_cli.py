"""`dtks import`: summary, `--json` last line, `--report`, `--user`, and kill -9 safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dtks.registry.models import Person
from tests.imports.import_rows import member, row, write_csv

DTKS = [sys.executable, "-m", "dtks"]


def run_import(*args):
    out = StringIO()
    call_command("import", *map(str, args), "--no-checks", verbosity=0, stdout=out)
    return out.getvalue().splitlines()


def test_json_is_the_last_line_with_the_contract_keys(regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), member(1), member(2, jenis_kelamin="?")])
    lines = run_import(path, "--json")
    counts = json.loads(lines[-1])
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 1, "total": 3}
    assert counts["total"] == sum(
        counts[k] for k in ("created", "updated", "unchanged", "rejected")
    )


def test_summary_names_the_earlier_import_of_the_same_file(regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row()])
    first = run_import(path)
    again = run_import(path)
    assert len(again) == len(first) + 1
    assert Person.objects.count() == 1


def test_report_option_writes_the_rejected_rows(regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), member(1, tanggal_lahir="31-02-2010")])
    out = tmp_path / "salah.csv"
    run_import(path, "--report", out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("baris,alasan")
    assert "31-02-2010" in lines[1]


def test_dry_run_option_writes_nothing(regions, tmp_path):
    run_import(write_csv(tmp_path / "a.csv", [row()]), "--dry-run")
    assert not Person.objects.exists()


def test_user_option_limits_the_import_to_the_users_area(personas, tmp_path):
    other = row(
        kecamatan="Talang Empat",
        desa_kelurahan="Air Sebakul",
        nomor_kk="1709020101200001",
        nomor_nik="1709020101900001",
    )
    path = write_csv(tmp_path / "a.csv", [row(), other])
    counts = json.loads(run_import(path, "--json", "--user", "op_a")[-1])
    assert (counts["created"], counts["rejected"]) == (1, 1)


def test_unknown_user_is_an_error(regions, tmp_path):
    with pytest.raises(CommandError):
        run_import(write_csv(tmp_path / "a.csv", [row()]), "--user", "siapa")


# --- kill -9 ------------------------------------------------------------------------------

FAMILIES = 3000  # 12,000 persons in chunks of 2,000: killed while staging, then promoting


def big_file(path):
    rows = [
        row(
            nomor_kk=f"1709{f:08d}0000",
            nomor_nik=f"1709{f:08d}{m + 1:04d}",
            hubungan_keluarga="Kepala Keluarga" if m == 0 else "Anak",
        )
        for f in range(FAMILIES)
        for m in range(4)
    ]
    return write_csv(path, rows)


def dtks(env, *args, **kwargs):
    return subprocess.run(
        [*DTKS, *args], env=env, capture_output=True, text=True, check=True, **kwargs
    )


def persons_in(env) -> int:
    out = dtks(
        env, "shell", "-c", "from dtks.registry.models import Person; print(Person.objects.count())"
    )
    return int(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def own_database(tmp_path):
    """A registry of its own (SQLite file) that a separate `dtks` process can open and lose."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DTKS_DATA_DIR"] = str(tmp_path / "data")
    env["DTKS_IMPORT_CHUNK_ROWS"] = "2000"
    dtks(env, "migrate", "-v", "0")
    dtks(env, "shell", "-c", REGIONS)
    return env


REGIONS = """
from dtks.wilayah.models import Region
for code, name, level, kind in [
    ("17", "Bengkulu", 1, "provinsi"),
    ("17.09", "Bengkulu Tengah", 2, "kabupaten"),
    ("17.09.01", "Karang Tinggi", 3, "kecamatan"),
    ("17.09.01.2001", "Taba Terunjam", 4, "desa"),
]:
    parent = code.rsplit(".", 1)[0] if "." in code else None
    Region.objects.create(code=code, name=name, level=level, kind=kind, parent_id=parent)
"""


def kill_when(env, path, seen) -> None:
    """Start `dtks import`, SIGKILL it once its progress output satisfies `seen`."""
    process = subprocess.Popen(
        [*DTKS, "import", str(path), "--no-checks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        output += os.read(process.stderr.fileno(), 4096)
        if seen(output.decode(errors="replace")):
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be killed"


def test_kill_9_leaves_all_or_none_of_the_batch(own_database, tmp_path):
    path = big_file(tmp_path / "big.csv")
    total = FAMILIES * 4
    kill_when(own_database, path, lambda out: "| 2000/" in out)
    assert persons_in(own_database) in (0, total)
    kill_when(own_database, path, lambda out: "100%" in out)
    assert persons_in(own_database) in (0, total)
    dtks(own_database, "import", str(path), "--no-checks")
    assert persons_in(own_database) == total
