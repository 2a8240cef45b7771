from __future__ import annotations

import factory

from safehold.accounts.authenticators import new_sealed_seed
from safehold.accounts.models import Authenticator, Staff, Team

PASSWORD = "correct horse battery staple"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = "Northgate"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Faker("name", locale="en_GB")
    sex = "female"
    role = "officer"
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password(PASSWORD)


class DeviceFactory(factory.django.DjangoModelFactory):
    """An authenticator, its seed sealed as sign-in seals it (accounts/authenticators.py)."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(StaffFactory)
    name = "Test authenticator"
    confirmed = True
    key = factory.LazyAttribute(lambda device: new_sealed_seed(staff_id=device.user.pk))
