"""Loads the demo content. Idempotent: what exists is left as it is (an
editor may have changed it), what is missing is created."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Page, Site

from accounts.constants import Role
from cms.models import HelpIndexPage, HelpPage, HomePage, School

from workflows.services import reviewer_access_sync

from . import consents, content, dossiers, enrolment, payments, procedures, reviewers


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)


def _home(report: DemoReport) -> HomePage:
    home = HomePage.objects.first()
    root = Page.get_first_root_node()
    if home is None:
        home = root.add_child(instance=HomePage(title=content.HOME["title"], slug=content.HOME["slug"],
                                                intro=content.HOME["intro"]))
        report.created.append(f"page « {home.title} »")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="Inscrire")
    elif site.root_page_id != home.pk:
        previous = site.root_page
        site.root_page = home
        site.site_name = "Inscrire"
        site.save()
        # Wagtail's placeholder « Welcome to your new Wagtail site! » page.
        if type(previous.specific) is Page and not previous.get_children().exists():
            previous.delete()
    return home


def _help_pages(home: HomePage, report: DemoReport) -> None:
    for index_data, help_pages in content.HELP_SECTIONS:
        _help_section(home, index_data, help_pages, report)


def _help_section(home: HomePage, index_data: dict, help_pages: list, report: DemoReport) -> None:
    index = HelpIndexPage.objects.child_of(home).filter(slug=index_data["slug"]).first()
    if index is None:
        index = home.add_child(instance=HelpIndexPage(**index_data))
        report.created.append(f"page « {index.title} »")
    pages: dict[str, HelpPage] = {}
    pending_links: list[HelpPage] = []
    for slug, title, summary, body in help_pages:
        page = HelpPage.objects.child_of(index).filter(slug=slug).first()
        if page is None:
            has_links = any(isinstance(item, tuple) for item in body)
            blocks = [item for item in body if not isinstance(item, tuple)] if has_links else body
            page = index.add_child(instance=HelpPage(title=title, slug=slug, summary=summary, body=blocks))
            report.created.append(f"page « {title} »")
            if has_links:
                pending_links.append(page)
        pages[slug] = page
    # « Pour plus d'infos » links point to pages that may not have existed yet.
    bodies = {slug: body for slug, _title, _summary, body in help_pages}
    for page in pending_links:
        resolved = [
            {"type": "link", "value": {"text": "Pour plus d'infos", "page": pages[item[1]].pk, "url": ""}}
            if isinstance(item, tuple)
            else item
            for item in bodies[page.slug]
        ]
        page.body = resolved
        page.save_revision().publish()


def _schools(report: DemoReport) -> dict[str, School]:
    schools = {}
    for data in content.SCHOOLS:
        data = dict(data)
        slug = data.pop("slug")
        school, created = School.objects.get_or_create(
            name=data["name"], postal_code=data["postal_code"], defaults=data
        )
        if created:
            report.created.append(f"école « {school} »")
        elif school.code != data["code"] and not School.objects.filter(code=data["code"]).exists():
            # A school made before codes existed got a random one from the
            # migration; the demo's help text gives families this one.
            school.code = data["code"]
            school.save(update_fields=["code"])
        schools[slug] = school
    return schools


def _user(report: DemoReport, role_label: str, email: str, first: str, last: str, *, group: Role | None = None,
          superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        factory = User.objects.create_superuser if superuser else User.objects.create_user
        user = factory(email=email, password=content.DEMO_PASSWORD, first_name=first, last_name=last)
        report.created.append(f"compte {email}")
    if group is not None:
        user.groups.add(Group.objects.get(name=group.value))
    report.logins.append(DemoLogin(role_label, email, content.DEMO_PASSWORD))
    return user


def _users(schools: dict[str, School], report: DemoReport) -> dict:
    d = content.DEMO_DOMAIN
    _user(report, "administrateur", f"admin@{d}", "Alice", "Admin", superuser=True)
    _user(report, "rédacteur", f"redaction@{d}", "Rose", "Rédactrice", group=Role.EDITOR)
    for slug, school in schools.items():
        director = _user(report, f"direction — {school}", f"direction.{slug}@{d}", "Directeur",
                         school.commune, group=Role.DIRECTOR)
        school.directors.add(director)
    _user(report, "agent financier", f"finance@{d}", "Fabrice", "Finance", group=Role.FINANCE)
    groups = reviewers.load_reviewer_groups(
        schools=schools, report=report,
        make_user=lambda role, email, first, last: _user(report, role, email, first, last),
    )
    reviewer_access_sync()  # the groups' members reach the workspace (« Instructeurs »)
    parent = _user(report, "parent", f"parent@{d}", "Marie", "Joseph")
    if parent.family_id is None:
        _demo_family(parent, schools["sainte-luce-maternelle"], report)
    return groups


def _demo_family(parent, school: School, report: DemoReport) -> None:
    """The demo parent's family: two children at the Sainte-Luce nursery
    school, address confirmed, so that a dossier can be filed at once."""
    from datetime import date

    from django.utils import timezone

    from accounts.constants import SchoolLevel
    from accounts.models import Child, Family

    family = Family.objects.create(name="Joseph", address="Rue Schœlcher", postal_code="97228",
                                   commune="Sainte-Luce", phone="0696 12 34 56")
    family.schools.add(school)
    Child.objects.create(family=family, first_name="Léa", last_name="Joseph", birth_date=date(2022, 3, 14),
                         level=SchoolLevel.PS)
    Child.objects.create(family=family, first_name="Noé", last_name="Joseph", birth_date=date(2020, 9, 2),
                         level=SchoolLevel.GS)
    parent.family = family
    parent.email_confirmed_at = parent.email_confirmed_at or timezone.now()
    parent.save(update_fields=["family", "email_confirmed_at"])
    report.created.append("famille Joseph (Léa et Noé)")


@transaction.atomic
def load_demo() -> DemoReport:
    report = DemoReport()
    home = _home(report)
    _help_pages(home, report)
    schools = _schools(report)
    groups = _users(schools, report)
    enrolment_page = enrolment.load_enrolment_form(home=home, groups=groups, report=report)
    procedures.load_after_school_form(home=home, groups=groups, report=report)
    procedures.load_canteen_form(home=home, report=report)
    consents.load_consents(home=home, schools=schools, report=report)
    payments.load_payments(report=report)
    dossiers.load_dossiers(enrolment=enrolment_page, schools=schools, report=report)
    for key, (name, first_name, local, _children) in dossiers.FAMILIES.items():
        if key != "joseph":  # the demo parent is listed already
            report.logins.append(DemoLogin(f"parent — famille {name}", f"{local}@{content.DEMO_DOMAIN}",
                                           content.DEMO_PASSWORD))
    return report
