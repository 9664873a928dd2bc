"""Kemendagri regions: provinsi → kabupaten/kota → kecamatan → desa/kelurahan.

One table for all four levels, keyed by the dotted Kemendagri code (`17`, `17.09`, `17.09.01`,
`17.09.01.2001`). The code is the key everywhere (a family points at its desa by code), so an
area scope is a prefix match on an indexed column: `17.09` covers every code starting `17.09.`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINSI = 1, _("Province")
    KABUPATEN = 2, _("Kabupaten/city")
    KECAMATAN = 3, _("Kecamatan")
    DESA = 4, _("Desa/Kelurahan")


class Kind(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("City (kota)")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DISTRIK = "distrik", _("Distrik")
    DESA = "desa", _("Desa")
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA_ADAT = "desa_adat", _("Desa adat")


def code_prefix_q(field: str, code: str) -> Q:
    """Rows whose `field` holds `code` itself or any code below it in the tree."""
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


class RegionQuerySet(models.QuerySet["Region"]):
    def at_level(self, level: int) -> RegionQuerySet:
        return self.filter(level=level)

    def within(self, code: str) -> RegionQuerySet:
        """The region `code` and everything below it."""
        return self.filter(code_prefix_q("code", code))

    def villages(self) -> RegionQuerySet:
        return self.filter(level=Level.DESA)


class Region(models.Model):
    code = models.CharField(_("Kemendagri code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    bps_code = models.CharField(_("BPS code"), max_length=10, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """`Kab. Bengkulu Tengah`, `Kec. Karang Tinggi`, `Desa Taba Terunjam`."""
        prefix = {
            Kind.KABUPATEN: "Kab.",
            Kind.KOTA: "Kota",
            Kind.KECAMATAN: "Kec.",
            Kind.DESA: "Desa",
            Kind.KELURAHAN: "Kel.",
        }.get(Kind(self.kind), "")
        return f"{prefix} {self.name}".strip()

    @property
    def is_kelurahan(self) -> bool:
        return self.kind == Kind.KELURAHAN

    def ancestor_codes(self) -> list[str]:
        """Codes of this region and its ancestors, top first (`17`, `17.09`, …)."""
        parts = self.code.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]
