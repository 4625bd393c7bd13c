"""Demo payments: the operator's creditor details (a valid but fictitious
SEPA creditor identifier and account) and monthly tariffs for every demo
school, for this school year and the next. Idempotent: what exists is left
as it is (an editor may have changed it)."""

from decimal import Decimal


from billing.constants import Service
from billing.models import PaymentSettings, Tariff
from billing.sepa import creditor_identifier
from cms.models import School
from cms.school_year import next_school_year_text, school_year_of

# (service, monthly amount, precision)
DEMO_TARIFFS = [
    (Service.CANTEEN, Decimal("45.50"), "4 repas par semaine"),
    (Service.AFTER_SCHOOL, Decimal("30.00"), "matin et soir"),
    (Service.STUDY, Decimal("20.00"), ""),
]


def _school_years() -> list[str]:
    this_year = school_year_of()
    return [this_year, next_school_year_text(this_year)]


def load_payments(*, report) -> None:
    settings = PaymentSettings.load()
    if not settings.creditor_identifier:
        settings.creditor_name = "SOGES Martinique (démo)"
        settings.creditor_identifier = creditor_identifier(country="FR", business_code="ZZZ", national_id="972001")
        settings.creditor_address = "Espace-parents, Rue Schœlcher, 97228 Sainte-Luce"
        settings.creditor_iban = "FR7630006000011234567890189"
        settings.creditor_bic = "AGRIFRPPXXX"
        settings.save()
        report.created.append(f"identifiant créancier SEPA {settings.creditor_identifier}")
    created = 0
    for school in School.objects.all():
        for year in _school_years():
            for service, amount, description in DEMO_TARIFFS:
                _, made = Tariff.objects.get_or_create(
                    school=school, service=service, school_year=year,
                    defaults={"monthly_amount": amount, "description": description},
                )
                created += made
    if created:
        report.created.append(f"{created} tarifs")
