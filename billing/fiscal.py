"""The attestation fiscale of childcare costs (« frais de garde des enfants
de moins de 6 ans »): the words an editor's text may use. A child counts
for a tax year when under 6 on the 1st of January of that year; what counts
is the childcare (garderie) paid on the family's bills during that year —
the canteen's meals never count (the tax rule excludes food)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from .constants import Service

# The services whose payments are childcare costs.
CHILDCARE_KINDS = (Service.AFTER_SCHOOL,)

PLACEHOLDERS = {
    "enfant": gettext_lazy("prénom et nom de l'enfant"),
    "date_naissance": gettext_lazy("date de naissance de l'enfant"),
    "famille": gettext_lazy("nom de la famille"),
    "montant": gettext_lazy("somme payée pendant l'année"),
    "annee": gettext_lazy("année des paiements"),
    "gestionnaire": gettext_lazy("nom du gestionnaire (paramètres des paiements)"),
    "date": gettext_lazy("date de l'attestation"),
}


def under_six(*, birth_date: dt.date | None, year: int) -> bool:
    """Under 6 on the 1st of January of ``year``: born after the 1st of
    January six years before (a child born that very day is 6 already)."""
    return birth_date is not None and dt.date(year - 6, 1, 1) < birth_date <= dt.date(year, 12, 31)
