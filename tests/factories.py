from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehold.accounts.models import Staff, Team

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
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(StaffFactory)
    name = "Test authenticator"
    confirmed = True
