"""The access matrix of the payment URLs: every billing URL × every role.

``test_access_matrix.py`` can only check the payment URLs as closed to
everyone: its dossier asks for no payment. This matrix builds on its world
(family A's child at school X, family B at school Y, their directors, a
finance agent and an editor) a payments world where every billing URL leads
to a real object, all of them family A's child's:

- the operator's creditor details and school X's tariffs for the year;
- four dossiers of the child, on four procedures with payment and
  attestation, each validated by director X and so awaiting payment:
  « sepa », whose mandate the family signed and sent back (a finance agent
  has it to check); « cash », paid at the desk (its slip); « card », with a
  card payment started (its token); « confirmed », whose mandate the finance
  agent validated — confirmed, with its attestation and the month's debit
  exported.

The objects are made by the services (``billing.services``,
``workflows.services``), as the family, the director and the finance agent.

Who may reach what, from the code:

- The family's payment pages (``billing:*``, by the submission's public id)
  find the dossier through the family's own submissions: family A only;
  anybody else signed in gets a 404, anonymous visitors the login page.
- The card payment pages (``billing:card_pay``, ``billing:card_return``, by
  the card payment's token) are not a bearer link: they ask for a signed-in
  member of the payment's family (``billing.views._card_payment``).
- ``process_payment`` is django-payments' provider callback: no login (the
  provider calls it); a token that exists is handed to the provider, which
  answers a redirect to the return page for everyone, an unknown token is a
  404. It never shows the child.
- The finance workspace (``billing_admin:*``) is the finance agents' only
  (``billing.admin_views._finance_only``): they may act on every dossier with
  a payment, whatever its school. Directors, even X's, and editors get a 404
  there; families and anonymous visitors the admin's login page.

Each URL is asked by each role (POST-only views posted empty, like the main
matrix: a form shown again with its errors or a redirect is getting in);
nobody who is refused gets in, nobody allowed is refused, no answer is a 500,
and whoever may not see family A's child never reads its name nor the
reference of one of its dossiers (or of a mandate, which holds it) in the
answer, streamed PDFs included (compressed, so there the check is weak).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from payments import PaymentStatus
from wagtail.models import Site

from billing import selectors as billing_selectors
from billing import services as billing_services
from billing.constants import DebitStatus, MandateStatus, PaymentMode, Service
from billing.models import DirectDebit, Tariff
from workflows.models import Attestation
from tests.factories import SubmissionFactory
from tests.forms.conftest import PDF, make_page
from tests.billing.conftest import GOOD_BIC, GOOD_IBAN, operator_creditor
from tests.security.test_access_matrix import (  # noqa: F401 — ``world`` is the fixture this one builds on
    CHILD_FIRST,
    CHILD_LAST,
    EVERYONE,
    FAMILY_A,
    NOBODY,
    ROLES,
    Route,
    Rule,
    check_route,
    site_routes,
    world,
)
from tests.workflows.conftest import STEPS
from workflows import services as workflow_services
from workflows.constants import DossierState

pytestmark = pytest.mark.django_db

FINANCE = frozenset({"finance"})

# --- Who may reach what -----------------------------------------------------------------------------


def _family(method: str = "get") -> Rule:
    return Rule(FAMILY_A, method=method, sees_child=FAMILY_A)


def _finance(method: str = "get") -> Rule:
    return Rule(FINANCE, method=method, sees_child=FINANCE)


BILLING_RULES: dict[str, Rule] = {
    # The family's pages: family A only.
    "billing:pay": _family(),
    "billing:mandate_create": _family("post"),
    "billing:mandate_pdf": _family(),
    "billing:mandate_upload": _family("post"),
    "billing:card_start": _family("post"),
    "billing:cash_slip": _family(),
    # The attestation of the confirmed dossier (a workflow page, tested in
    # this world because it has one).
    "dossiers:attestation": _family(),
    # By a card payment's token, but for its family only (not a bearer link).
    "billing:card_pay": _family(),
    "billing:card_return": _family(),
    # Bills: every family has its list (family B's is empty); a bill, its
    # PDF, its receipt and its card payment are family A's only.
    "billing:bills": Rule(frozenset({"family_a", "family_b"}), sees_child=FAMILY_A),
    "billing:bill": _family(),
    "billing:bill_pdf": _family(),
    "billing:bill_receipt": _family(),
    "billing:bill_card_start": _family("post"),
    # Attestations fiscales: every family has its list (family B's is
    # empty); the PDF of family A's child is family A's only.
    "billing:fiscal_attestations": Rule(frozenset({"family_a", "family_b"}), sees_child=FAMILY_A),
    "billing:fiscal_attestation_pdf": _family(),
    # Reservations and the quotient familial: every family has its pages
    # (family B's lists are empty); a child's month calendar, its absence
    # form and a quotient attestation are family A's only.
    "billing:reservations": Rule(frozenset({"family_a", "family_b"}), sees_child=FAMILY_A),
    "billing:reservation_month": _family(),
    "billing:absence_declare": _family("post"),
    "billing:quotient": Rule(frozenset({"family_a", "family_b"}), sees_child=FAMILY_A),
    "billing:quotient_document": _family(),
    # The provider's callback: open to all (the token is what it checks), and
    # it names nobody.
    "process_payment": Rule(EVERYONE, sees_child=NOBODY),
    # The finance workspace: finance agents only — not the directors.
    "billing_admin:index": _finance(),
    "billing_admin:export": _finance("post"),
    "billing_admin:export_file": _finance(),
    "billing_admin:mandate": _finance(),
    "billing_admin:mandate_document": _finance(),
    "billing_admin:mandate_validate": _finance("post"),
    "billing_admin:mandate_refuse": _finance("post"),
    "billing_admin:cash": _finance(),
    "billing_admin:debit_reject": _finance("post"),
    "billing_admin:bill_cash": _finance(),
    "billing_admin:quotients": _finance(),
    "billing_admin:quotient": _finance(),
    "billing_admin:quotient_document": _finance(),
    "billing_admin:quotient_validate": _finance("post"),
    "billing_admin:quotient_refuse": _finance("post"),
}

# The object each URL's one parameter points at (keys of the world's
# ``targets``); URLs without a parameter have none.
TARGETS: dict[str, str] = {
    "billing:pay": "sepa",
    "billing:mandate_create": "sepa",
    "billing:mandate_pdf": "sepa",
    "billing:mandate_upload": "sepa",
    "billing:card_start": "card",
    "billing:cash_slip": "cash",
    "dossiers:attestation": "confirmed",
    "billing:card_pay": "card_token",
    "billing:card_return": "card_token",
    "process_payment": "card_token",
    "billing_admin:mandate": "mandate",
    "billing_admin:mandate_document": "mandate",
    "billing_admin:mandate_validate": "mandate",
    "billing_admin:mandate_refuse": "mandate",
    "billing_admin:cash": "cash_dossier",
    "billing_admin:debit_reject": "debit",
    "billing_admin:export_file": "debit_month",
    "billing:bill": "bill",
    "billing:bill_pdf": "bill",
    "billing:bill_receipt": "paid_bill",
    "billing:bill_card_start": "bill",
    "billing:fiscal_attestation_pdf": {"year": "fiscal_year", "child_id": "child"},
    # Two parameters: each names its object.
    "billing:reservation_month": {"public_id": "confirmed", "service_id": "service"},
    "billing:absence_declare": {"public_id": "confirmed", "service_id": "service"},
    "billing:quotient_document": "quotient",
    "billing_admin:quotient": "quotient",
    "billing_admin:quotient_document": "quotient",
    "billing_admin:quotient_validate": "quotient",
    "billing_admin:quotient_refuse": "quotient",
}


# Pages of other apps that only this world can reach with a real object.
MONEY_WORLD_ROUTES = {"dossiers:attestation"}


def _is_billing(route: Route) -> bool:
    return (
        route.name.startswith(("billing:", "billing_admin:"))
        or route.name == "process_payment"
        or route.module.startswith("billing.")
        or route.prefix.startswith(("paiements/", "cms/paiements/"))
        or route.name in MONEY_WORLD_ROUTES
    )


def billing_routes() -> list[Route]:
    return [route for route in site_routes() if _is_billing(route)]


def test_every_billing_url_has_a_rule():
    names = {route.name for route in billing_routes()}
    missing = sorted(names - BILLING_RULES.keys())
    assert not missing, (
        "New payment URL(s) without an access rule: " + ", ".join(missing) + ". Add a line to BILLING_RULES in "
        "tests/security/test_billing_access_matrix.py saying which roles may reach each (and to TARGETS the "
        "object its parameter points at), and make the payments world hold one."
    )
    stale = sorted(BILLING_RULES.keys() - names)
    assert not stale, f"BILLING_RULES names payment URLs that no longer exist: {', '.join(stale)} — remove them."
    for route in billing_routes():
        converters = list(route.pattern.pattern.converters)
        target = TARGETS.get(route.name)
        expected = 0 if target is None else (len(target) if isinstance(target, dict) else 1)
        assert len(converters) == expected and (not isinstance(target, dict) or set(target) == set(converters)), (
            f"{route.name} takes {converters}: say in TARGETS which object of the payments world it points at."
        )


# --- The payments world -------------------------------------------------------------------------------


@pytest.fixture
def payments(world):
    users = world["users"]
    parent, director, finance = users["family_a"], users["director_x"], users["finance"]
    child, school = world["child"], world["submission"].school
    home = Site.objects.get(is_default_site=True).root_page

    operator_creditor()

    def awaiting(slug):
        """A dossier of family A's child on its own procedure with payment
        and attestation, validated by director X."""
        page = make_page(home, STEPS, slug=slug, payment_required=True, attestation_enabled=True)
        with transaction.atomic():
            submission = SubmissionFactory(submitted=True, page=page, child=child, school=school,
                                           submitted_by=parent)
            dossier = workflow_services.dossier_open(submission=submission)
        dossier = workflow_services.dossier_validate(dossier=dossier, by=director)
        assert dossier.state == DossierState.AWAITING_PAYMENT
        year = dossier.school_year
        if not Tariff.objects.filter(school=school, school_year=year).exists():
            Tariff.objects.create(school=school, service=Service.CANTEEN, school_year=year,
                                  monthly_amount=Decimal("45.50"), description="4 repas par semaine")
        return dossier

    def choose(dossier, mode):
        return billing_services.arrangement_choose(
            dossier=dossier, by=parent, tariff=billing_selectors.tariffs_for(dossier=dossier).get(),
            first_month=billing_selectors.first_month_choices(dossier=dossier)[0], mode=mode,
        )

    def signed_mandate(dossier):
        mandate = billing_services.mandate_create(dossier=dossier, by=parent, holder_name="Parent Alpha",
                                                  iban=GOOD_IBAN, bic=GOOD_BIC)
        upload = SimpleUploadedFile("mandat-signe.pdf", PDF, content_type="application/pdf")
        return billing_services.mandate_upload_signed(mandate=mandate, by=parent, upload=upload)

    sepa = awaiting("paiement-sepa")
    choose(sepa, PaymentMode.SEPA)
    mandate = signed_mandate(sepa)

    cash = awaiting("paiement-especes")
    choose(cash, PaymentMode.CASH)

    card_dossier = awaiting("paiement-carte")
    choose(card_dossier, PaymentMode.CARD)
    card = billing_services.card_payment_start(dossier=card_dossier, by=parent)

    confirmed = awaiting("paiement-confirme")
    arrangement = choose(confirmed, PaymentMode.SEPA)
    validated = billing_services.mandate_validate(mandate=signed_mandate(confirmed), by=finance)
    # Made after the confirmation commits (a task): made here directly.
    workflow_services.dossier_confirmation_send(dossier_id=confirmed.pk)
    billing_services.debits_export(month=arrangement.first_month, by=finance)
    debit = DirectDebit.objects.get(mandate=validated)

    # The world is what the rules assume.
    mandate.refresh_from_db()
    confirmed.refresh_from_db()
    assert mandate.status == MandateStatus.SIGNED and mandate.signed_document
    assert confirmed.state == DossierState.CONFIRMED and Attestation.objects.filter(dossier=confirmed).exists()
    assert debit.status == DebitStatus.EXPORTED
    assert card.status == PaymentStatus.WAITING

    # Two bills of family A (one paid), its child named on their lines.
    from billing.models import Bill, BillLine

    bills = []
    for number, month, status in (("F2026-000001", dt.date(2026, 12, 1), "to_pay"),
                                  ("F2026-000002", dt.date(2026, 11, 1), "paid")):
        bill = Bill.objects.create(family=confirmed.family, month=month, number=number,
                                   issued_at=timezone.now(), due_date=month.replace(day=20) - dt.timedelta(days=30),
                                   total=Decimal("12.00"), status=status,
                                   paid_at=timezone.now() if status == "paid" else None)
        BillLine.objects.create(bill=bill, child=f"{CHILD_FIRST} {CHILD_LAST}", dossier=confirmed,
                                service="Cantine", unit="meal", quantity=4, unit_price=Decimal("3.00"),
                                amount=Decimal("12.00"))
        bills.append(bill)
    # The paid bill's garderie of the child (under 6): its attestation fiscale.
    BillLine.objects.create(bill=bills[1], child=f"{CHILD_FIRST} {CHILD_LAST}", dossier=confirmed,
                            service="Garderie", unit="session", kind=Service.AFTER_SCHOOL, quantity=2,
                            unit_price=Decimal("2.50"), amount=Decimal("5.00"))

    # A service of the confirmed dossier's procedure (reservations), and a
    # quotient declared by family A with its CAF attestation.
    from billing.constants import ServiceUnit
    from billing.models import ProcedureService
    from billing.reservations import quotient_declare

    service = ProcedureService.objects.create(procedure_id=confirmed.submission.page_id, school_year=confirmed.school_year,
                                              kind=Service.CANTEEN, name="Cantine", unit=ServiceUnit.MEAL,
                                              price=Decimal("3.00"))
    declaration = quotient_declare(family=confirmed.family, value=Decimal("650"), by=parent,
                                   upload=SimpleUploadedFile("attestation-caf.pdf", PDF, content_type="application/pdf"))

    dossiers = [world["dossier"], sepa, cash, card_dossier, confirmed]
    return {
        "users": users,
        "targets": {
            "sepa": sepa.submission.public_id,
            "cash": cash.submission.public_id,
            "card": card_dossier.submission.public_id,
            "confirmed": confirmed.submission.public_id,
            "card_token": card.token,
            "mandate": mandate.pk,
            "cash_dossier": cash.pk,
            "debit": debit.pk,
            "debit_month": f"{debit.month:%Y-%m}",
            "bill": bills[0].number,
            "paid_bill": bills[1].number,
            "service": service.pk,
            "quotient": declaration.pk,
            "fiscal_year": timezone.localtime(bills[1].paid_at).year,
            "child": child.pk,
        },
        "secrets": (CHILD_FIRST, CHILD_LAST, *(d.reference for d in dossiers)),
    }


def _url(route: Route, payments: dict) -> str:
    kwargs = {}
    target = TARGETS.get(route.name)
    for key in route.pattern.pattern.converters:
        kwargs[key] = payments["targets"][target[key] if isinstance(target, dict) else target]
    return reverse(route.name, kwargs=kwargs or None)


# --- The matrix -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_billing_access_matrix(payments, role):
    problems = []
    routes = [route for route in billing_routes() if route.name in BILLING_RULES]  # others: reported above
    assert routes
    for route in routes:
        problems += check_route(route=route, rule=BILLING_RULES[route.name], url=_url(route, payments), role=role,
                                users=payments["users"], secrets=payments["secrets"])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["family_b", "director_x", "editor", "anonymous"])
def test_payment_ids_that_exist_answer_like_unknown_ones(payments, role):
    """Family A's public ids, card token and mandate answer others as ids
    that do not exist; the provider's callback refuses an unknown token."""
    client = Client()
    if role != "anonymous":
        client.force_login(payments["users"][role])
    targets = payments["targets"]
    pairs = [
        (reverse(name, args=[targets[target]]), reverse(name, args=[unknown]))
        for name, target, unknown in (
            ("billing:pay", "sepa", uuid.uuid4()),
            ("billing:card_pay", "card_token", uuid.uuid4()),
            ("billing_admin:mandate", "mandate", 99999999),
            ("billing:bill", "bill", "F2099-999999"),
            ("billing:bill_pdf", "paid_bill", "F2099-999999"),
        )
    ]
    for real, fake in pairs:
        a, b = client.get(real), client.get(fake)
        assert a.status_code == b.status_code, (real, a.status_code, fake, b.status_code)
        assert a.get("Location", "").split("?")[0] == b.get("Location", "").split("?")[0], (real, fake)
    assert client.get(reverse("process_payment", args=[uuid.uuid4()])).status_code == 404
