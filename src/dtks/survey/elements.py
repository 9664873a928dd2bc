"""The nine elements (unsur) of the public satisfaction survey, PermenPANRB 14/2017.

The regulation (Lampiran, "Contoh kuesioner") asks one question per element with four answers,
scored 1 (worst) to 4 (best). The questions and answers are the regulation's own Indonesian
wording and are shown as they are in every UI language: every respondent of every unit must
answer the same questionnaire, so they are data, not catalogue strings. Checked against the
regulation's text (PermenPANRB 14/2017) and unit questionnaires built on it, e.g.
https://pdfcoffee.com/download/bagaimana-pendapat-saudara-tentang-kesesuaian-persyaratan-pelayanan-dengan-jenis-pelayananya-pdf-free.html
(questions 1-7) and https://sirusa.web.bps.go.id/metadata/variabel/104486 (sarana dan
prasarana: Buruk / Cukup / Baik / Sangat Baik).

The elements follow the regulation's list (Bab II): U8 is the handling of complaints, U9 the
facilities; the regulation's sample questionnaire asks about facilities before complaints,
which changes nothing in the index (every element weighs the same).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    code: str  # "u1" … "u9": also the Response field holding the answer
    name: str
    question: str
    answers: tuple[str, str, str, str]  # the labels of scores 1, 2, 3, 4

    @property
    def choices(self) -> list[tuple[int, str]]:
        return [(score, label) for score, label in enumerate(self.answers, start=1)]


ELEMENTS: tuple[Element, ...] = (
    Element(
        "u1",
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "u2",
        "Sistem, Mekanisme, dan Prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        "u3",
        "Waktu Penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        "u4",
        "Biaya/Tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        "u5",
        "Produk Spesifikasi Jenis Pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Element(
        "u6",
        "Kompetensi Pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        "u7",
        "Perilaku Pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
        "dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Element(
        "u8",
        "Penanganan Pengaduan, Saran dan Masukan",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    Element(
        "u9",
        "Sarana dan Prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)

ELEMENT_CODES: tuple[str, ...] = tuple(e.code for e in ELEMENTS)
SCORES = (1, 2, 3, 4)
