"""Regsosek 2022 codes (the DTSEN instrument) and DTKS statuses, as Django choices.

Numbers are the questionnaire's codes, so exchange files and BPS forms map one to one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.IntegerChoices):
    MALE = 1, _("Laki-laki")
    FEMALE = 2, _("Perempuan")


class MaritalStatus(models.IntegerChoices):
    SINGLE = 1, _("Belum kawin")
    MARRIED = 2, _("Kawin")
    DIVORCED = 3, _("Cerai hidup")
    WIDOWED = 4, _("Cerai mati")


class Relationship(models.IntegerChoices):
    HEAD = 1, _("Kepala keluarga")
    SPOUSE = 2, _("Istri/suami")
    CHILD = 3, _("Anak")
    CHILD_IN_LAW = 4, _("Menantu")
    GRANDCHILD = 5, _("Cucu")
    PARENT = 6, _("Orang tua/mertua")
    HELPER = 7, _("Pembantu/sopir")
    OTHER = 8, _("Lainnya")


class Presence(models.IntegerChoices):
    """Keberadaan anggota keluarga (Regsosek)."""

    LIVING = 1, _("Tinggal bersama keluarga")
    DIED = 2, _("Meninggal")
    MOVED = 3, _("Pindah dalam negeri")
    MOVED_ABROAD = 4, _("Pindah ke luar negeri")
    NEW = 5, _("Anggota baru")
    NOT_FOUND = 6, _("Tidak ditemukan")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Aktif")
    INACTIVE = "inactive", _("Nonaktif")


class InactiveReason(models.TextChoices):
    DIED = "died", _("Meninggal")
    MOVED = "moved", _("Pindah")
    DUPLICATE = "duplicate", _("Ganda")
    NOT_ELIGIBLE = "not_eligible", _("Tidak layak/mampu")
    CIVIL_SERVANT = "civil_servant", _("ASN/TNI/Polri")
    OTHER = "other", _("Lainnya")


class Tenure(models.IntegerChoices):
    OWN = 1, _("Milik sendiri")
    RENT = 2, _("Kontrak/sewa")
    RENT_FREE = 3, _("Bebas sewa")
    OFFICIAL = 4, _("Dinas")
    OTHER = 5, _("Lainnya")


class Floor(models.IntegerChoices):
    MARBLE = 1, _("Marmer/granit")
    CERAMIC = 2, _("Keramik")
    PARQUET = 3, _("Parket/vinil/karpet")
    TILE = 4, _("Ubin/tegel/teraso")
    WOOD = 5, _("Kayu/papan")
    CEMENT = 6, _("Semen/bata merah")
    BAMBOO = 7, _("Bambu")
    EARTH = 8, _("Tanah")
    OTHER = 9, _("Lainnya")


class Wall(models.IntegerChoices):
    MASONRY = 1, _("Tembok")
    PLASTERED_BAMBOO = 2, _("Plesteran anyaman bambu/kawat")
    WOOD = 3, _("Kayu/papan/gipsum")
    WOVEN_BAMBOO = 4, _("Anyaman bambu")
    LOGS = 5, _("Batang kayu")
    BAMBOO = 6, _("Bambu")
    OTHER = 7, _("Lainnya")


class Roof(models.IntegerChoices):
    CONCRETE = 1, _("Beton")
    CLAY_TILE = 2, _("Genteng")
    ZINC = 3, _("Seng")
    ASBESTOS = 4, _("Asbes")
    BAMBOO = 5, _("Bambu")
    WOOD = 6, _("Kayu/sirap")
    STRAW = 7, _("Jerami/ijuk/daun/rumbia")
    OTHER = 8, _("Lainnya")


class DrinkingWater(models.IntegerChoices):
    BOTTLED = 1, _("Air kemasan bermerk")
    REFILL = 2, _("Air isi ulang")
    PIPED = 3, _("Leding")
    BORE_WELL = 4, _("Sumur bor/pompa")
    PROTECTED_WELL = 5, _("Sumur terlindung")
    UNPROTECTED_WELL = 6, _("Sumur tak terlindung")
    PROTECTED_SPRING = 7, _("Mata air terlindung")
    UNPROTECTED_SPRING = 8, _("Mata air tak terlindung")
    SURFACE = 9, _("Air permukaan (sungai/danau/waduk)")
    RAIN = 10, _("Air hujan")
    OTHER = 11, _("Lainnya")


class Lighting(models.IntegerChoices):
    PLN_METERED = 1, _("Listrik PLN dengan meteran")
    PLN_UNMETERED = 2, _("Listrik PLN tanpa meteran")
    NON_PLN = 3, _("Listrik non-PLN")
    NOT_ELECTRIC = 4, _("Bukan listrik")


class Power(models.IntegerChoices):
    W450 = 1, "450 W"
    W900 = 2, "900 W"
    W1300 = 3, "1.300 W"
    W2200 = 4, "2.200 W"
    ABOVE_2200 = 5, _("> 2.200 W")


class CookingFuel(models.IntegerChoices):
    ELECTRIC = 1, _("Listrik")
    LPG_5_5 = 2, _("Elpiji 5,5 kg/blue gaz")
    LPG_12 = 3, _("Elpiji 12 kg")
    LPG_3 = 4, _("Elpiji 3 kg")
    CITY_GAS = 5, _("Gas kota")
    BIOGAS = 6, _("Biogas")
    KEROSENE = 7, _("Minyak tanah")
    BRIQUETTE = 8, _("Briket")
    CHARCOAL = 9, _("Arang")
    FIREWOOD = 10, _("Kayu bakar")
    OTHER = 11, _("Lainnya")
    NONE = 12, _("Tidak memasak di rumah")


class Toilet(models.IntegerChoices):
    OWN = 1, _("Sendiri")
    SHARED = 2, _("Bersama rumah tangga tertentu")
    COMMUNAL = 3, _("MCK komunal")
    PUBLIC = 4, _("MCK umum")
    UNUSED = 5, _("Ada, tidak digunakan")
    NONE = 6, _("Tidak ada")


class Sewage(models.IntegerChoices):
    SEPTIC = 1, _("Tangki septik")
    IPAL = 2, _("IPAL")
    POND = 3, _("Kolam/sawah/sungai/danau/laut")
    HOLE = 4, _("Lubang tanah")
    OPEN = 5, _("Pantai/tanah lapang/kebun")
    OTHER = 6, _("Lainnya")


class Education(models.IntegerChoices):
    NONE = 1, _("Tidak/belum sekolah")
    SD = 2, _("SD/sederajat")
    SMP = 3, _("SMP/sederajat")
    SMA = 4, _("SMA/sederajat")
    DIPLOMA = 5, _("Diploma")
    S1 = 6, _("S1/D4")
    S2_PLUS = 7, _("S2/S3")


class SchoolStatus(models.IntegerChoices):
    NEVER = 1, _("Tidak/belum pernah sekolah")
    ATTENDING = 2, _("Masih sekolah")
    NOT_ATTENDING = 3, _("Tidak bersekolah lagi")


class WorkStatus(models.IntegerChoices):
    OWN_ACCOUNT = 1, _("Berusaha sendiri")
    EMPLOYER_TEMP = 2, _("Berusaha dibantu buruh tidak tetap")
    EMPLOYER = 3, _("Berusaha dibantu buruh tetap")
    EMPLOYEE = 4, _("Buruh/karyawan/pegawai")
    FREELANCE = 5, _("Pekerja bebas")
    FAMILY_WORKER = 6, _("Pekerja keluarga/tidak dibayar")


class Difficulty(models.IntegerChoices):
    """Washington Group style scale for functional difficulty."""

    CANNOT = 1, _("Tidak dapat sama sekali")
    A_LOT = 2, _("Banyak kesulitan")
    SOME = 3, _("Sedikit kesulitan")
    NONE = 4, _("Tidak ada kesulitan")


class HealthInsurance(models.TextChoices):
    NONE = "none", _("Tidak punya")
    PBI_JKN = "pbi_jkn", _("PBI-JKN")
    JKN_MANDIRI = "jkn_mandiri", _("JKN mandiri")
    JKN_EMPLOYER = "jkn_employer", _("JKN pemberi kerja")
    OTHER = "other", _("Lainnya")


class Program(models.TextChoices):
    BPNT = "bpnt", _("Sembako/BPNT")
    PKH = "pkh", _("PKH")
    BLT_DESA = "blt_desa", _("BLT Dana Desa")
    ELECTRICITY = "electricity", _("Subsidi listrik")
    PEMDA = "pemda", _("Bantuan pemda")
    PBI_JKN = "pbi_jkn", _("PBI-JKN")
    PIP = "pip", _("PIP/KIP")


# Assets asked in Regsosek 2022 (block on assets): boolean columns on Family.
ASSET_FIELDS: tuple[str, ...] = (
    "asset_gas_cylinder",
    "asset_refrigerator",
    "asset_ac",
    "asset_water_heater",
    "asset_landline",
    "asset_flat_tv",
    "asset_gold",
    "asset_computer",
    "asset_motorcycle",
    "asset_boat",
    "asset_motor_boat",
    "asset_car",
    "asset_land",
)
