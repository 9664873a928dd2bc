"""factory_boy factories for tests. Values come from `dtks.demo.synth`, shared with the demo."""

from __future__ import annotations

import datetime as dt

import factory

from dtks.accounts.models import RoleAssignment, User
from dtks.demo.synth import make_nik, make_no_kk
from dtks.registry import choices as c
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.registry.search_names import refresh_member_names
from dtks.wilayah.models import Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-123")

    class Params:
        # The holder's own NIK and No. KK, which a data role needs (assign_role refuses it
        # otherwise); born on a day no factory person has, so no test family is theirs.
        identified = factory.Trait(
            nik=factory.Sequence(
                lambda n: make_nik("17.09.03", dt.date(1961, 2, 3), 1, n % 9999 + 1)
            ),
            no_kk=factory.Sequence(
                lambda n: make_no_kk("17.09.03", dt.date(1999, 9, 9), n % 9999 + 1)
            ),
        )

    @factory.post_generation
    def roles(
        self, create: bool, extracted: list[tuple[str, str]] | None, **kwargs: object
    ) -> None:
        self.save()
        for role, area in extracted or []:
            RoleAssignment.objects.create(user=self, role=role, area_id=area)


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    desa_id = "17.09.01.2001"
    id_dtks = factory.Sequence(lambda n: f"T{n:09d}")
    no_kk = factory.LazyAttributeSequence(
        lambda o, n: (
            make_no_kk(o.desa_id[:8], dt.date(2015, 1, 1), n % 10000 + 1)
            if n < 10000
            else make_no_kk(
                o.desa_id[:8], dt.date(2016, 1, 1) + dt.timedelta(days=n // 10000), n % 10000 + 1
            )
        )
    )
    address = factory.Sequence(lambda n: f"Jl. Merdeka No. {n}")
    rt = "001"
    rw = "002"
    data_year = 2023


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        kecamatan = "17.09.01"

    id_dtks = factory.Sequence(lambda n: f"P{n:09d}")
    name = factory.Sequence(lambda n: f"Warga {n}")
    birth_place = "Bengkulu"
    birth_date = dt.date(1985, 8, 17)
    sex = c.Sex.MALE
    marital_status = c.MaritalStatus.MARRIED
    mother_name = "Siti Aminah"
    nik = factory.LazyAttributeSequence(
        lambda o, n: make_nik(o.kecamatan, o.birth_date, o.sex, n % 9999 + 1)
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    relationship = c.Relationship.HEAD
    start_date = dt.date(2020, 1, 1)

    @classmethod
    def _create(cls, model_class: type[Membership], *args: object, **kwargs: object) -> Membership:
        """Keep the family's search names in step, as the registry actions do."""
        membership = super()._create(model_class, *args, **kwargs)
        refresh_member_names(Family.objects.filter(pk=membership.family_id))
        return membership


class FamilyProgramFactory(factory.django.DjangoModelFactory):
    """A program the family receives, from January 2023 with no last month (ongoing)."""

    class Meta:
        model = FamilyProgram

    family = factory.SubFactory(FamilyFactory)
    program = c.Program.PKH
    start_month = dt.date(2023, 1, 1)


def family_with_members(
    desa: str = "17.09.01.2001", size: int = 3, **family_kwargs: object
) -> Family:
    """A consistent family: a head, a spouse, and children younger than both."""
    family = FamilyFactory(desa_id=desa, **family_kwargs)
    kec = desa[:8]
    MembershipFactory(
        family=family,
        person=PersonFactory(kecamatan=kec, birth_date=dt.date(1980, 3, 4), sex=c.Sex.MALE),
        relationship=c.Relationship.HEAD,
    )
    if size > 1:
        MembershipFactory(
            family=family,
            person=PersonFactory(kecamatan=kec, birth_date=dt.date(1983, 5, 6), sex=c.Sex.FEMALE),
            relationship=c.Relationship.SPOUSE,
        )
    for i in range(max(0, size - 2)):
        MembershipFactory(
            family=family,
            person=PersonFactory(
                kecamatan=kec,
                birth_date=dt.date(2008 + i, 1 + i % 12, 10),
                sex=c.Sex.FEMALE if i % 2 else c.Sex.MALE,
                marital_status=c.MaritalStatus.SINGLE,
                mother_name="Ani",
            ),
            relationship=c.Relationship.CHILD,
        )
    return family


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An ASN of the Dinas; `nip` is valid (born 1985, appointed 2010, serial from the
    sequence)."""

    class Meta:
        model = "performance.Employee"

    nip = factory.Sequence(lambda n: f"19850101201001{1 + n % 2}{100 + n:03d}")
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    kind = "pns"
    jabatan = "Pengisi Data"
    unit = "Bidang Perlindungan dan Jaminan Sosial"
