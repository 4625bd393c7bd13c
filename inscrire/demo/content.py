"""Demo content: the seed help page (``seed/inscriptions-2020-2021.md``)
written as StreamField data, this year's help pages, demo schools and demo
accounts.

The 2020 - 2021 help pages are the seed's archive, word for word; only
their layout became blocks. This year's pages (2026 - 2027) start from them,
as « Préparer l'année suivante » would, and say what changed since: the
portal itself installs on the phone (the « Installer l'application » block
instead of the seed's store links and its vendor's app), and it is the
portal's own address that families open.
"""

from cms.constants import SchoolKind

HOME = {
    "title": "Inscriptions scolaires en ligne",
    "slug": "accueil",
    "intro": (
        "<p>Bienvenue sur le portail des inscriptions des écoles maternelles et élémentaires "
        "du Sud de la Martinique. Ouvrez votre compte famille, inscrivez chaque enfant en ligne "
        "et suivez son dossier jusqu'à la confirmation.</p>"
    ),
}

HELP_INDEX = {
    "title": "Inscriptions 2020 - 2021",
    "slug": "inscriptions-2020-2021",
    "subtitle": "Écoles Maternelles et Élémentaires du Sud de la Martinique",
}

ETICKET_URL = "https://portail.eticket-app.qiis.fr/famille/index.html"


