"""The access matrix: every URL of the site × every role.

The URLs come from the URL configuration itself (``get_resolver()``, walked
recursively): every public and family URL, and the Wagtail admin URLs whose
view is the project's own code. Each one must have a line in ``RULES``
saying who may reach it; a new URL without one fails
``test_every_url_has_a_rule`` with the line to add.

Each URL is requested, with its kwargs filled with the ids of family A's
objects at school X, by anonymous visitors, family A, family B, the
directors of schools X and Y, a finance agent and an editor. Whoever is not
allowed gets 403/404 or the login page; whoever is not allowed to see family
A's child never finds the child's name in the answer (page, error page or
redirect), even on pages they may reach. No answer is ever a 500.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import AccountInvitation, Child, hash_token
from forms.models import Document
from tests.factories import FamilyFactory, SchoolFactory, SubmissionFactory, UserFactory, site_home
from tests.forms.conftest import PDF, confirmed
from workflows import services as workflow_services

pytestmark = pytest.mark.django_db

# reviewer_x: a member of a reviewer group covering school X, which examines family A's dossier at a
# later stage (it sees the dossier read-only); reviewer_y: a member of a group covering school Y.
ROLES = ("anonymous", "family_a", "family_b", "director_x", "director_y", "finance", "editor", "reviewer_x",
         "reviewer_y")
PROJECT_MODULES = ("accounts.", "forms.", "workflows.", "payments.", "billing.", "notifications.", "cms.", "privacy.",
                   "files.", "inscrire.")

# Family A's child: names nobody else has, so that finding them in a page is a leak.
CHILD_FIRST, CHILD_LAST = "Zéphyrine", "Quintal-Matrice"

# --- Who may reach what -----------------------------------------------------------------------------

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
FAMILIES = frozenset({"family_a", "family_b"})
FAMILY_A = frozenset({"family_a"})
DIRECTOR_X = frozenset({"director_x"})
SEES_DOSSIER = frozenset({"director_x", "reviewer_x"})
DIRECTORS = frozenset({"director_x", "director_y"})
REVIEWERS = frozenset({"reviewer_x", "reviewer_y"})
WORKSPACE = frozenset({"director_x", "director_y", "finance"}) | REVIEWERS
EDITORS = frozenset({"editor"})
NOBODY = frozenset()


@dataclass(frozen=True)
class Rule:
    """``reach``: the roles that get in (anything but 403/404/login).
    ``method``: how the URL is asked (POST-only views are posted empty).
    ``sees_child``: the roles allowed to read family A's child on it."""

    reach: frozenset
    method: str = "get"
    sees_child: frozenset = frozenset({"family_a", "director_x", "reviewer_x"})
    lands_on: str = ""  # where the view sends those it served (not a refusal)


