"""French default messages, one per event: (subject, body), Jinja2 syntax.

Editors replace them in the Wagtail admin (« Messages »); these texts seed
that admin and are the fallback whenever an editor's version is missing or
fails to render. The variables each event receives are in ``variables.py``.
"""

from .constants import Event

_SIGNATURE = "\n\n-- \n{{ site_name }}, les inscriptions scolaires en ligne\n{{ site_url }}"

_DOSSIER_LINE = (
    "Dossier n° {{ dossier.reference }} — {{ child.first_name }} {{ child.last_name }}, "
    "{{ school.name }}, année {{ dossier.school_year }}."
)

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    Event.ACCOUNT_CONFIRMATION: (
        "Confirmez votre adresse e-mail",
        "Bonjour {{ user.first_name }},\n\n"
        "Pour activer votre compte famille sur le portail {{ site_name }}, confirmez votre adresse e-mail "
        "en ouvrant ce lien (valable {{ validity_hours }} heures, une seule fois) :\n\n"
        "{{ link }}\n\n"
        "Si vous n'avez pas demandé la création de ce compte, ignorez ce message." + _SIGNATURE,
    ),
    Event.ACCOUNT_INVITATION: (
        "Votre compte famille sur le portail {{ site_name }}",
        "Bonjour,\n\n"
        "{{ school.name }} a créé votre compte famille sur le portail {{ site_name }}.\n"
        "Identifiant : {{ email }}\n"
        "Mot de passe provisoire : {{ provisional_password }}\n\n"
        "Connectez-vous avant le {{ expires_at|date_fr }} : {{ link }}\n"
        "Vous choisirez alors votre propre mot de passe." + _SIGNATURE,
    ),
    Event.PASSWORD_RESET: (
        "Réinitialisation de votre mot de passe",
        "Bonjour{% if user.first_name %} {{ user.first_name }}{% endif %},\n\n"
        "Pour choisir un nouveau mot de passe, ouvrez ce lien :\n\n{{ link }}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé." + _SIGNATURE,
    ),
    Event.GUARDIAN_INVITATION: (
        "Rejoignez le compte famille {{ family.name }}",
        "Bonjour,\n\n"
        "{{ inviter.first_name }} {{ inviter.last_name }} vous invite à rejoindre le compte famille "
        "« {{ family.name }} » sur le portail {{ site_name }}. Ouvrez ce lien pour créer votre accès :\n\n{{ link }}"
        + _SIGNATURE,
    ),
    Event.ACCOUNT_EXISTS: (
        "Vous avez déjà un compte sur le portail {{ site_name }}",
        "Bonjour{% if user.first_name %} {{ user.first_name }}{% endif %},\n\n"
        "Quelqu'un, peut-être vous, a voulu ouvrir un compte famille avec cette adresse e-mail. Un compte existe "
        "déjà avec elle : aucun autre n'a été créé.\n\n"
        "Pour vous connecter : {{ link }}\n"
        "Mot de passe oublié ? Choisissez-en un nouveau ici : {{ reset_link }}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre compte reste inchangé." + _SIGNATURE,
    ),
    Event.ACCOUNT_DELETED: (
        "Votre compte famille a été supprimé",
        "Bonjour{% if user.first_name %} {{ user.first_name }}{% endif %},\n\n"
        "Comme vous l'avez demandé, le compte famille « {{ family.name }} » et les données de vos enfants ont "
        "été supprimés du portail {{ site_name }}. Les écoles ne gardent, sans nom, que l'existence et l'état "
        "des dossiers, pour leurs statistiques.\n"
        "{% if withdrawn_count %}\n{{ withdrawn_count }} dossier(s) en cours ont été retirés : ils ne seront "
        "pas examinés.\n{% endif %}"
        "{% if mandates_revoked %}\nVos mandats de prélèvement SEPA ({{ mandates_revoked }}) sont révoqués : "
        "aucun prélèvement ne sera plus fait sur votre compte. Vos coordonnées bancaires seront effacées dès "
        "qu'aucun prélèvement déjà transmis ne pourra plus revenir.\n{% endif %}"
        "\nSi vous n'êtes pas à l'origine de cette demande, contactez au plus vite l'école de votre enfant.\n\n"
        "{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_SUBMITTED: (
        "Dossier d'inscription {{ child.first_name|de }} bien reçu",
        "Bonjour,\n\n"
        "Nous avons bien reçu le dossier d'inscription {{ child.first_name|de }} {{ child.last_name }} "
        "à {{ school.name }}, déposé le {{ dossier.submitted_at|date_fr(heure=True) }}.\n"
        + _DOSSIER_LINE
        + "\n\nL'école va l'examiner. Vous serez prévenu par e-mail de sa décision, ou si une pièce manque. "
        "Vous pouvez suivre votre dossier à tout moment :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_SUBMITTED_DIRECTORS: (
        "Nouveau dossier : {{ child.first_name }} {{ child.last_name }}",
        "Bonjour,\n\n"
        "La famille {{ family.name }} a déposé un dossier d'inscription pour {{ child.first_name }} "
        "{{ child.last_name }}{% if child.level %} ({{ child.level }}){% endif %} "
        "le {{ dossier.submitted_at|date_fr(heure=True) }}.\n"
        + _DOSSIER_LINE
        + "\n\nPour l'examiner :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIERS_DIGEST: (
        "{{ count }} nouveau{% if count > 1 %}x{% endif %} dossier{% if count > 1 %}s{% endif %} "
        "pour {{ school.name }} le {{ day|date_fr }}",
        "Bonjour,\n\n"
        "Dossiers d'inscription déposés pour {{ school.name }} le {{ day|date_fr }} :\n\n"
        "{% for dossier in dossiers %}"
        "- n° {{ dossier.reference }} : {{ dossier.child.first_name }} {{ dossier.child.last_name }} "
        "({{ dossier.family.name }}), à {{ dossier.submitted_at|date_fr(heure=True) }}\n"
        "  {{ dossier.link }}\n"
        "{% endfor %}\n"
        "Tous les dossiers à examiner :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.CORRECTION_REQUESTED: (
        "Dossier {{ child.first_name|de }} : une correction est demandée",
        "Bonjour,\n\n"
        "L'école a examiné le dossier d'inscription {{ child.first_name|de }} et vous demande "
        "de le compléter ou de le corriger"
        "{% if due_date %} avant le {{ due_date|date_fr }}{% endif %}.\n"
        "{% if comment %}\nMessage de l'école :\n« {{ comment }} »\n{% endif %}\n"
        + _DOSSIER_LINE
        + "\n\nOuvrez votre dossier pour le corriger, puis renvoyez-le :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_RESUBMITTED: (
        "Dossier corrigé : {{ child.first_name }} {{ child.last_name }}",
        "Bonjour,\n\n"
        "La famille {{ family.name }} a corrigé et renvoyé le dossier {{ child.first_name|de }} "
        "{{ child.last_name }}.\n" + _DOSSIER_LINE + "\n\nPour l'examiner de nouveau :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_VALIDATED: (
        "Dossier {{ child.first_name|de }} validé",
        "Bonjour,\n\n"
        "Bonne nouvelle : l'école a validé le dossier d'inscription {{ child.first_name|de }} "
        "{{ child.last_name }}.\n"
        "{% if comment %}\nMessage de l'école :\n« {{ comment }} »\n\n{% endif %}"
        + _DOSSIER_LINE
        + "\n\nLa suite (paiement, confirmation de l'inscription) est indiquée dans votre dossier :\n\n{{ link }}"
        + _SIGNATURE,
    ),
    Event.DOSSIER_REFUSED: (
        "Dossier {{ child.first_name|de }} : demande non retenue",
        "Bonjour,\n\n"
        "Nous sommes au regret de vous informer que l'école n'a pas pu retenir la demande "
        "d'inscription {{ child.first_name|de }} {{ child.last_name }}.\n"
        "{% if comment %}\nMotif :\n« {{ comment }} »\n{% endif %}\n"
        + _DOSSIER_LINE
        + "\n\nPour toute question, contactez l'école. Votre dossier reste consultable :\n\n{{ link }}"
        + _SIGNATURE,
    ),
    Event.DOSSIER_WITHDRAWN: (
        "Dossier {{ child.first_name|de }} retiré",
        "Bonjour,\n\n"
        "Le dossier d'inscription {{ child.first_name|de }} {{ child.last_name }} à {{ school.name }} "
        "a été retiré : il ne sera pas examiné.\n"
        "{% if comment %}\nPrécision :\n« {{ comment }} »\n{% endif %}\n"
        + _DOSSIER_LINE
        + "\n\nVous pouvez le consulter ici :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_WITHDRAWN_DIRECTORS: (
        "Dossier retiré par la famille : {{ child.first_name }} {{ child.last_name }}",
        "Bonjour,\n\n"
        "La famille {{ family.name }} a retiré le dossier {{ child.first_name|de }} {{ child.last_name }} : "
        "il n'attend plus de décision.\n"
        "{% if comment %}\nSa précision :\n« {{ comment }} »\n{% endif %}\n"
        + _DOSSIER_LINE + "\n\nLe dossier :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.SCHOOL_MESSAGE: (
        "Nouveau message sur le dossier {{ child.first_name|de }} ({{ school.name }})",
        "Bonjour,\n\n"
        "L'établissement « {{ school.name }} » vous a écrit au sujet du dossier {{ child.first_name|de }} "
        "{{ child.last_name }} :\n\n« {{ message }} »\n\n"
        + _DOSSIER_LINE
        + "\n\nPour lire ce message et y répondre, ouvrez votre dossier :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.FAMILY_MESSAGE: (
        "Message de la famille {{ family.name }} : dossier {{ dossier.reference }}",
        "Bonjour,\n\n"
        "La famille {{ family.name }} a écrit au sujet du dossier {{ child.first_name|de }} "
        "{{ child.last_name }} ({{ procedure.name }}) :\n\n« {{ message }} »\n\n"
        + _DOSSIER_LINE
        + "\n\nPour répondre, ouvrez le dossier :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.OPINION_ASKED: (
        "Votre avis est demandé : dossier {{ dossier.reference }} ({{ child.first_name }} {{ child.last_name }})",
        "Bonjour,\n\n"
        "{{ asker.first_name }} {{ asker.last_name }} vous demande votre avis sur le dossier "
        "{{ dossier.reference }} ({{ procedure.name }}) :\n\n{{ question }}\n\n"
        "Répondez dans le dossier ; votre avis n'est lu que par les examinateurs, jamais par la famille.\n\n"
        "{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_WAITING: (
        "Dossier en attente depuis {{ days_waiting }} jours : {{ child.first_name }} {{ child.last_name }}",
        "Bonjour,\n\n"
        "Le dossier {{ child.first_name|de }} {{ child.last_name }} (famille {{ family.name }}) attend "
        "votre validation depuis {{ days_waiting }} jours : il a été déposé le "
        "{{ dossier.submitted_at|date_fr }}.\n" + _DOSSIER_LINE + "\n\nPour l'examiner :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DOSSIER_CONFIRMED: (
        "Inscription {{ child.first_name|de }} confirmée",
        "Bonjour,\n\n"
        "L'inscription {{ child.first_name|de }} {{ child.last_name }} à {{ school.name }} pour l'année "
        "{{ dossier.school_year }} est confirmée.\n\n"
        "{% if attestation %}Vous trouverez l'attestation d'inscription en pièce jointe ; elle reste "
        "téléchargeable depuis votre dossier :{% else %}Votre dossier :{% endif %}\n\n{{ link }}\n\n"
        "{% if before_rentree %}Nous souhaitons une belle rentrée à {{ child.first_name }} !"
        "{% else %}Nous souhaitons une belle année scolaire à {{ child.first_name }} !{% endif %}" + _SIGNATURE,
    ),
    Event.PAYMENT_REMINDER: (
        "Rappel : paiement de {{ amount|montant }} avant le {{ due_date|date_fr }}",
        "Bonjour,\n\n"
        "Pour l'inscription {{ child.first_name|de }} {{ child.last_name }} à {{ school.name }}, "
        "un paiement de {{ amount|montant }} est attendu au plus tard le {{ due_date|date_fr }}.\n"
        + _DOSSIER_LINE
        + "\n\nPour payer ou choisir le prélèvement automatique :\n\n{{ link }}\n\n"
        "Si vous avez déjà payé, ne tenez pas compte de ce message." + _SIGNATURE,
    ),
    Event.PAYMENT_OVERDUE: (
        "Paiement en retard : {{ amount|montant }} pour {{ child.first_name }}",
        "Bonjour,\n\n"
        "Le paiement de {{ amount|montant }} attendu le {{ due_date|date_fr }} pour l'inscription de "
        "{{ child.first_name }} {{ child.last_name }} à {{ school.name }} ne nous est pas parvenu.\n"
        + _DOSSIER_LINE
        + "\n\nMerci de régulariser au plus vite :\n\n{{ link }}\n\n"
        "Si vous avez payé entre-temps, ne tenez pas compte de ce message." + _SIGNATURE,
    ),
    Event.PAYMENT_RECEIVED: (
        "Paiement de {{ amount|montant }} reçu",
        "Bonjour,\n\n"
        "Nous avons bien reçu votre paiement de {{ amount|montant }} ({{ payment_method }}) "
        "le {{ paid_at|date_fr }} pour l'inscription {{ child.first_name|de }} {{ child.last_name }}.\n"
        + _DOSSIER_LINE
        + "\n\nMerci. Votre dossier :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.MANDATE_VALIDATED: (
        "Votre mandat de prélèvement est validé",
        "Bonjour,\n\n"
        "Votre mandat de prélèvement SEPA (référence {{ mandate.reference }}, compte se terminant par "
        "{{ mandate.iban_end }}) est validé pour l'inscription {{ child.first_name|de }} "
        "{{ child.last_name }}.\n"
        "{% if first_debit_date %}Le premier prélèvement aura lieu le {{ first_debit_date|date_fr }}.\n{% endif %}"
        + _DOSSIER_LINE
        + "\n\nVotre dossier :\n\n{{ link }}" + _SIGNATURE,
    ),
    Event.DEBIT_REJECTED: (
        "Prélèvement de {{ amount|montant }} rejeté",
        "Bonjour,\n\n"
        "Le prélèvement de {{ amount|montant }} du {{ debit_date|date_fr }} pour l'inscription de "
        "{{ child.first_name }} {{ child.last_name }} a été rejeté par votre banque"
        "{% if reason %} (motif : {{ reason }}){% endif %}.\n"
        + _DOSSIER_LINE
        + "\n\nMerci de régulariser ce paiement depuis votre dossier :\n\n{{ link }}" + _SIGNATURE,
    ),
}


