"""Factories for the small worlds tests build (never for demo data)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.constants import Role
from cms.constants import SchoolKind
from cms.models import School

PASSWORD = "un-mot-de-passe-solide-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    class Params:
        director = factory.Trait(role=Role.DIRECTOR)
        editor = factory.Trait(role=Role.EDITOR)
        finance = factory.Trait(role=Role.FINANCE)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted.value))


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"École test {n}")
    kind = SchoolKind.ELEMENTAIRE
    postal_code = "97228"
    commune = "Sainte-Luce"
