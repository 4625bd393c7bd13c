import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.models import Site

from accounts.models import Child, Family
from cms.models import HelpIndexPage, PortalSettings, SchoolRules
from tests.factories import PASSWORD, SchoolFactory, UserFactory, site_home


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits live in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    return Site.objects.get(root_page=site_home(slug="accueil-test"))


@pytest.fixture
def terms_page(site):
    """The terms of use, published once through a revision (version = its id)."""
    page = site.root_page.add_child(instance=HelpIndexPage(title="Conditions générales d'utilisation", slug="cgu"))
    page.save_revision().publish()
    page.refresh_from_db()
    PortalSettings.objects.update_or_create(site=site, defaults={"terms_page": page})
    return page


def make_rules(school, version="2026-2027", published_at=None):
    document = Document.objects.create(title=f"Règlement {school.name} {version}", file=ContentFile(b"%PDF-1.4 test", name="reglement.pdf"))
    return SchoolRules.objects.create(
        school=school, version=version, document=document,
        **({"published_at": published_at} if published_at else {}),
    )


@pytest.fixture
def schools(db):
    """Two schools in Sainte-Luce (97228), one in Le Marin (97290), one in Le Diamant (97223)."""
    return {
        "maternelle": SchoolFactory(name="École maternelle du Bourg", postal_code="97228", commune="Sainte-Luce"),
        "elementaire": SchoolFactory(name="École élémentaire Trois-Rivières", postal_code="97228", commune="Sainte-Luce"),
        "marin": SchoolFactory(name="Groupe scolaire du Marin", postal_code="97290", commune="Le Marin"),
        "diamant": SchoolFactory(name="École primaire du Diamant", postal_code="97223", commune="Le Diamant"),
    }


@pytest.fixture
def rules(schools):
    return {"maternelle": make_rules(schools["maternelle"])}


def make_family(name, *, school=None, email=None, confirmed=True):
    family = Family.objects.create(name=name, address="1 rue Schœlcher", postal_code="97228", commune="Sainte-Luce")
    if school is not None:
        family.schools.add(school)
    user = UserFactory(
        email=email or f"{name.lower()}@example.org", last_name=name, family=family,
        email_confirmed_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) if confirmed else None,
    )
    Child.objects.create(family=family, first_name="Léa", last_name=name, birth_date=dt.date(2021, 3, 14), level="MS")
    return user


@pytest.fixture
def parent(schools):
    return make_family("Joseph", school=schools["maternelle"])


@pytest.fixture
def other_parent(schools):
    return make_family("Bellay", school=schools["marin"])


@pytest.fixture
def password():
    return PASSWORD
