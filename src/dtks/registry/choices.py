"""Regsosek 2022 codes (the DTSEN instrument) and DTKS statuses, as Django choices.

Numbers are the questionnaire's codes, so exchange files and BPS forms map one to one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class MaritalStatus(models.IntegerChoices):
    SINGLE = 1, _("Never married")
    MARRIED = 2, _("Married")
    DIVORCED = 3, _("Divorced")
    WIDOWED = 4, _("Widowed")


class Relationship(models.IntegerChoices):
    HEAD = 1, _("Head of family")
    SPOUSE = 2, _("Wife/husband")
    CHILD = 3, _("Child")
    CHILD_IN_LAW = 4, _("Child-in-law")
    GRANDCHILD = 5, _("Grandchild")
    PARENT = 6, _("Parent/parent-in-law")
    HELPER = 7, _("Domestic helper/driver")
    OTHER = 8, _("Other")


class Presence(models.IntegerChoices):
    """Keberadaan anggota keluarga (Regsosek)."""

    LIVING = 1, _("Living with the family")
    DIED = 2, _("Died")
    MOVED = 3, _("Moved within Indonesia")
    MOVED_ABROAD = 4, _("Moved abroad")
    NEW = 5, _("New member")
    NOT_FOUND = 6, _("Not found")


class RecordStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class InactiveReason(models.TextChoices):
    DIED = "died", _("Died")
    MOVED = "moved", _("Moved")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible (well-off)")
    CIVIL_SERVANT = "civil_servant", _("ASN/TNI/Polri")
    OTHER = "other", _("Other")


class Tenure(models.IntegerChoices):
    OWN = 1, _("Owned")
    RENT = 2, _("Contract/rent")
    RENT_FREE = 3, _("Rent-free")
    OFFICIAL = 4, _("Official housing")
    OTHER = 5, _("Other")


class Floor(models.IntegerChoices):
    MARBLE = 1, _("Marble/granite")
    CERAMIC = 2, _("Ceramic")
    PARQUET = 3, _("Parquet/vinyl/carpet")
    TILE = 4, _("Tile/terrazzo")
    WOOD = 5, _("Wood/board")
    CEMENT = 6, _("Cement/red brick")
    BAMBOO = 7, _("Bamboo")
    EARTH = 8, _("Earth")
    OTHER = 9, _("Other")


class Wall(models.IntegerChoices):
    MASONRY = 1, _("Masonry")
    PLASTERED_BAMBOO = 2, _("Plastered woven bamboo/wire")
    WOOD = 3, _("Wood/board/gypsum")
    WOVEN_BAMBOO = 4, _("Woven bamboo")
    LOGS = 5, _("Logs")
    BAMBOO = 6, _("Bamboo")
    OTHER = 7, _("Other")


class Roof(models.IntegerChoices):
    CONCRETE = 1, _("Concrete")
    CLAY_TILE = 2, _("Roof tiles")
    ZINC = 3, _("Zinc")
    ASBESTOS = 4, _("Asbestos")
    BAMBOO = 5, _("Bamboo")
    WOOD = 6, _("Wood/shingles")
    STRAW = 7, _("Straw/palm fibre/leaves/thatch")
    OTHER = 8, _("Other")


class DrinkingWater(models.IntegerChoices):
    BOTTLED = 1, _("Branded bottled water")
    REFILL = 2, _("Refilled water")
    PIPED = 3, _("Piped water")
    BORE_WELL = 4, _("Bore well/pump")
    PROTECTED_WELL = 5, _("Protected well")
    UNPROTECTED_WELL = 6, _("Unprotected well")
    PROTECTED_SPRING = 7, _("Protected spring")
    UNPROTECTED_SPRING = 8, _("Unprotected spring")
    SURFACE = 9, _("Surface water (river/lake/reservoir)")
    RAIN = 10, _("Rainwater")
    OTHER = 11, _("Other")


class Lighting(models.IntegerChoices):
    PLN_METERED = 1, _("PLN electricity with a meter")
    PLN_UNMETERED = 2, _("PLN electricity without a meter")
    NON_PLN = 3, _("Non-PLN electricity")
    NOT_ELECTRIC = 4, _("Not electricity")


class Power(models.IntegerChoices):
    W450 = 1, "450 W"
    W900 = 2, "900 W"
    W1300 = 3, _("1,300 W")
    W2200 = 4, _("2,200 W")
    ABOVE_2200 = 5, _("> 2,200 W")


class CookingFuel(models.IntegerChoices):
    ELECTRIC = 1, _("Electricity")
    LPG_5_5 = 2, _("LPG 5.5 kg/blue gaz")
    LPG_12 = 3, _("LPG 12 kg")
    LPG_3 = 4, _("LPG 3 kg")
    CITY_GAS = 5, _("Piped city gas")
    BIOGAS = 6, _("Biogas")
    KEROSENE = 7, _("Kerosene")
    BRIQUETTE = 8, _("Briquettes")
    CHARCOAL = 9, _("Charcoal")
    FIREWOOD = 10, _("Firewood")
    OTHER = 11, _("Other")
    NONE = 12, _("Does not cook at home")


class Toilet(models.IntegerChoices):
    OWN = 1, _("Own")
    SHARED = 2, _("Shared with certain households")
    COMMUNAL = 3, _("Communal washing and toilet block (MCK)")
    PUBLIC = 4, _("Public washing and toilet block (MCK)")
    UNUSED = 5, _("Present, not used")
    NONE = 6, _("None")


class Sewage(models.IntegerChoices):
    SEPTIC = 1, _("Septic tank")
    IPAL = 2, _("Wastewater treatment plant (IPAL)")
    POND = 3, _("Pond/rice field/river/lake/sea")
    HOLE = 4, _("Hole in the ground")
    OPEN = 5, _("Beach/open field/garden")
    OTHER = 6, _("Other")


class Education(models.IntegerChoices):
    NONE = 1, _("No schooling/not yet in school")
    SD = 2, _("Primary school (SD) or equivalent")
    SMP = 3, _("Junior secondary school (SMP) or equivalent")
    SMA = 4, _("Senior secondary school (SMA) or equivalent")
    DIPLOMA = 5, _("Diploma")
    S1 = 6, _("Bachelor's degree (S1/D4)")
    S2_PLUS = 7, _("Master's or doctorate (S2/S3)")


class SchoolStatus(models.IntegerChoices):
    NEVER = 1, _("Never attended school")
    ATTENDING = 2, _("Still in school")
    NOT_ATTENDING = 3, _("No longer in school")


class WorkStatus(models.IntegerChoices):
    OWN_ACCOUNT = 1, _("Own-account worker")
    EMPLOYER_TEMP = 2, _("Employer with temporary workers")
    EMPLOYER = 3, _("Employer with permanent workers")
    EMPLOYEE = 4, _("Employee")
    FREELANCE = 5, _("Casual worker")
    FAMILY_WORKER = 6, _("Family or unpaid worker")


class Difficulty(models.IntegerChoices):
    """Washington Group style scale for functional difficulty."""

    CANNOT = 1, _("Cannot do it at all")
    A_LOT = 2, _("A lot of difficulty")
    SOME = 3, _("Some difficulty")
    NONE = 4, _("No difficulty")


class HealthInsurance(models.TextChoices):
    NONE = "none", _("No health insurance")
    PBI_JKN = "pbi_jkn", _("PBI-JKN")
    JKN_MANDIRI = "jkn_mandiri", _("JKN, self-paid (mandiri)")
    JKN_EMPLOYER = "jkn_employer", _("JKN, paid by the employer")
    OTHER = "other", _("Other")


class Program(models.TextChoices):
    BPNT = "bpnt", _("Sembako/BPNT")
    PKH = "pkh", _("PKH")
    BLT_DESA = "blt_desa", _("BLT Dana Desa")
    ELECTRICITY = "electricity", _("Electricity subsidy")
    PEMDA = "pemda", _("Local government aid")
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
