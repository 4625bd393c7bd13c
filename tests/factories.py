"""Factories for the small worlds tests build (never for demo data)."""

import uuid

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.constants import Role
from cms.constants import SchoolKind
from cms.models import School

PASSWORD = "un-mot-de-passe-solide-2026"


ROLE_MIGRATIONS = (
    ("accounts.migrations.0002_roles", "create_roles"),
    ("billing.migrations.0002_finance_permissions", "grant"),
    ("billing.migrations.0007_services_permissions", "grant"),
    ("billing.migrations.0012_fiscal_attestation", "grant"),
    ("notifications.migrations.0003_editor_permissions", "grant"),
)


def _grant_role_permissions() -> None:
    """Run the migrations' own functions, with the migrations' model states
    (never the live app registry: they switch its ``models_module`` off)."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    state_apps = MigrationLoader(connection).project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(importlib.import_module(module), function)(state_apps, None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)

    role = None

    class Params:
        director = factory.Trait(role=Role.DIRECTOR)
        editor = factory.Trait(role=Role.EDITOR)
        finance = factory.Trait(role=Role.FINANCE)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        role = kwargs.pop("role", None)
        user = super()._create(model_class, *args, **kwargs)
        if role is not None:
            group = Group.objects.filter(name=role.value).first()
            if group is None:
                # A transactional test flushed the groups the migrations
                # made: make them again, with their permissions, as they do.
                _grant_role_permissions()
                group = Group.objects.get(name=role.value)
            user.groups.add(group)
        return user

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        kwargs.pop("role", None)
        return super()._build(model_class, *args, **kwargs)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"École test {n}")
    kind = SchoolKind.ELEMENTAIRE
    postal_code = "97228"
    commune = "Sainte-Luce"


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Family"

    name = factory.Sequence(lambda n: f"Famille Test {n}")
    postal_code = "97228"
    commune = "Sainte-Luce"


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Child"

    family = factory.SubFactory(FamilyFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.SelfAttribute("family.name")
    birth_date = factory.Faker("date_between", start_date="-10y", end_date="-3y")
    level = "CP"


class GuardianFactory(UserFactory):
    family = factory.SubFactory(FamilyFactory)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A dossier's answers; ``submitted=True`` makes it submitted (without
    starting the workflow: call ``workflows.services.dossier_open``)."""

    class Meta:
        model = "inscrire_forms.Submission"

    child = factory.SubFactory(ChildFactory)
    family = factory.SelfAttribute("child.family")
    school = factory.SubFactory(SchoolFactory)
    form_title = "Inscription scolaire"
    definition = factory.LazyFunction(lambda: {"steps": [{"title": "Enfant", "items": []}]})
    answers = factory.LazyFunction(dict)

    class Params:
        submitted = factory.Trait(
            status="submitted", submitted_at=factory.LazyFunction(timezone.now)
        )


# --- Procedures and their stages ---------------------------------------------------------------


def built_in_group(kind: str = "school_directors"):
    """One of the two built-in reviewer groups (the migration makes them;
    get_or_create: transactional tests flush them)."""
    from workflows.models import ReviewerGroup

    names = {"school_directors": "Direction de l'école du dossier", "finance": "Agents financiers"}
    return ReviewerGroup.objects.get_or_create(kind=kind, defaults={"name": names[kind]})[0]


NO_CONDITION = {"match": "all", "clauses": []}


def review_block(title: str = "Validation par l'école", *, groups=None, decisions=("validate", "refuse", "correct"),
                 condition: dict | None = None, routing: str = "school", routing_question: str = "",
                 fallback=None, delay_days=None) -> dict:
    """A « Examen » stage as the page editor stores it."""
    groups = groups or [built_in_group()]
    return {"type": "review", "value": {
        "title": title, "groups": [{"type": "item", "value": g.pk, "id": str(uuid.uuid4())} for g in groups], "routing": routing,
        "routing_question": routing_question, "fallback": fallback.pk if fallback else None,
        "decisions": list(decisions), "condition": condition or NO_CONDITION, "delay_days": delay_days}}


def payment_block(services=("canteen", "after_school", "study", "transport"), title: str = "Paiement") -> dict:
    return {"type": "payment", "value": {"title": title, "services": list(services), "condition": NO_CONDITION}}


def attestation_block(title: str = "", body: str = "", signature: str = "") -> dict:
    return {"type": "attestation", "value": {"title": title, "body": body, "signature": signature}}


def switch_stages(*, validation_required: bool = True, validation_role: str = "director",
                  corrections_allowed: bool = True, payment_required: bool = False,
                  attestation_enabled: bool = False) -> list[dict]:
    """The stages that the procedures' old switches meant (as the 0008
    migration writes them): most tests need nothing more."""
    blocks = []
    if validation_required:
        decisions = ("validate", "refuse", "correct") if corrections_allowed else ("validate", "refuse")
        group = built_in_group("finance" if validation_role == "finance" else "school_directors")
        blocks.append(review_block(groups=[group], decisions=decisions))
    if payment_required:
        blocks.append(payment_block())
    if attestation_enabled:
        blocks.append(attestation_block())
    return blocks


def _directors_review() -> list[dict]:
    group = built_in_group()
    return [{"kind": "review", "title": "Validation par l'école", "condition": None, "groups": [group.pk],
             "routing": "school", "routing_question": "", "fallback": None,
             "decisions": ["validate", "refuse", "correct"], "delay_days": None, "group": group.pk, "note": ""}]


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier row without its process, at a review by the school's
    directors: for lists and counts. Use ``workflows.services.dossier_open``
    when the workflow matters."""

    class Meta:
        model = "workflows.Dossier"
        skip_postgeneration_save = True

    submission = factory.SubFactory(SubmissionFactory, submitted=True)
    family = factory.SelfAttribute("submission.family")
    child = factory.SelfAttribute("submission.child")
    school = factory.SelfAttribute("submission.school")
    submitted_at = factory.LazyFunction(timezone.now)
    reference = factory.Sequence(lambda n: f"2026-{n:05d}")
    stages = factory.LazyFunction(_directors_review)
    review_group = factory.LazyFunction(built_in_group)

    @factory.post_generation
    def reviewers(self, create, extracted, **kwargs):
        if create:
            from workflows.models import DossierReviewer

            for group_id in {s["group"] for s in self.stages if s.get("group")}:
                DossierReviewer.objects.get_or_create(dossier=self, group_id=group_id)

    @factory.post_generation
    def counted(self, create, extracted, **kwargs):
        """In the staff list's counter, as the services count theirs."""
        if create:
            from workflows.services import dossier_counted

            dossier_counted(dossier=self)


def site_home(*, slug: str, title: str = "Accueil"):
    """A home page under the tree's root, served as the default site for
    ``testserver``. Recreates the root (and the default locale) when a
    transactional test flushed what the migrations made."""
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=HomePage(title=title, slug=slug))
    Site.objects.update(is_default_site=False)
    Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True, site_name="Inscrire")
    return home
