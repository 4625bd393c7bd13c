"""The PDFs of the payment stage: the pre-filled SEPA mandate and the cash
payment slip (the page layout is ``files.pdf``)."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from files.pdf import Document, amount_text, date_text


def mandate_pdf(*, mandate, dossier) -> bytes:
    doc = Document("Mandat de prélèvement SEPA")
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
        doc.row("Montant mensuel", amount_text(arrangement.amount))
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
    doc = Document("Bordereau de paiement en espèces")
    doc.row("Dossier n°", dossier.reference)
    doc.row("Enfant", f"{dossier.child.first_name} {dossier.child.last_name}")
    doc.row("Famille", dossier.family.name)
    doc.row("École", dossier.school.name)
    doc.row("Service", arrangement.tariff.get_service_display())
    doc.row("Mois de consommation", formats.date_format(arrangement.first_month, "F Y"))
    doc.row("Montant à régler", amount_text(arrangement.amount))
    doc.row("À régler au plus tard le", date_text(arrangement.due_date))
    doc.heading("Où et quand payer")
    doc.text_block(cash_desk)
    doc.ln(2)
    doc.text_block("Munissez-vous de l'appoint (monnaie) et de ce bordereau. Un reçu numéroté vous sera remis.",
                   bold=True)
    return doc.bytes()


def _days_text(days: list[str]) -> str:
    return ", ".join(str(int(day[8:10])) for day in days)


def bill_pdf(*, bill, lines, cash_desk: str) -> bytes:
    """The family's bill for a month: every child, every service, its days
    and unit price, the credits, the total, the due date and how to pay."""
    doc = Document(f"Facture n° {bill.number}")
    doc.row("Famille", bill.family.name)
    doc.row("Mois de consommation", formats.date_format(bill.month, "F Y"))
    doc.row("Émise le", date_text(timezone.localtime(bill.issued_at).date()))
    doc.row("À régler au plus tard le", date_text(bill.due_date))
    if bill.quotient is not None:
        doc.row("Quotient familial appliqué", amount_text(bill.quotient))
    doc.heading("Détail")
    for line in lines:
        if line.amount < 0 and not line.is_regularisation:
            doc.row(f"Avoir — {line.child}", f"{line.label} : {amount_text(line.amount)}")
            continue
        detail = f"{line.label} : {line.quantity} × {amount_text(line.unit_price)} = {amount_text(line.amount)}"
        if line.days:
            month_name = formats.date_format(line.consumption_month or bill.month, "F")
            detail += f"\nJours ({month_name}) : {_days_text(line.days)}"
        doc.row(line.child, detail)
    doc.ln(2)
    doc.row("Total à payer", amount_text(bill.total))
    doc.heading("Comment payer")
    doc.text_block(
        "Par prélèvement si vous avez signé un mandat (rien à faire), par carte depuis « Mes factures » sur le "
        "portail, ou en espèces :", size=10, height=5)
    doc.text_block(cash_desk, size=10, height=5)
    doc.text_block(f"Référence à donner au guichet : {bill.number}", bold=True)
    return doc.bytes()


def bill_receipt_pdf(*, bill, payments, debits) -> bytes:
    doc = Document(f"Reçu — facture n° {bill.number}")
    doc.row("Famille", bill.family.name)
    doc.row("Mois de consommation", formats.date_format(bill.month, "F Y"))
    doc.row("Montant de la facture", amount_text(bill.total))
    doc.heading("Règlements reçus")
    for payment in payments:
        label = payment.get_mode_display()
        if payment.receipt_number:
            label += f" (reçu n° {payment.receipt_number})"
        doc.row(date_text(timezone.localtime(payment.received_at).date()), f"{label} : {amount_text(payment.amount)}")
    for debit in debits:
        doc.row(date_text(debit.collection_date), f"Prélèvement SEPA ({debit.mandate.reference}) : "
                                                  f"{amount_text(debit.amount)}")
    if bill.to_refund:
        doc.row("À rembourser", amount_text(bill.to_refund))
    doc.ln(2)
    doc.text_block(f"Facture acquittée le {date_text(timezone.localtime(bill.paid_at).date())}.", bold=True)
    return doc.bytes()


def fiscal_attestation_pdf(*, title: str, body: str, signature: str, creditor_name: str, family_name: str,
                           child_name: str, birth_date, year: int, amount) -> bytes:
    """The attestation fiscale of one child's childcare paid in ``year``:
    the editors' text (words already replaced), then its facts as a table."""
    doc = Document(title)
    doc.text_block(creditor_name, bold=True)
    doc.ln(4)
    for paragraph in body.split("\n"):
        if paragraph.strip():
            doc.text_block(paragraph)
        doc.ln(2)
    doc.heading(_("Récapitulatif"))
    doc.row(_("Famille"), family_name)
    doc.row(_("Enfant"), child_name)
    doc.row(_("Né(e) le"), date_text(birth_date))
    doc.row(_("Frais de garde payés en %(year)s") % {"year": year}, amount_text(amount))
    doc.ln(8)
    if signature:
        doc.text_block(signature, bold=True)
    doc.ln(10)
    doc.text_block(_("Document généré le %(date)s par Inscrire.") % {"date": date_text(timezone.localdate())},
                   size=8, height=4)
    return doc.bytes()
