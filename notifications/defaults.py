"""French default messages, one per event: (subject, body), Jinja2 syntax."""

from .constants import Event

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    Event.ACCOUNT_CONFIRMATION: (
        "Confirmez votre adresse e-mail",
        "Bonjour {{ user.first_name }},\n\n"
        "Pour activer votre compte famille sur le portail Inscrire, confirmez votre adresse e-mail "
        "en ouvrant ce lien (valable {{ validity_hours }} heures, une seule fois) :\n\n"
        "{{ link }}\n\n"
        "Si vous n'avez pas demandé la création de ce compte, ignorez ce message.",
    ),
    Event.ACCOUNT_INVITATION: (
        "Votre compte famille sur le portail Inscrire",
        "Bonjour,\n\n"
        "{{ school.name }} a créé votre compte famille sur le portail Inscrire.\n"
        "Identifiant : {{ email }}\n"
        "Mot de passe provisoire : {{ provisional_password }}\n\n"
        "Connectez-vous avant le {{ expires_at }} : {{ link }}\n"
        "Vous choisirez alors votre propre mot de passe.",
    ),
    Event.PASSWORD_RESET: (
        "Réinitialisation de votre mot de passe",
        "Bonjour,\n\n"
        "Pour choisir un nouveau mot de passe, ouvrez ce lien :\n\n{{ link }}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.",
    ),
    Event.GUARDIAN_INVITATION: (
        "Rejoignez le compte famille {{ family.name }}",
        "Bonjour,\n\n"
        "{{ inviter.first_name }} {{ inviter.last_name }} vous invite à rejoindre le compte famille "
        "« {{ family.name }} » sur le portail Inscrire. Ouvrez ce lien pour créer votre accès :\n\n{{ link }}",
    ),
}
