"""The PDFs families get: the pre-filled SEPA mandate, the cash payment
slip and the attestation d'inscription. fpdf2 with the PDF core fonts in
Windows-1252 (French accents, « », €, œ): no font file to ship."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils import timezone
from fpdf import FPDF


def _amount(value: Decimal) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True) + " €"


def _date(value: dt.date) -> str:
    return formats.date_format(value, "j F Y", use_l10n=True)


def _safe(text: str) -> str:
    """What Windows-1252 cannot hold (a rare letter, an emoji) becomes « ? »
    instead of failing the whole document."""
    return str(text).encode("windows-1252", errors="replace").decode("windows-1252")


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.core_fonts_encoding = "windows-1252"
        self.set_title(_safe(title))
        self.set_author("Inscrire")
        self.set_auto_page_break(True, margin=18)
        self.add_page()
        self.set_margins(18, 18, 18)
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(0, 9, _safe(title), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def text_block(self, text: str, *, size: int = 11, bold: bool = False, height: float = 6) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, height, _safe(text), new_x="LMARGIN", new_y="NEXT")

    def row(self, label: str, value: str) -> None:
        self.set_font("Helvetica", "", 10)
        self.cell(62, 7, _safe(label), border=1)
        self.set_font("Helvetica", "B", 10)
        self.multi_cell(0, 7, _safe(value) or " ", border=1, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, _safe(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.output())


def mandate_pdf(*, mandate, dossier) -> bytes:
    doc = _Document("Mandat de prélèvement SEPA")
    doc.row("Référence unique du mandat (RUM)", mandate.reference)
    doc.row("Type de paiement", "Paiement récurrent")
    doc.ln(2)
    doc.text_block(
        "En signant ce formulaire de mandat, vous autorisez le créancier ci-dessous à envoyer des instructions à "
        "votre banque pour débiter votre compte, et votre banque à débiter votre compte conformément aux "
        "instructions du créancier. Vous bénéficiez du droit d'être remboursé par votre banque selon les "
        "conditions décrites dans la convention que vous avez passée avec elle. Une demande de remboursement doit "
        "être présentée dans les 8 semaines suivant la date de débit de votre compte pour un prélèvement autorisé.",
        size=9, height=5,
    )
    doc.heading("Créancier")
    doc.row("Nom", mandate.creditor_name)
    doc.row("Identifiant créancier SEPA (ICS)", mandate.creditor_identifier)
    doc.heading("Débiteur")
    doc.row("Titulaire du compte", mandate.holder_name)
    doc.row("IBAN", " ".join(mandate.iban[i:i + 4] for i in range(0, len(mandate.iban), 4)))
    doc.row("BIC", mandate.bic)
    doc.heading("Objet")
    doc.row("Dossier", dossier.reference)
    doc.row("Enfant", f"{dossier.child.first_name} {dossier.child.last_name}")
    doc.row("École", dossier.school.name)
    arrangement = getattr(dossier, "payment_arrangement", None)
    if arrangement is not None:
        doc.row("Service", arrangement.tariff.get_service_display())
        doc.row("Montant mensuel", _amount(arrangement.amount))
        doc.row("Premier mois", formats.date_format(arrangement.first_month, "F Y"))
    doc.ln(6)
    doc.text_block("Fait à : ______________________    le : ____ / ____ / ________")
    doc.ln(4)
    doc.text_block("Signature du titulaire du compte :")
    doc.ln(22)
    doc.text_block(
        "Renvoyez ce mandat signé depuis la page de votre dossier (ou déposez-le à l'espace-parents). "
        "Le prélèvement commence après sa vérification par le service financier.",
        size=9, height=5,
    )
    return doc.bytes()


def cash_slip_pdf(*, dossier, arrangement, cash_desk: str) -> bytes:
    doc = _Document("Bordereau de paiement en espèces")
    doc.row("Dossier n°", dossier.reference)
    doc.row("Enfant", f"{dossier.child.first_name} {dossier.child.last_name}")
    doc.row("Famille", dossier.family.name)
    doc.row("École", dossier.school.name)
    doc.row("Service", arrangement.tariff.get_service_display())
    doc.row("Mois de consommation", formats.date_format(arrangement.first_month, "F Y"))
    doc.row("Montant à régler", _amount(arrangement.amount))
    doc.row("À régler au plus tard le", _date(arrangement.due_date))
    doc.heading("Où et quand payer")
    doc.text_block(cash_desk)
    doc.ln(2)
    doc.text_block("Munissez-vous de l'appoint (monnaie) et de ce bordereau. Un reçu numéroté vous sera remis.",
                   bold=True)
    return doc.bytes()


def attestation_pdf(*, title: str, body: str, signature: str, school_name: str) -> bytes:
    doc = _Document(title)
    doc.text_block(school_name, bold=True)
    doc.ln(4)
    for paragraph in body.split("\n"):
        if paragraph.strip():
            doc.text_block(paragraph)
        doc.ln(2)
    doc.ln(8)
    if signature:
        doc.text_block(signature, bold=True)
    doc.ln(10)
    doc.text_block(f"Document généré le {_date(timezone.localdate())} par Inscrire.", size=8, height=4)
    return doc.bytes()