RULES: dict[str, Rule] = {
    # Public pages (Wagtail's page tree and its helpers).
    "wagtail_serve": Rule(EVERYONE),
    "wagtailcore_login": Rule(EVERYONE),
    # An unknown restriction or document id: 404 for everyone, never a 500.
    "wagtailcore_authenticate_with_password": Rule(NOBODY),
    "wagtaildocs_serve": Rule(NOBODY),
    "wagtaildocs_authenticate_with_password": Rule(NOBODY),
    # Account: sign in and up, confirmation and password links are public.
    "accounts:login": Rule(EVERYONE),
    "accounts:logout": Rule(EVERYONE, method="post"),
    # Django's language switch (footer form): anyone may choose French or English.
    "set_language": Rule(EVERYONE, method="post"),
    "accounts:signup": Rule(EVERYONE),
    # Signed-in people have nothing to sign up for: sent to « Mon compte ».
    "accounts:signup_step": Rule(frozenset({"anonymous"})),
    # The sign-up's last page says « look in your mailbox », to anyone.
    "accounts:signup_done": Rule(EVERYONE),
    # Links with a token: an invalid token is a 404 for everyone.
    "accounts:confirm_email": Rule(NOBODY),
    "accounts:confirmation_resend": Rule(SIGNED_IN, method="post", lands_on="/compte/"),
    "accounts:password_change": Rule(SIGNED_IN),
    "accounts:password_reset": Rule(EVERYONE),
    "accounts:password_reset_done": Rule(EVERYONE),
    "accounts:password_reset_confirm": Rule(EVERYONE),
    "accounts:password_reset_complete": Rule(EVERYONE),
    "accounts:guardian_accept": Rule(NOBODY),
    # « Mon compte »: each family its own; staff are sent to their account page.
    "accounts:account": Rule(SIGNED_IN),
    "accounts:contact_edit": Rule(FAMILIES),
    "accounts:child_add": Rule(FAMILIES),
    "accounts:child_edit": Rule(FAMILY_A),
    "accounts:guardian_invite": Rule(FAMILIES),
    "accounts:consents": Rule(FAMILIES),
    # Notifications on the phone: off here (no VAPID key), so a 404 for all;
    # with keys, families only (tests/accounts/test_push_devices.py).
    "accounts:push_subscribe": Rule(NOBODY, method="post"),
    "accounts:push_unsubscribe": Rule(NOBODY, method="post"),
    # The installable app: its manifest, service worker and offline page are anyone's.
    "pwa_manifest": Rule(EVERYONE),
    "pwa_service_worker": Rule(EVERYONE),
    "pwa_offline": Rule(EVERYONE),
    # Family area: the lists are everyone's own; a dossier is its family's.
    "dossiers:list": Rule(SIGNED_IN),
    "dossiers:family_dossier": Rule(FAMILY_A),
    "dossiers:family_withdraw": Rule(FAMILY_A, method="post"),
    "dossiers:start": Rule(SIGNED_IN, method="post"),
    "dossiers:detail": Rule(FAMILY_A),
    "dossiers:step": Rule(FAMILY_A),
    "dossiers:review": Rule(FAMILY_A),
    # A document, by its one path: the family, and staff who may see its
    # submitted dossier (the directors of its school).
    "dossiers:document": Rule(frozenset({"family_a"}) | SEES_DOSSIER),
    # The matrix's dossier has no attestation: the route is tested with a
    # real one in test_billing_access_matrix.py.
    "dossiers:attestation": Rule(NOBODY),
    # Two-factor authentication: staff enrol an app (families have none to
    # enrol); the code page serves those who enrolled one (nobody here).
    "twofactor:setup": Rule(WORKSPACE | EDITORS),
    "twofactor:verify": Rule(NOBODY),
    # The message editor's live preview (issue 18): editors only, as the editor itself.
    "wagtailsnippets_notifications_messagetemplate:preview_on_add": Rule(EDITORS),
    "wagtailsnippets_notifications_messagetemplate:preview_on_edit": Rule(EDITORS),
    # Staff workspace (Wagtail admin).
    # Directors invite for their schools, editors for any school.
    "accounts_invite_family": Rule(DIRECTORS | EDITORS),
    # An invitation (family A's school X, never used) is re-sent by the staff of
    # school X, or by an editor; the director of school Y does not even find it.
    "accounts_invitation_resend": Rule(DIRECTOR_X | EDITORS, method="post"),
    "workflows_admin:index": Rule(WORKSPACE),
    "workflows_admin:validate_many": Rule(WORKSPACE, method="post"),
    # The dossier waits for its school's directors; the group of its later stage sees it, read-only.
    "workflows_admin:detail": Rule(SEES_DOSSIER),
    "workflows_admin:decide": Rule(DIRECTOR_X, method="post"),
    "workflows_admin:message": Rule(SEES_DOSSIER, method="post"),
    # The reviewer's tools: whoever sees the dossier reaches them (the service refuses, with its
    # reason, taking charge or asking an opinion to those the dossier does not wait for); only the
    # one asked answers an opinion.
    "workflows_admin:take_charge": Rule(SEES_DOSSIER, method="post"),
    "workflows_admin:note": Rule(SEES_DOSSIER, method="post"),
    "workflows_admin:opinion_ask": Rule(SEES_DOSSIER, method="post"),
    "workflows_admin:opinion_answer": Rule(frozenset({"reviewer_x"}), method="post"),
    "workflows_admin:audit": Rule(SEES_DOSSIER),
    "workflows_admin:export": Rule(WORKSPACE, method="post"),
    # An export is its requester's only; the matrix has none at the dossier's id.
    "workflows_admin:export_status": Rule(NOBODY),
    "workflows_admin:export_download": Rule(NOBODY),
    "workflows_admin:statistics": Rule(WORKSPACE | EDITORS),
    # Page ids in the matrix are not help indexes nor form pages: refused to all.
    "cms_school_year_next": Rule(NOBODY),
    "privacy:my_data": Rule(FAMILIES),
    "privacy:download": Rule(FAMILIES),
    # The outbox: editors follow what was sent. Its subjects name children,
    # so editors do read them there.
    # The outbox holds families' messages: administrators only (not a matrix role).
    "notification:index": Rule(NOBODY),
    "notification:index_results": Rule(NOBODY),
    "notification:inspect": Rule(NOBODY),
    "notification:resend": Rule(NOBODY),
    # Payments (billing): the matrix's dossier asks for no payment nor
    # attestation, so its payment pages are a 404 for everyone here; unknown
    # card payments too. The real checks, on a world with payments, are in
    # test_billing_access_matrix.py.
    "billing:pay": Rule(NOBODY),
    "billing:mandate_create": Rule(NOBODY, method="post"),
    "billing:mandate_pdf": Rule(NOBODY),
    "billing:mandate_upload": Rule(NOBODY, method="post"),
    "billing:card_start": Rule(NOBODY, method="post"),
    "billing:cash_slip": Rule(NOBODY),
    "billing:card_pay": Rule(NOBODY),
    "billing:card_return": Rule(NOBODY),
    "process_payment": Rule(NOBODY),
    # Bills: every family has its own list; no bill exists at the matrix's
    # number (another family's bill is a 404: tests/billing/test_bills.py).
    "billing:bills": Rule(FAMILIES),
    "billing:bill": Rule(NOBODY),
    "billing:bill_pdf": Rule(NOBODY),
    "billing:bill_receipt": Rule(NOBODY),
    "billing:bill_card_start": Rule(NOBODY, method="post"),
    # Attestations fiscales: every family has its list; nothing was paid in
    # this world (the real checks: the payments matrix).
    "billing:fiscal_attestations": Rule(FAMILIES),
    "billing:fiscal_attestation_pdf": Rule(NOBODY),
    # Reservations and the quotient familial: each family has its pages; the
    # matrix's dossier is not confirmed and has no service (its calendar and
    # absences are 404 for all), and there is no declaration « 1 » — real
    # ones in test_billing_access_matrix.py.
    "billing:reservations": Rule(FAMILIES),
    "billing:reservation_month": Rule(NOBODY),
    "billing:absence_declare": Rule(NOBODY, method="post"),
    "billing:quotient": Rule(FAMILIES),
    "billing:quotient_document": Rule(NOBODY),
    # The finance workspace: finance agents only; no mandate, debit or
    # payment dossier exists at the matrix's ids. The real checks, on a world
    # with payments, are in test_billing_access_matrix.py.
    "billing_admin:index": Rule(frozenset({"finance"})),
    "billing_admin:export": Rule(frozenset({"finance"}), method="post"),
    "billing_admin:export_file": Rule(NOBODY),  # no month « 1 »; a real month in the billing matrix
    "billing_admin:mandate": Rule(NOBODY),
    "billing_admin:mandate_document": Rule(NOBODY),
    "billing_admin:mandate_validate": Rule(NOBODY, method="post"),
    "billing_admin:mandate_refuse": Rule(NOBODY, method="post"),
    "billing_admin:cash": Rule(NOBODY),
    "billing_admin:bill_cash": Rule(frozenset({"finance"})),
    "billing_admin:debit_reject": Rule(NOBODY, method="post"),
    "billing_admin:quotients": Rule(frozenset({"finance"})),
    "billing_admin:quotient": Rule(NOBODY),
    "billing_admin:quotient_document": Rule(NOBODY),
    "billing_admin:quotient_validate": Rule(NOBODY, method="post"),
    "billing_admin:quotient_refuse": Rule(NOBODY, method="post"),
}


