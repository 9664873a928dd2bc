"""`dtks dedup INPUT --output PAIRS.csv [--threshold P]`: file mode, for anyone's file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.linkage.people import DUPLICATES, NAMESAKES, PLANTED, TWINS, flat_row, write_file


def _run(tmp_path: Path, *args: str, rows: list[dict[str, str]] | None = None) -> list[dict]:
    source = write_file(tmp_path / "dtks.csv", rows)
    out = tmp_path / "pairs.csv"
    call_command("dedup", str(source), "--output", str(out), *args)
    with out.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    return _run(tmp_path_factory.mktemp("dedup"))


def _ids(pairs: list[dict]) -> set[tuple[str, str]]:
    return {(p["id_l"], p["id_r"]) for p in pairs}


def test_writes_exactly_the_pair_columns(tmp_path: Path) -> None:
    _run(tmp_path)
    header = (tmp_path / "pairs.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "id_l,id_r,match_probability"


def test_finds_the_known_duplicates(pairs: list[dict]) -> None:
    assert _ids(pairs) >= DUPLICATES


def test_namesakes_and_twins_are_not_one_person(pairs: list[dict]) -> None:
    assert NAMESAKES not in _ids(pairs)
    assert TWINS not in _ids(pairs)


def test_every_pair_is_at_or_above_the_default_threshold(pairs: list[dict]) -> None:
    assert all(0.8 <= float(p["match_probability"]) <= 1 for p in pairs)
    assert all(p["id_l"] < p["id_r"] for p in pairs)


def test_threshold_option_is_honoured(tmp_path: Path, pairs: list[dict]) -> None:
    low = _run(tmp_path, "--threshold", "0.01")
    strict = _run(tmp_path, "--threshold", "0.999999")
    assert _ids(strict) <= _ids(pairs) <= _ids(low)
    assert all(float(p["match_probability"]) >= 0.01 for p in low)
    assert all(float(p["match_probability"]) >= 0.999999 for p in strict)


def test_prints_how_many_pairs_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pairs = _run(tmp_path)
    assert f"{len(pairs)} " in capsys.readouterr().out


def test_columns_other_than_iddtks_may_be_missing(tmp_path: Path) -> None:
    rows = [{"iddtks": r[0], "nama": r[1], "tanggal_lahir": r[2]} for r in PLANTED]
    assert ("A1", "A2") in _ids(_run(tmp_path, "--threshold", "0.5", rows=rows))


def test_refuses_a_file_without_iddtks(tmp_path: Path) -> None:
    source = tmp_path / "no-id.csv"
    source.write_text("nama,tanggal_lahir\nSiti,01-01-1980\n", encoding="utf-8")
    with pytest.raises(CommandError, match="iddtks"):
        call_command("dedup", str(source), "--output", str(tmp_path / "out.csv"))


def test_refuses_rows_without_iddtks_or_with_a_repeated_one(tmp_path: Path) -> None:
    for broken in ([flat_row("", *PLANTED[0][1:])], [flat_row(*PLANTED[0]), flat_row(*PLANTED[0])]):
        source = write_file(tmp_path / "broken.csv", broken)
        with pytest.raises(CommandError, match="iddtks"):
            call_command("dedup", str(source), "--output", str(tmp_path / "out.csv"))


def test_refuses_an_empty_file(tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("dedup", str(source), "--output", str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_a_file_with_a_header_only_gives_no_pairs(tmp_path: Path) -> None:
    assert _run(tmp_path, rows=[]) == []


@pytest.mark.parametrize("threshold", ["0", "1.5", "-0.2"])
def test_refuses_a_threshold_outside_0_to_1(tmp_path: Path, threshold: str) -> None:
    source = write_file(tmp_path / "dtks.csv")
    with pytest.raises(CommandError):
        call_command(
            "dedup", str(source), "--output", str(tmp_path / "o.csv"), "--threshold", threshold
        )


def test_reads_an_xlsx_file(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from dtks.imports.columns import FLAT_COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(list(FLAT_COLUMNS))
    for r in PLANTED:
        row = flat_row(*r)
        sheet.append([row.get(c, "") for c in FLAT_COLUMNS])
    book.save(tmp_path / "dtks.xlsx")
    call_command("dedup", str(tmp_path / "dtks.xlsx"), "--output", str(tmp_path / "pairs.csv"))
    with (tmp_path / "pairs.csv").open(encoding="utf-8") as handle:
        assert ("A1", "A2") in _ids(list(csv.DictReader(handle)))


def test_train_learns_from_the_file_and_writes_the_model(tmp_path: Path) -> None:
    pairs = _run(tmp_path, "--train", "--model", str(tmp_path / "model.json"))
    assert ("A1", "A2") in _ids(pairs)
    assert NAMESAKES not in _ids(pairs) and TWINS not in _ids(pairs)
    again = _run(tmp_path, "--model", str(tmp_path / "model.json"))
    assert _ids(again) == _ids(pairs)


def test_truth_is_for_training_only(tmp_path: Path) -> None:
    source = write_file(tmp_path / "dtks.csv")
    truth = tmp_path / "truth.csv"
    truth.write_text("iddtks,person\nA1,1\nA2,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--train"):
        call_command(
            "dedup", str(source), "--output", str(tmp_path / "o.csv"), "--truth", str(truth)
        )


def test_refuses_a_model_file_that_is_not_there(tmp_path: Path) -> None:
    source = write_file(tmp_path / "dtks.csv")
    with pytest.raises(CommandError, match=r"nowhere\.json"):
        call_command(
            "dedup", str(source), "--output", str(tmp_path / "o.csv"), "--model", "nowhere.json"
        )


def test_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("iddtks,nama\n1,Siti\n2,Jérôme\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("dedup", str(source), "--output", str(tmp_path / "o.csv"))
