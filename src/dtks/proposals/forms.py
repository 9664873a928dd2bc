"""Forms of the proposal pages. They parse input into what `actions.create_proposal` and
`edit_proposal` take (subtype, person, payload); the actions decide and save.

Each kind of proposal has an `Entry`: its forms (the registry's family and member forms where
the proposal carries registry data) and how they read into a payload. A correction keeps only
the values that differ from the registry's, so its before → after lists what it changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from dtks.core.errors import DomainError
from dtks.registry import choices as c
from dtks.registry.forms import FamilyForm, MemberForm, MemberFormSet, PersonForm
from dtks.registry.models import Family, Membership, Person

from .models import Document, Kind, ProgramProposal

if TYPE_CHECKING:
    from .models import Proposal

NON_DTKS = "pbi_non_dtks"  # the URL slug of a PBI-JKN non-DTKS proposal (kind `program`)
DEACTIVATE_FAMILY = "deactivate_family"  # the URL slug of a whole family's deactivation
FAMILY_PROGRAMS = [(v, label) for v, label in ProgramProposal.choices if v != NON_DTKS]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Explanation and evidence"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the number of the death certificate or the SKTM."),
    )


class DeactivateForm(NoteForm):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    reason = forms.ChoiceField(label=_("Reason"), choices=c.InactiveReason.choices)

    field_order = ["person", "reason", "note"]

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = family.current_memberships().order_by("relationship", "id")
        self.fields["person"].choices = [
            (m.person_id, f"{m.person.name} ({m.get_relationship_display()})") for m in members
        ]


class DeactivateFamilyForm(NoteForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=c.InactiveReason.choices,
        help_text=_(
            "Every current member becomes inactive with this reason and the family's "
            "programs end with the previous month."
        ),
    )

    field_order = ["reason", "note"]


class ProgramForm(NoteForm):
    program = forms.ChoiceField(label=_("Program"), choices=FAMILY_PROGRAMS)

    field_order = ["program", "note"]


class FamilyLookupForm(forms.Form):
    """The family a proposal concerns, found by its No. KK in the desa."""

    no_kk = forms.CharField(label=_("No. KK"), max_length=20)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Document.Kind.choices)
    file = forms.FileField(label=_("File"))


class StepNoteForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)


def differing(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if current.get(k) != v}


class Entry:
    """The forms of one kind of proposal and what they read into."""

    kind: str = ""
    title = _("Proposal")

    def __init__(
        self, data: Any, *, family: Family | None, person: Person | None, proposal: Proposal | None
    ) -> None:
        self.family, self.person = family, person
        self.payload = dict(proposal.payload) if proposal else {}
        self.editing = proposal is not None
        self.form = self.build(data)
        self.formset: Any = None

    def build(self, data: Any) -> forms.Form:
        return NoteForm(data, initial=self.payload)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return (self.formset.is_valid() if self.formset is not None else True) and valid

    def subtype(self) -> str:
        return ""

    def target_person(self) -> Person | None:
        return self.person

    def read(self) -> dict[str, Any]:
        """The payload the valid forms give."""
        return {"note": self.form.cleaned_data.get("note", "")}

    def add_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.form.fields else None
        self.form.add_error(field, error.message)


class NewFamilyEntry(Entry):
    kind, title = Kind.NEW_FAMILY, _("Propose a new family")

    def build(self, data: Any) -> forms.Form:
        self.formset_initial = self.payload.get("members")
        return FamilyForm(data, initial=self.payload.get("family"))

    def __init__(self, data: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.formset = MemberFormSet(data, prefix="members", initial=self.formset_initial)

    def read(self) -> dict[str, Any]:
        return {"family": self.form.cleaned_data, "members": self.formset.members()}


class NewMemberEntry(Entry):
    kind, title = Kind.NEW_MEMBER, _("Propose a new member")

    def build(self, data: Any) -> forms.Form:
        initial = {
            **self.payload.get("person", {}),
            "relationship": self.payload.get("relationship"),
        }
        return MemberForm(data, initial=initial)

    def read(self) -> dict[str, Any]:
        person = dict(self.form.cleaned_data)
        return {"person": person, "relationship": person.pop("relationship")}


class CorrectFamilyEntry(Entry):
    kind, title = Kind.CORRECT_FAMILY, _("Propose a family correction")

    def build(self, data: Any) -> forms.Form:
        instance = Family.objects.get(pk=self.family.pk)
        self.current = model_to_dict(instance)
        return FamilyForm(data, instance=instance, initial=self.payload.get("family"))

    def read(self) -> dict[str, Any]:
        return {"family": differing(self.form.cleaned_data, self.current)}


class CorrectPersonEntry(Entry):
    kind, title = Kind.CORRECT_PERSON, _("Propose a person correction")

    def build(self, data: Any) -> forms.Form:
        instance = Person.objects.get(pk=self.person.pk)
        relationship = (
            Membership.objects.filter(family=self.family, person=instance, end_date=None)
            .values_list("relationship", flat=True)
            .first()
        )
        self.current = {**model_to_dict(instance), "relationship": relationship}
        initial = {"relationship": relationship, **self.payload.get("person", {})}
        if "relationship" in self.payload:
            initial["relationship"] = self.payload["relationship"]
        return MemberForm(data, instance=instance, initial=initial)

    def read(self) -> dict[str, Any]:
        changed = differing(self.form.cleaned_data, self.current)
        payload: dict[str, Any] = {"person": changed}
        if "relationship" in changed:
            payload["relationship"] = changed.pop("relationship")
        return payload


class DeactivateEntry(Entry):
    kind, title = Kind.DEACTIVATE, _("Propose a deactivation")

    def build(self, data: Any) -> forms.Form:
        if self.editing:
            return NoteForm(data, initial=self.payload)
        initial = {"person": self.person.pk} if self.person else None
        return DeactivateForm(data, family=self.family, initial=initial)

    def subtype(self) -> str:
        return self.form.cleaned_data["reason"]

    def target_person(self) -> Person | None:
        return Person.objects.get(pk=self.form.cleaned_data["person"])


class DeactivateFamilyEntry(Entry):
    kind, title = Kind.DEACTIVATE, _("Propose deactivating the whole family")

    def build(self, data: Any) -> forms.Form:
        return NoteForm(data, initial=self.payload) if self.editing else DeactivateFamilyForm(data)

    def subtype(self) -> str:
        return self.form.cleaned_data["reason"]

    def target_person(self) -> Person | None:
        return None


class ProgramEntry(Entry):
    kind, title = Kind.PROGRAM, _("Propose a program")

    def build(self, data: Any) -> forms.Form:
        return NoteForm(data, initial=self.payload) if self.editing else ProgramForm(data)

    def subtype(self) -> str:
        return self.form.cleaned_data["program"]


class NonDtksEntry(Entry):
    kind, title = Kind.PROGRAM, _("Propose PBI-JKN for a person outside DTKS")

    def build(self, data: Any) -> forms.Form:
        return PersonForm(data, initial=self.payload.get("person"))

    def subtype(self) -> str:
        return NON_DTKS

    def read(self) -> dict[str, Any]:
        return {"person": self.form.cleaned_data}


ENTRIES: dict[str, type[Entry]] = {
    Kind.NEW_FAMILY: NewFamilyEntry,
    Kind.NEW_MEMBER: NewMemberEntry,
    Kind.CORRECT_FAMILY: CorrectFamilyEntry,
    Kind.CORRECT_PERSON: CorrectPersonEntry,
    Kind.DEACTIVATE: DeactivateEntry,
    DEACTIVATE_FAMILY: DeactivateFamilyEntry,
    Kind.PROGRAM: ProgramEntry,
    NON_DTKS: NonDtksEntry,
}
# What the page needs before its forms: a family (found by No. KK), and a person of it.
NEEDS_FAMILY = frozenset(
    {Kind.NEW_MEMBER, Kind.CORRECT_FAMILY, Kind.CORRECT_PERSON, Kind.DEACTIVATE, Kind.PROGRAM}
) | {DEACTIVATE_FAMILY}
NEEDS_PERSON = frozenset({Kind.CORRECT_PERSON})


def entry_slug(proposal: Proposal) -> str:
    """The `ENTRIES` key of an existing proposal."""
    if proposal.kind == Kind.PROGRAM and proposal.subtype == NON_DTKS:
        return NON_DTKS
    if proposal.kind == Kind.DEACTIVATE and not proposal.person_id:
        return DEACTIVATE_FAMILY
    return proposal.kind