# --- The URLs, from the URL configuration -----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    prefix: str
    module: str


def _view_module(pattern: URLPattern) -> str:
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    return (view_class or callback).__module__


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Route(name or "", pattern, prefix, _view_module(pattern))


def site_routes() -> list[Route]:
    """Every URL outside the Wagtail admin, and the admin URLs served by the
    project's own views."""
    routes = []
    for route in _walk(get_resolver().url_patterns):
        in_admin = route.prefix.startswith("cms/")
        if in_admin and not route.module.startswith(PROJECT_MODULES):
            continue
        if route.prefix.startswith("media/") or route.prefix.startswith("static/"):
            continue  # DEBUG-only file serving
        routes.append(route)
    return routes


def test_every_url_has_a_rule():
    routes = site_routes()
    unnamed = [f"/{r.prefix}{r.pattern.pattern} ({r.module})" for r in routes if not r.name]
    assert not unnamed, "Give these URLs a name so that the access matrix can hold a rule for them: " + ", ".join(
        unnamed
    )
    missing = sorted({r.name for r in routes} - RULES.keys())
    assert not missing, (
        "New URL(s) without an access rule: "
        + ", ".join(missing)
        + ". Add a line to RULES in tests/security/test_access_matrix.py saying which roles may reach each "
        "(e.g. \"" + missing[0] + "\": Rule(FAMILY_A)), and check that the others get 403/404."
    )


