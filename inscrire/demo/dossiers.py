"""Demo dossiers, so that a newcomer sees every screen at once: three
families (the demo parent Marie Joseph's, the Bellay and the Rosine
families) whose children's enrolment dossiers stand in every state —
submitted, corrections requested, validated and awaiting payment by each
mode (direct debit, card, cash), confirmed with its attestation, refused,
withdrawn — each with its history and a message or two.

Everything goes through the services a family and the staff use (a
submission filled in and submitted, the mairie's and the director's
decisions, the payment choices, the cash recorded by the finance agent), so
that the demo shows what the product does. Idempotent: a child who already
has a dossier on the enrolment is left as it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.constants import SchoolLevel
from accounts.models import Child, Family
from accounts.selectors import family_pending_consents
from accounts.services import consents_record
from billing import selectors as billing_selectors
from billing import services as billing
from billing.constants import PaymentMode, Service
from billing.models import Tariff
from cms.models import School
from forms import services as forms_services
from forms.constants import FieldType
from forms.definition import input_items
from forms.models import Submission
from workflows import services as workflows
from workflows.models import Dossier, ProcedurePage

from .content import DEMO_DOMAIN, DEMO_PASSWORD

# One tiny PDF for every document the demo families « upload ».
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (state the dossier is left in, child's first name, family key)
SCENARIOS = [
    ("submitted", "Léa", "joseph"),
    ("correction", "Noé", "joseph"),
    ("confirmed", "Jade", "joseph"),
    ("awaiting_sepa", "Hugo", "joseph"),
    ("awaiting_card", "Inès", "bellay"),
    ("awaiting_cash", "Tom", "bellay"),
    ("refused", "Lola", "rosine"),
    ("withdrawn", "Enzo", "rosine"),
]

FAMILIES = {
    # key: (family name, parent's first name, e-mail local part, children (first name, level, birth date))
    "joseph": ("Joseph", "Marie", "parent", [("Jade", SchoolLevel.CP, dt.date(2020, 1, 20)),
                                              ("Hugo", SchoolLevel.CE1, dt.date(2019, 5, 8))]),
    "bellay": ("Bellay", "Paul", "parent.bellay", [("Inès", SchoolLevel.MS, dt.date(2022, 6, 11)),
                                                   ("Tom", SchoolLevel.CM1, dt.date(2017, 2, 27))]),
    "rosine": ("Rosine", "Sandra", "parent.rosine", [("Lola", SchoolLevel.PS, dt.date(2023, 4, 2)),
                                                     ("Enzo", SchoolLevel.CE2, dt.date(2018, 10, 15))]),
}


@dataclass
class Staff:
    mairie: object
    director: object
    finance: object


def _user(email: str):
    return get_user_model().objects.get(email=email)


def _family(key: str, school: School, report) -> tuple[object, Family]:
    """The family's parent (a confirmed address, the documents in force
    accepted) and its children."""
    name, first_name, local, children = FAMILIES[key]
    User = get_user_model()
    email = f"{local}@{DEMO_DOMAIN}"
    parent = User.objects.filter(email=email).first()
    if parent is None:
        parent = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first_name,
                                          last_name=name)
        report.created.append(f"compte {email}")
    if parent.family_id is None:
        family = Family.objects.create(name=name, address="Quartier Désert", postal_code=school.postal_code,
                                       commune=school.commune, phone="0696 45 67 89")
        family.schools.add(school)
        parent.family = family
        parent.email_confirmed_at = parent.email_confirmed_at or timezone.now()
        parent.save(update_fields=["family", "email_confirmed_at"])
        report.created.append(f"famille {name}")
    family = parent.family
    for first, level, born in children:
        if not family.children.filter(first_name=first).exists():
            Child.objects.create(family=family, first_name=first, last_name=name, birth_date=born, level=level)
    pending = family_pending_consents(family=family)
    if pending:
        consents_record(family=family, user=parent, documents=pending)
    return parent, family


def _fill(submission, parent) -> None:
    """What the family types, for every question the profile did not fill."""
    answers = dict(submission.answers)
    for item in input_items(submission.definition):
        name, kind = item["name"], item["type"]
        if answers.get(name) not in (None, "", []):
            continue
        choices = item.get("choices") or []
        if kind == FieldType.YESNO:
            answers[name] = name == "cantine"
        elif kind == FieldType.CHOICE:
            answers[name] = choices[0] if choices else ""
        elif kind == FieldType.MULTICHOICE:
            answers[name] = choices[:2]
        elif kind == FieldType.CONSENT:
            answers[name] = True
        elif kind == FieldType.PHONE:
            answers[name] = "0696 45 67 89"
        elif kind == FieldType.EMAIL:
            answers[name] = parent.email
        elif kind == FieldType.DATE:
            answers[name] = submission.child.birth_date.isoformat()
        elif kind == FieldType.NUMBER:
            answers[name] = 1
        elif kind == FieldType.POSTAL_CODE:
            answers[name] = submission.school.postal_code
        elif kind == FieldType.FILE:
            document = forms_services.document_store(
                submission=submission, field_name=name, upload=ContentFile(DEMO_PDF, name=f"{name}.pdf"),
                safe_name=f"{name}.pdf", content_type="application/pdf", by=parent)
            answers[name] = document.pk
        elif kind == FieldType.GROUP:
            answers[name] = [{"nom": "Georgette Joseph", "lien": "Grand-mère", "telephone": "0696 11 22 33"}]
        elif item.get("required"):
            answers[name] = "Le Lamentin" if "commune" in name else "RAS"
    submission.answers = answers
    submission.save(update_fields=["answers"])


def _admit(dossier: Dossier, staff: Staff) -> Dossier:
    """The mairie enrols the child, the director admits it: awaiting payment."""
    dossier = workflows.dossier_validate(dossier=dossier, by=staff.mairie, comment="Inscription enregistrée.")
    return workflows.dossier_validate(dossier=dossier, by=staff.director, comment="Bienvenue à l'école.")


def _choose(dossier: Dossier, parent, mode: str) -> None:
    tariff = Tariff.objects.get(school=dossier.school, service=Service.CANTEEN, school_year=dossier.school_year)
    first_month = billing_selectors.first_month_choices(dossier=dossier)[0]
    billing.arrangement_choose(dossier=dossier, by=parent, tariff=tariff, first_month=first_month, mode=mode)


def _play(state: str, dossier: Dossier, parent, staff: Staff) -> None:
    if state == "submitted":
        # Enrolled by the mairie, now waiting for the director's admission.
        workflows.dossier_validate(dossier=dossier, by=staff.mairie, comment="Inscription enregistrée.")
        workflows.dossier_message_post(dossier=dossier, by=parent,
                                       body="Bonjour, Léa fait encore la sieste l'après-midi : est-ce possible ?")
        return
    if state == "correction":
        workflows.dossier_request_correction(
            dossier=dossier, by=staff.mairie,
            message="Le justificatif de domicile a plus de trois mois : joignez-en un plus récent.")
        workflows.dossier_message_post(dossier=dossier, by=parent,
                                       body="Entendu, je joins une facture récente ce soir.")
        return
    if state == "refused":
        workflows.dossier_refuse(dossier=dossier, by=staff.mairie,
                                 reason="L'adresse indiquée n'est pas dans la commune : inscrivez l'enfant dans "
                                        "la mairie de votre domicile.")
        return
    if state == "withdrawn":
        workflows.dossier_withdraw(dossier=dossier, by=parent, reason="Nous déménageons en Guadeloupe.")
        return
    dossier = _admit(dossier, staff)
    if state == "awaiting_sepa":
        _choose(dossier, parent, PaymentMode.SEPA)
        billing.mandate_create(dossier=dossier, by=parent, holder_name="Marie Joseph",
                               iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP")
    elif state == "awaiting_card":
        _choose(dossier, parent, PaymentMode.CARD)
    elif state == "awaiting_cash":
        _choose(dossier, parent, PaymentMode.CASH)
        workflows.dossier_message_post(dossier=dossier, by=parent,
                                       body="Je passerai régler en espèces à l'Espace-parents mardi.")
    elif state == "confirmed":
        _choose(dossier, parent, PaymentMode.CASH)
        amount = billing_selectors.arrangement_for_family(user=parent, dossier=dossier).amount
        billing.cash_record(dossier=dossier, by=staff.finance, amount=amount,
                            receipt_number=f"DEMO-{dossier.reference}")


def load_dossiers(*, enrolment: ProcedurePage, schools: dict[str, School], report) -> None:
    school = schools["sainte-luce-maternelle"]
    staff = Staff(
        mairie=_user(f"mairie.sainte-luce@{DEMO_DOMAIN}"),
        director=school.directors.order_by("pk").first(),
        finance=_user(f"finance@{DEMO_DOMAIN}"),
    )
    families = {key: _family(key, school, report) for key in FAMILIES}
    for state, first_name, key in SCENARIOS:
        parent, family = families[key]
        child = family.children.get(first_name=first_name)
        if Submission.objects.filter(page=enrolment, child=child).exists():
            continue
        submission = forms_services.submission_start(page=enrolment, child=child, school=school, by=parent)
        if not submission.is_draft:
            continue
        _fill(submission, parent)
        forms_services.submission_submit(submission=submission, by=parent)
        dossier = Dossier.objects.get(submission=submission)
        _play(state, dossier, parent, staff)
        report.created.append(f"dossier {dossier.reference} ({child.first_name} {family.name}) : {state}")
