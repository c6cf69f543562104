"""One factory per state: forces, units, and users in each role with a confirmed authenticator."""

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import Force, RoleGrant, Unit, User

TEST_PASSWORD = "correct-horse-battery-staple-42"


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Force {n}")
    code = factory.Sequence(lambda n: f"force{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")
    unit_type = Unit.Type.RESPONSE


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a password, one role, one unit, and a confirmed TOTP device."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@police.example")
    force = factory.SubFactory(ForceFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or ["officer"]:
            RoleGrant.objects.create(user=self, role=role)

    @factory.post_generation
    def units(self, create: bool, extracted: list[Unit] | None, **kwargs: object) -> None:
        if extracted:
            self.units.set(extracted)

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if extracted is not False:
            TOTPDevice.objects.create(user=self, name="app", confirmed=True)
        self.save()