def test_no_rule_for_a_url_that_is_gone():
    names = {r.name for r in site_routes()}
    stale = sorted(RULES.keys() - names)
    assert not stale, f"RULES names URLs that no longer exist: {', '.join(stale)} — remove them."


# --- The world: family A's dossier at school X, and everybody else ------------------------------------


def _roles_open_the_admin() -> None:
    """The role groups' admin access, as the accounts migration grants it
    (transactional tests elsewhere flush it; the groups come back bare)."""
    from django.contrib.auth.models import Group, Permission

    from accounts.constants import Role

    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    for role in Role:
        Group.objects.get_or_create(name=role.value)[0].permissions.add(access)


@pytest.fixture
def world(db):
    _roles_open_the_admin()
    site_home(slug="accueil-matrice")

    school_x, school_y = SchoolFactory(name="École X"), SchoolFactory(name="École Y")
    director_x = UserFactory(director=True)
    director_y = UserFactory(director=True)
    school_x.directors.add(director_x)
    school_y.directors.add(director_y)

    family_a = FamilyFactory(name="Famille Alpha")
    family_b = FamilyFactory(name="Famille Bêta")
    family_a.schools.add(school_x)
    family_b.schools.add(school_y)
    parent_a = confirmed(UserFactory(family=family_a))
    parent_b = confirmed(UserFactory(family=family_b))
    child_a = Child.objects.create(family=family_a, first_name=CHILD_FIRST, last_name=CHILD_LAST,
                                   birth_date=dt.date(2020, 5, 17), level="PS")
    child_b = Child.objects.create(family=family_b, first_name="Basile", last_name="Bêta",
                                   birth_date=dt.date(2019, 2, 3), level="MS")

    with transaction.atomic():
        submission = SubmissionFactory(submitted=True, child=child_a, school=school_x, submitted_by=parent_a,
                                       answers={"remarque": f"{CHILD_FIRST} aime le dessin"})
        document = Document(submission=submission, field_name="piece", original_name="acte-naissance.pdf",
                            content_type="application/pdf", size=len(PDF), uploaded_by=parent_a)
        document.file.save("acte-naissance.pdf", ContentFile(PDF), save=False)
        document.save()
        dossier = workflow_services.dossier_open(submission=submission)
        submission_b = SubmissionFactory(submitted=True, child=child_b, school=school_y, submitted_by=parent_b)
        workflow_services.dossier_open(submission=submission_b)

    from notifications.models import Notification

    # A later stage of family A's dossier goes to a reviewer group covering school X; another group
    # covers school Y only.
    from workflows.models import DossierReviewer, ReviewerGroup

    reviewer_x, reviewer_y = UserFactory(), UserFactory()
    group_x = ReviewerGroup.objects.create(name="Service X")
    group_x.schools.add(school_x)
    group_x.members.add(reviewer_x)
    group_x.save()
    group_y = ReviewerGroup.objects.create(name="Service Y")
    group_y.schools.add(school_y)
    group_y.members.add(reviewer_y)
    group_y.save()
    workflow_services.reviewer_access_sync()
    dossier.stages = dossier.stages + [{"kind": "review", "title": "Examen X", "condition": None,
                                        "groups": [group_x.pk], "routing": "school", "routing_question": "",
                                        "fallback": None, "decisions": ["validate"], "delay_days": None,
                                        "group": group_x.pk, "note": ""}]
    dossier.save(update_fields=["stages"])
    DossierReviewer.objects.create(dossier=dossier, group=group_x)
    # School X's director asks group X's opinion on family A's dossier.
    opinion = workflow_services.dossier_opinion_ask(dossier=dossier, by=director_x, group=group_x,
                                                    question="La fratrie est-elle déjà inscrite ?")

    notification = Notification.objects.filter(family_id=family_a.pk).first()
    # A family school X invited, that has not signed in yet, and a second
    # guardian invited into family A (the link's token is known to the test).
    from accounts import services as account_services

    invitation = account_services.family_invite(invited_by=director_x, email="invitee@example.org",
                                                last_name="Invitée", school=school_x)
    guardian = account_services.guardian_invite(family=family_a, invited_by=parent_a, email="second@example.org")
    guardian_token = "jeton-du-second-responsable"
    guardian.token_hash = hash_token(guardian_token)
    guardian.save(update_fields=["token_hash"])
    return {
        "users": {
            "family_a": parent_a,
            "family_b": parent_b,
            "director_x": director_x,
            "director_y": director_y,
            "finance": UserFactory(finance=True),
            "editor": UserFactory(editor=True),
            "reviewer_x": reviewer_x,
            "reviewer_y": reviewer_y,
        },
        "dossier": dossier,
        "opinion": opinion,
        "submission": submission,
        "document": document,
        "child": child_a,
        "parent": parent_a,
        "notification": notification,
        "invitation": invitation,
        "guardian_token": guardian_token,
        "schools": (school_x, school_y),
    }


