"""ID DTKS for records created in dtks.

Format: the desa's 10 code digits, `K` (keluarga) or `P` (individu), and a 6-digit sequence
within that desa: `1709012001K000123`. Records imported from the ministry keep their own ID.
"""

from __future__ import annotations

from django.db.models import Max

FAMILY = "K"
PERSON = "P"


def format_id_dtks(desa_code: str, kind: str, seq: int) -> str:
    return f"{desa_code.replace('.', '')}{kind}{seq:06d}"


def next_id_dtks(desa_code: str, kind: str) -> str:
    """The next free ID in the desa. Call inside the creating transaction (IDs are unique, so a
    concurrent creator that takes the same number fails and retries rather than duplicating)."""
    from .models import Family, Person

    model = Family if kind == FAMILY else Person
    prefix = f"{desa_code.replace('.', '')}{kind}"
    top = model.objects.filter(
        id_dtks__startswith=prefix, id_dtks__regex=rf"^{prefix}[0-9]{{6}}$"
    ).aggregate(top=Max("id_dtks"))["top"]
    seq = int(top[len(prefix) :]) + 1 if top else 1
    return format_id_dtks(desa_code, kind, seq)
