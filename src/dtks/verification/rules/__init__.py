"""Data-quality rules, registered by code in `RULES` (see `base.py` for the shape of a rule).

Add a rule by writing a pure function in a module here and decorating it with `register`; import
the module below so it is entered. Codes are a contract with the demo, imports and reports.
"""

from __future__ import annotations

from . import family, person  # noqa: F401  (register the family- and person-level rules)
from .base import (
    ERROR,
    FAMILY,
    PERSON,
    RULES,
    WARNING,
    CheckContext,
    Checker,
    FrameCheck,
    Hit,
    PersonData,
    Rule,
    RuleFinding,
    check_frame,
    check_person,
    register,
    rules_for,
)
from .family_vector import (
    FamilyChecker,
    FamilyData,
    FamilyFrameCheck,
    MemberData,
    check_families,
    check_family,
)

__all__ = [
    "ERROR",
    "FAMILY",
    "PERSON",
    "RULES",
    "WARNING",
    "CheckContext",
    "Checker",
    "FamilyChecker",
    "FamilyData",
    "FamilyFrameCheck",
    "FrameCheck",
    "Hit",
    "MemberData",
    "PersonData",
    "Rule",
    "RuleFinding",
    "check_families",
    "check_family",
    "check_frame",
    "check_person",
    "register",
    "rules_for",
]
