"""Formatters of a performance `Report`: a text table, JSON, and the "Laporan Kinerja" PDF.
They only format what `report` computed.

JSON contract (`dtks performance --format json`): the top-level keys are exactly `kuantitas`,
`kualitas`, `waktu`, `biaya`, `perilaku`; each holds `verdict` (`baik` / `belum baik`),
`score`, `recommendation` and `indicators` (each with `indicator`, `measure`, `target`,
`unit`, `realisation`, `score`, `verdict`, `evidence`, `manual`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from dtks.proposals.pack_pdf import date_id, latin1

from .report import ASPECTS, BAIK, PERILAKU, AspectResult, Line, Report

ORDER = (*ASPECTS, PERILAKU)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "indicator": line.indicator,
        "measure": line.measure,
        "target": _number(line.target),
        "unit": line.unit,
        "realisation": _number(line.realised.value),
        "score": _number(line.score),
        "verdict": BAIK if line.baik else "belum baik",
        "evidence": line.realised.evidence,
        "manual": line.realised.manual,
    }


def as_json(report: Report) -> dict[str, Any]:
    """The report as plain data, one key per aspect (see the module doc)."""
    return {
        name: {
            "verdict": result.verdict,
            "score": _number(result.score),
            "recommendation": result.recommendation,
            "indicators": [_line_json(line) for line in result.lines],
        }
        for name, result in ((n, report.aspects[n]) for n in ORDER)
    }


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}".replace(",", "·").replace(".", ",").replace("·", ".")


def as_table(report: Report) -> str:
    """A fixed-width table for a terminal: per aspect its indicators, then the verdict."""
    head = _("Performance %(subject)s %(year)s (%(regime)s)") % {
        "subject": report.subject + (f" · NIP {report.nip}" if report.nip else ""),
        "year": report.year,
        "regime": report.regime,
    }
    out = [head, "=" * len(head)]
    columns = (_("Indicator"), _("Target"), _("Realisation"), _("Score"), _("Verdict"))
    for name in ORDER:
        result = report.aspects[name]
        out.append("")
        out.append(f"{name.upper()}: {result.verdict} ({_plain(result.score)})")
        out.append(
            f"  {columns[0]:<58} {columns[1]:>10} {columns[2]:>12} {columns[3]:>8}  {columns[4]}"
        )
        for line in result.lines:
            verdict = BAIK if line.baik else "belum baik"
            manual = " *" if line.realised.manual else ""
            out.append(
                f"  {line.indicator[:58]:<58} {_plain(line.target):>10} "
                f"{_plain(line.realised.value):>12} {_plain(line.score):>8}  {verdict}{manual}"
            )
        out.append(f"  → {result.recommendation}")
    if report.outcome:
        out += ["", _outcome_text(report)]
    return "\n".join(out) + "\n"


def _outcome_text(report: Report) -> str:
    o = report.outcome
    if o.value is None:
        return _("Predikat: %(predikat)s") % {"predikat": o.predikat}
    return _(
        "SKP %(skp)s, behaviour %(behaviour)s, final value %(value)s: predikat %(predikat)s"
    ) % {
        "skp": _plain(o.skp),
        "behaviour": _plain(o.behaviour),
        "value": _plain(o.value),
        "predikat": o.predikat,
    }


class ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 5, latin1(_("Page %(n)s") % {"n": self.page_no()}), align="R")


def as_pdf(report: Report) -> bytes:
    """The "Laporan Kinerja": for each aspect what was measured, the figure, the verdict and a
    recommendation drawn from the gap, in the order of the seed's findings."""
    pdf = ReportPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin1(_("Performance report (Laporan Kinerja)")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    subject = report.subject + (f" - NIP {report.nip}" if report.nip else "")
    for text in (
        subject,
        _("Year %(year)s · appraisal regime %(regime)s")
        % {"year": report.year, "regime": report.regime},
        _("Computed from the work log on %(day)s") % {"day": date_id(timezone.localdate())},
    ):
        pdf.cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _summary(pdf, report)
    if report.outcome:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, latin1(_outcome_text(report)), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for name in ORDER:
        _aspect(pdf, name, report.aspects[name])
    return bytes(pdf.output())


def _summary(pdf: FPDF, report: Report) -> None:
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(50, 7, latin1(_("Aspect")), border=1)
    pdf.cell(30, 7, latin1(_("Score")), border=1, align="R")
    pdf.cell(40, 7, latin1(_("Verdict")), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for name in ORDER:
        result = report.aspects[name]
        pdf.cell(50, 7, latin1(name), border=1)
        pdf.cell(30, 7, latin1(_plain(result.score)), border=1, align="R")
        pdf.cell(40, 7, latin1(result.verdict), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _aspect(pdf: FPDF, name: str, result: AspectResult) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, latin1(f"{name.capitalize()}: {result.verdict}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for line in result.lines:
        evidence = ", ".join(f"{k} {v}" for k, v in line.realised.evidence.items())
        text = _(
            "%(indicator)s: target %(target)s %(unit)s, realisation %(real)s, score %(score)s "
            "(%(verdict)s)%(manual)s. Evidence: %(evidence)s."
        ) % {
            "indicator": line.indicator,
            "target": _plain(line.target),
            "unit": line.unit,
            "real": _plain(line.realised.value),
            "score": _plain(line.score),
            "verdict": BAIK if line.baik else "belum baik",
            "manual": (" " + _("entered by hand")) if line.realised.manual else "",
            "evidence": evidence or "–",
        }
        if line.realised.note:
            text += " " + line.realised.note
        pdf.multi_cell(0, 5, latin1("- " + text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        latin1(_("Recommendation: %(text)s") % {"text": result.recommendation}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