def _kwargs(route: Route, world: dict) -> tuple[list, dict]:
    """Fill the URL's parameters with family A's objects (and harmless
    values where no object is meant)."""
    submission, dossier, document = world["submission"], world["dossier"], world["document"]
    kwargs = {}
    for key in route.pattern.pattern.converters:
        if key == "public_id":
            kwargs[key] = document.public_id if route.name == "dossiers:document" else submission.public_id
        elif key == "pk":
            if route.name.startswith("workflows_admin:"):
                kwargs[key] = dossier.pk
            elif route.name == "accounts:child_edit":
                kwargs[key] = world["child"].pk
            elif route.name.startswith("notification:"):
                kwargs[key] = world["notification"].pk if world["notification"] else 1
            elif route.name == "accounts_invitation_resend":
                kwargs[key] = world["invitation"].pk
            else:
                kwargs[key] = 1
        elif key == "opinion_id":
            kwargs[key] = world["opinion"].pk
        elif key == "document_id":
            kwargs[key] = document.public_id
        elif key == "decision":
            kwargs[key] = "validate"
        elif key == "index":
            kwargs[key] = 0
        elif key == "step":
            kwargs[key] = 1
        elif key == "uidb64":
            kwargs[key] = "MQ"
        elif key in {"token"}:
            uuid_token = type(route.pattern.pattern.converters[key]).__name__ == "UUIDConverter"
            kwargs[key] = uuid.uuid4() if uuid_token else "jeton-invalide"
        elif key in {"restriction_id", "page_view_restriction_id", "page_id"}:
            kwargs[key] = 999999
        else:
            kwargs[key] = 1
    args = []
    if not kwargs and route.pattern.pattern.regex.groups:
        # Positional regex groups (Wagtail's document serving).
        args = ["999999", "inconnu.pdf"][: route.pattern.pattern.regex.groups]
    return args, kwargs


def _url(route: Route, world: dict) -> str:
    from django.urls import reverse

    args, kwargs = _kwargs(route, world)
    if route.name == "wagtail_serve":
        return "/"
    return reverse(route.name, args=args or None, kwargs=kwargs or None)


# Where refusals send people: the login page; the admin's dashboard (Wagtail
# refuses a view the user has no permission for that way); « Mon compte »
# (family pages refuse staff accounts, which have no family, that way).
REFUSAL_REDIRECTS = ("/compte/connexion/", "/cms/login/")
REFUSAL_HOMES = ("/cms/", "/compte/")


def _denied(response) -> bool:
    if response.status_code in {403, 404}:
        return True
    if response.status_code in {301, 302}:
        location = response["Location"]
        return location.startswith(REFUSAL_REDIRECTS) or location in REFUSAL_HOMES
    return False


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace") + response.get("Location", "")


def check_route(*, route: Route, rule: Rule, url: str, role: str, users: dict, secrets) -> list[str]:
    """Ask ``url`` as ``role``: what is wrong with the answer (a 500, a
    refusal of someone allowed, entry of someone refused, a secret read by
    someone who may not see the child)."""
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    response = getattr(client, rule.method)(url)
    if response.status_code >= 500:
        return [f"{route.name} {url}: {response.status_code}"]
    problems = []
    denied = _denied(response) and not (rule.lands_on and response.get("Location") == rule.lands_on)
    if role in rule.reach and denied:
        problems.append(f"{route.name} {url}: {role} should get in, got {response.status_code} "
                        f"{response.get('Location', '')}")
    elif role not in rule.reach and not denied:
        problems.append(f"{route.name} {url}: {role} should be refused, got {response.status_code} "
                        f"{response.get('Location', '')}")
    if role not in rule.sees_child:
        body = _body(response)
        problems += [f"{route.name} {url}: {role} reads « {secret} »" for secret in secrets if secret in body]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, role):
    problems = []
    secrets = (CHILD_FIRST, CHILD_LAST, world["dossier"].reference)
    for route in site_routes():
        rule = RULES.get(route.name)
        if rule is None:
            continue  # reported by test_every_url_has_a_rule
        problems += check_route(route=route, rule=rule, url=_url(route, world), role=role, users=world["users"],
                                secrets=secrets)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["family_b", "director_y", "anonymous"])
