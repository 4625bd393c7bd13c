"""SEPA direct debit: account details checked with schwifty, the creditor
identifier's check digits, and the monthly pain.008 file built and checked
against its XML schema by sepaxml."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

# pain.008.001.08 is the 2019 ISO version the EPC rulebooks require from
# November 2025; its XSD ships with sepaxml.
PAIN_SCHEMA = "pain.008.001.08"


class SepaError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def clean_iban(value: str) -> str:
    """The IBAN without spaces, or a French message saying what is wrong."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        raise SepaError(_("Saisissez l'IBAN du compte à débiter."))
    try:
        iban = IBAN(compact)
    except SchwiftyException:
        raise SepaError(
            _("Cet IBAN n'est pas valide : vérifiez chaque caractère (27 caractères pour un compte français, "
              "commençant par FR76).")
        ) from None
    if not iban.in_sepa_zone:
        raise SepaError(
            _("Ce compte est tenu dans un pays hors de la zone SEPA (%(country)s) : le prélèvement n'est pas "
              "possible. Choisissez la carte bancaire ou les espèces.") % {"country": iban.country_code}
        )
    return str(iban.compact)


def clean_bic(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        raise SepaError(_("Saisissez le BIC de votre banque (8 ou 11 caractères, il figure sur votre RIB)."))
    try:
        bic = BIC(compact)
    except SchwiftyException:
        raise SepaError(
            _("Ce BIC n'est pas valide : il compte 8 ou 11 caractères (lettres et chiffres) et figure sur votre RIB.")
        ) from None
    return str(bic.compact)


def _mod97(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


def creditor_identifier_is_valid(value: str) -> bool:
    value = (value or "").replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", value):
        return False
    country, check, national = value[:2], value[2:4], value[7:]
    return _mod97(national + country + check) == 1


def creditor_identifier(*, country: str, business_code: str, national_id: str) -> str:
    check = 98 - _mod97(national_id + country + "00")
    return f"{country}{check:02d}{business_code}{national_id}"


@dataclass(frozen=True)
class DebitLine:
    mandate_reference: str
    mandate_date: dt.date
    holder_name: str
    iban: str
    bic: str
    amount: Decimal
    sequence: str
    collection_date: dt.date
    end_to_end_id: str
    description: str


def pain008(*, creditor_name: str, creditor_identifier: str, creditor_iban: str, creditor_bic: str,
            lines: list[DebitLine]) -> bytes:
    """The pain.008 collection file; sepaxml refuses to export a file that
    does not validate against the schema."""
    from sepaxml import SepaDD

    sepa = SepaDD(
        {
            "name": creditor_name,
            "IBAN": creditor_iban,
            "BIC": creditor_bic,
            "batch": True,
            "creditor_id": creditor_identifier,
            "currency": "EUR",
        },
        schema=PAIN_SCHEMA,
    )
    for line in lines:
        sepa.add_payment(
            {
                "name": line.holder_name,
                "IBAN": line.iban,
                "BIC": line.bic,
                "amount": int((line.amount * 100).to_integral_value()),  # sepaxml counts in cents
                "type": line.sequence,
                "collection_date": line.collection_date,
                "mandate_id": line.mandate_reference,
                "mandate_date": line.mandate_date,
                "description": line.description,
                "endtoend_id": line.end_to_end_id,
            }
        )
    return sepa.export(validate=True, pretty_print=True)


def schema_path() -> str:
    import os

    import sepaxml

    return os.path.join(os.path.dirname(sepaxml.__file__), "schemas", PAIN_SCHEMA + ".xsd")