def _p(html: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{html}</p>"}


def _steps(start: int, *steps: tuple[str, str]) -> dict:
    return {
        "type": "steps",
        "value": {
            "start": start,
            "steps": [{"title": title, "body": f"<p>{body}</p>" if body else ""} for title, body in steps],
        },
    }


# Each help page: (slug, title, summary, body). A body item ``("link", slug)``
# is a « Pour plus d'infos » link to the help page with that slug, resolved
# once every page exists.
HELP_PAGES = [
    (
        "comment-proceder",
        "Comment procéder à l'inscription en ligne ?",
        "Installer l'application, se connecter au Portail Famille, créer son compte.",
        [
            _p(
                "<b>Installez l'application mobile:</b> L'application mobile est disponible gratuitement "
                "sur tous les stores et s'installe en quelques secondes"
            ),
            _steps(
                1,
                (
                    "",
                    "Votre Portail Famille est également disponible sur votre navigateur web en utilisant "
                    f'cette adresse : <a href="{ETICKET_URL}">{ETICKET_URL}</a>. '
                    "Votre code 3KTUKZ ou code postal 97228",
                ),
            ),
            {
                "type": "callout",
                "value": {
                    "kind": "attention",
                    "title": "Attention:",
                    "body": (
                        "<p>Si vous avez déjà reçu votre identifiant (souvent envoyé par mail), connectez-vous "
                        "directement avec votre ID et votre mot de passe provisoire, puis consultez l'Assistance "
                        "du Portail Famille. L'étape #2 n'est pas nécessaire dans ce cas là.</p>"
                    ),
                },
            },
            _steps(
                2,
                (
                    "Créer votre compte:",
                    "Vous n'avez pas encore votre compte eTicket ? Lancez l'application et démarrez la création "
                    "d'un compte Famille. Cela ne prend qu'une minute !",
                ),
            ),
            ("link", "ouvrir-un-compte"),
            _steps(3, ("Découvrez votre nouveau Portail Famille", "")),
        ],
    ),
    (
        "ouvrir-un-compte",
        "Comment ouvrir un compte en 5 étapes ?",
        "Nom, mot de passe, structure d'accueil, conditions : votre compte est prêt.",
        [
            _steps(
                1,
                ("", "Renseignez votre Nom, Prénom et Email."),
                ("", "Puis, renseignez votre mot de passe."),
                (
                    "",
                    "Sélectionnez la structure qui accueille vos enfants. Pour cela, recherchez votre structure "
                    "à partir de son code postal.",
                ),
                (
                    "",
                    "Validez les Conditions Générales d'Utilisations du portail famille et le Règlement de "
                    "votre structure d'accueil",
                ),
                (
                    "",
                    "Voilà, c'est fait ! Votre compte est actif. Connectez-vous, et commencez à renseigner "
                    "votre dossier.",
                ),
            ),
        ],
    ),
    (
        "comment-payer",
        "Comment payer ?",
        "Le 20 du mois précédent au plus tard : prélèvement, carte bancaire ou espèces.",
        [
            {
                "type": "callout",
                "value": {
                    "kind": "important",
                    "title": "Date limite de paiement",
                    "body": (
                        "<p><b>Votre règlement doit intervenir au plus tard le 20 du mois précédent le mois "
                        "de consommation. 3 modes de paiement sont possibles :</b></p>"
                    ),
                },
            },
            _p(
                "<b>Prélèvement automatique:</b> Mandat de prélèvement à télécharger via le site "
                '<a href="http://soges972.fr">soges972.fr</a> dans votre Portail Famille ou via '
                "l'application eTicket."
            ),
            _p(
                "<b>Carte bancaire:</b> En ligne, connectez-vous sur "
                '<a href="http://www.soges972.fr">www.soges972.fr</a> avec l\'identifiant Internet et le mot '
                "de passe Internet. Vous devrez vous rendre sur votre espace personnel."
            ),
            _p(
                "<b>Espèces:</b> Vous devrez vous rendre à l'espace-parents de SOGES muni de l'appoint "
                "(monnaie)"
            ),
        ],
    ),
]

CURRENT_HELP_INDEX = {
    "title": "Inscriptions 2026 - 2027",
    "slug": "inscriptions-2026-2027",
    "subtitle": "Écoles Maternelles et Élémentaires du Sud de la Martinique",
}

CURRENT_HELP_PAGES = [
    (
        "comment-proceder",
        "Comment procéder à l'inscription en ligne ?",
        "Installer l'application, créer son compte, déposer le dossier de chaque enfant.",
        [
            {
                "type": "install_app",
                "value": {
                    "title": "Installez l'application mobile",
                    "intro": (
                        "<p>Le portail Inscrire devient une application sur votre téléphone : vous y retrouvez "
                        "vos dossiers et, si vous le souhaitez, vous êtes prévenu de chaque étape.</p>"
                    ),
                },
            },
            _steps(
                1,
                (
                    "",
                    "Le portail est également disponible sur votre navigateur web, sur téléphone comme sur "
                    "ordinateur, à l'adresse de ce site.",
                ),
            ),
            {
                "type": "callout",
                "value": {
                    "kind": "attention",
                    "title": "Attention:",
                    "body": (
                        "<p>Si vous avez déjà reçu votre identifiant (souvent envoyé par mail), connectez-vous "
                        "directement avec votre identifiant et votre mot de passe provisoire. L'étape #2 n'est pas "
                        "nécessaire dans ce cas là.</p>"
                    ),
                },
            },
            _steps(
                2,
                (
                    "Créer votre compte:",
                    "Vous n'avez pas encore votre compte ? Ouvrez l'application et choisissez « Créer un compte » "
                    "pour démarrer la création d'un compte Famille. Cela ne prend qu'une minute !",
                ),
            ),
            ("link", "ouvrir-un-compte"),
            _steps(
                3,
                (
                    "Déposez le dossier de chaque enfant",
                    "Dans « Mes dossiers », remplissez le dossier de chaque enfant et suivez-le jusqu'à la "
                    "confirmation. Pour être prévenu sur votre téléphone, activez les notifications dans "
                    "« Mon compte ».",
                ),
            ),
        ],
    ),
    # Unchanged since the seed.
    HELP_PAGES[1],
    HELP_PAGES[2],
]

# (index, pages): this year's first, then the seed's archive.
HELP_SECTIONS = [(CURRENT_HELP_INDEX, CURRENT_HELP_PAGES), (HELP_INDEX, HELP_PAGES)]

# The seed gives families « Votre code 3KTUKZ ou code postal 97228 »: that code
# is the Sainte-Luce nursery school's.
SCHOOLS = [
    {
        "name": "École maternelle du Bourg",
        "kind": SchoolKind.MATERNELLE,
        "address": "Rue Schœlcher",
        "postal_code": "97228",
        "commune": "Sainte-Luce",
        "slug": "sainte-luce-maternelle",
        "code": "3KTUKZ",
    },
    {
        "name": "École élémentaire Trois-Rivières",
        "kind": SchoolKind.ELEMENTAIRE,
        "address": "Quartier Trois-Rivières",
        "postal_code": "97228",
        "commune": "Sainte-Luce",
        "slug": "sainte-luce-elementaire",
        "code": "TRIVL4",
    },
    {
        "name": "Groupe scolaire du Marin",
        "kind": SchoolKind.GROUPE,
        "address": "Boulevard Allègre",
        "postal_code": "97290",
        "commune": "Le Marin",
        "slug": "le-marin",
        "code": "MARIN7",
    },
    {
        "name": "École élémentaire du Bourg",
        "kind": SchoolKind.ELEMENTAIRE,
        "address": "Rue Victor Hugo",
        "postal_code": "97211",
        "commune": "Rivière-Pilote",
        "slug": "riviere-pilote",
        "code": "RPILT2",
    },
    {
        "name": "École primaire du Diamant",
        "kind": SchoolKind.GROUPE,
        "address": "Route des Anses",
        "postal_code": "97223",
        "commune": "Le Diamant",
        "slug": "le-diamant",
        "code": "DIAM8T",
    },
    {
        "name": "École maternelle de Sainte-Anne",
        "kind": SchoolKind.MATERNELLE,
        "address": "Rue du Bord de Mer",
        "postal_code": "97227",
        "commune": "Sainte-Anne",
        "slug": "sainte-anne",
        "code": "STANN5",
    },
]

DEMO_PASSWORD = "demo-inscrire-2026"
DEMO_DOMAIN = "inscrire.example"