# The short push message sent with the e-mail to the devices where the
# family turned notifications on (« Mon compte »). It shows on a lock
# screen, maybe of a shared phone: the child's first name at most, never a
# surname, a school's decision in detail or an amount owed past due. Empty:
# no push for that event — the account messages (one-time links, passwords,
# see constants.PUSH_EXCLUDED_EVENTS) and the staff's ones (staff accounts
# turn no device on).
DEFAULT_PUSH_TEXTS: dict[str, str] = {
    Event.ACCOUNT_CONFIRMATION: "",
    Event.ACCOUNT_INVITATION: "",
    Event.PASSWORD_RESET: "",
    Event.GUARDIAN_INVITATION: "",
    Event.ACCOUNT_EXISTS: "",
    Event.ACCOUNT_DELETED: "",
    Event.DOSSIER_SUBMITTED: "Le dossier {{ child.first_name|de }} est bien déposé. Nous vous préviendrons de la suite.",
    Event.DOSSIER_SUBMITTED_DIRECTORS: "",
    Event.DOSSIERS_DIGEST: "",
    Event.CORRECTION_REQUESTED: (
        "L'école demande un complément pour le dossier {{ child.first_name|de }}"
        "{% if due_date %}, avant le {{ due_date|date_fr }}{% endif %}."
    ),
    Event.DOSSIER_RESUBMITTED: "",
    Event.DOSSIER_VALIDATED: "Bonne nouvelle : le dossier {{ child.first_name|de }} est validé par l'école.",
    Event.DOSSIER_REFUSED: "L'école a répondu au sujet du dossier {{ child.first_name|de }} : ouvrez-le pour lire sa réponse.",
    Event.DOSSIER_WITHDRAWN: "Le dossier {{ child.first_name|de }} a été retiré.",
    Event.DOSSIER_WAITING: "",
    Event.DOSSIER_WITHDRAWN_DIRECTORS: "",
    Event.SCHOOL_MESSAGE: "L'école vous a écrit au sujet du dossier {{ child.first_name|de }} : ouvrez-le pour lire son message.",
    Event.FAMILY_MESSAGE: "",
    Event.OPINION_ASKED: "Votre avis est demandé sur le dossier {{ dossier.reference }}.",
    Event.DOSSIER_CONFIRMED: (
        "L'inscription {{ child.first_name|de }} est confirmée."
        "{% if attestation %} L'attestation est dans votre dossier.{% endif %}"
    ),
    Event.PAYMENT_REMINDER: "Rappel : un paiement est attendu avant le {{ due_date|date_fr }} pour le dossier {{ child.first_name|de }}.",
    Event.PAYMENT_OVERDUE: "Un paiement attendu pour le dossier {{ child.first_name|de }} ne nous est pas parvenu.",
    Event.PAYMENT_RECEIVED: "Paiement reçu pour le dossier {{ child.first_name|de }}, merci.",
    Event.MANDATE_VALIDATED: "Votre mandat de prélèvement est validé.",
    Event.DEBIT_REJECTED: "Un prélèvement a été rejeté par votre banque : ouvrez votre dossier pour régulariser.",
}