def test_guessed_ids_in_urls_never_reveal_anything(world, role):
    """Ids that exist (family A's) and ids that do not answer alike: the
    same status, no name, no reference."""
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    pairs = [
        (f"/dossiers/{world['submission'].public_id}/", f"/dossiers/{uuid.uuid4()}/"),
        (f"/dossiers/documents/{world['document'].public_id}/", f"/dossiers/documents/{uuid.uuid4()}/"),
        (f"/cms/dossiers/{world['dossier'].pk}/", "/cms/dossiers/99999999/"),
        (f"/compte/enfants/{world['child'].pk}/", "/compte/enfants/99999999/"),
    ]
    for real, fake in pairs:
        a, b = client.get(real), client.get(fake)
        assert a.status_code == b.status_code, (real, a.status_code, fake, b.status_code)
        assert not re.search(f"{CHILD_FIRST}|{CHILD_LAST}", _body(a))


def test_staff_search_and_exports_stay_within_the_school(world):
    """A director of school Y searching for family A's child finds nothing."""
    client = Client()
    client.force_login(world["users"]["director_y"])
    for query, other in ((CHILD_FIRST, CHILD_LAST), (CHILD_LAST, CHILD_FIRST), ("Alpha", CHILD_FIRST)):
        response = client.get("/cms/dossiers/", {"q": query})
        assert response.status_code == 200
        body = _body(response)
        assert other not in body and world["dossier"].reference not in body, query
    response = client.get("/cms/dossiers/", {"q": world["dossier"].reference})
    assert CHILD_FIRST not in _body(response)


# --- Invitation links, as every role ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_second_guardian_link_lets_nobody_but_the_invited_address_in(world, role):
    """The link of family A's invitation of a second guardian, followed by
    each role: nobody of the matrix is the invited address, so nobody
    joins, and nobody reads the child on the way — not even an anonymous
    visitor who creates the invited account with a password of their own."""
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    path = f"/compte/invitation/{world['guardian_token']}/"
    secrets = (CHILD_FIRST, CHILD_LAST, world["dossier"].reference)
    response = client.get(path)
    assert response.status_code == 200
    assert not any(secret in _body(response) for secret in secrets)
    if role == "anonymous":
        response = client.post(path, {"first_name": "Intrus", "last_name": "X", "password1": "Cacahuete-Volcan-2026",
                                      "password2": "Cacahuete-Volcan-2026"}, follow=True)
        assert response.wsgi_request.user.is_authenticated  # an account, outside the family
        assert response.wsgi_request.user.family_id is None
    else:
        response = client.post(path)
        assert response.status_code == 400
        assert world["users"][role].__class__.objects.get(pk=world["users"][role].pk).family_id == (
            world["users"][role].family_id
        )
    for url in (f"/dossiers/{world['submission'].public_id}/", f"/dossiers/{world['submission'].public_id}/suivi/",
                f"/dossiers/documents/{world['document'].public_id}/", f"/compte/enfants/{world['child'].pk}/",
                "/compte/", "/dossiers/"):
        body = _body(client.get(url))
        if role not in {"family_a", "director_x"}:
            assert not any(secret in body for secret in secrets), (role, url)
    assert not world["child"].family.guardians.exclude(pk=world["parent"].pk).exists()


@pytest.mark.parametrize("role", ["director_y", "finance", "family_a", "family_b"])
def test_a_school_invitation_cannot_be_taken_over_through_the_invite_form(world, role):
    """Family « Invitée » was invited by school X: posting the invite form
    again for its address, as anybody but school X's staff or an editor,
    changes nothing (no new password, no other school)."""
    client = Client()
    client.force_login(world["users"][role])
    school_y = world["schools"][1]
    response = client.post("/cms/familles/inviter/", {"email": "invitee@example.org", "last_name": "Invitée",
                                                       "school": school_y.pk})
    assert response.status_code in {200, 302, 403}
    invitation = world["invitation"]
    assert AccountInvitation.objects.filter(user=invitation.user).count() == 1
    assert list(invitation.user.family.schools.all()) == [world["schools"][0]]
