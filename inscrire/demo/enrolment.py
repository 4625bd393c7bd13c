"""The demo enrolment form, built with the form builder's own blocks (what
an editor would click together in the admin), not hard-coded anywhere else.
Idempotent: an existing page is left as the editors made it."""

from __future__ import annotations

from forms.definition import definition_problems

SCHOOL_YEAR = "2026-2027"
TITLE = f"Inscriptions scolaires {SCHOOL_YEAR}"
SLUG = f"inscription-{SCHOOL_YEAR}"
LEVELS = [
    "Toute petite section", "Petite section", "Moyenne section", "Grande section",
    "CP", "CE1", "CE2", "CM1", "CM2",
]
ALWAYS = {"match": "all", "clauses": []}


def _clause(field: str, operator: str = "equals", value: str = "", value2: str = "") -> dict:
    import uuid

    return {"type": "item", "id": str(uuid.uuid4()),
            "value": {"field": field, "operator": operator, "value": value, "value2": value2}}


def _when(field: str, value: str = "Oui", *, operator: str = "equals", value2: str = "") -> dict:
    """« seulement si <field> <operator> <value> » as the condition block stores it."""
    return {"match": "all", "clauses": [_clause(field, operator, value, value2)]}


def _when_all(*clauses: tuple, match: str = "all") -> dict:
    """Several clauses: each ``(field, operator, value[, value2])``."""
    return {"match": match, "clauses": [_clause(*clause) for clause in clauses]}


def _q(kind: str, label: str, name: str, *, required: bool = True, help_text: str = "", prefill: str = "",
       condition: dict | None = None, **extra) -> dict:
    return {
        "type": kind,
        "value": {
            "label": label, "name": name, "help_text": help_text, "required": required, "prefill": prefill,
            "condition": condition or ALWAYS, **extra,
        },
    }


def _heading(text: str, condition: dict | None = None) -> dict:
    return {"type": "heading", "value": {"text": text, "condition": condition or ALWAYS}}


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": {"text": html, "condition": ALWAYS}}


def _file(label: str, name: str, help_text: str) -> dict:
    return _q("file", label, name, help_text=help_text, allowed_types=["pdf", "jpg", "png"], max_size_mb=5)


def _step(title: str, intro: str, fields: list[dict]) -> dict:
    return {"type": "step", "value": {"title": title, "intro": intro, "condition": ALWAYS, "fields": fields}}


def enrolment_steps(school_year: str = SCHOOL_YEAR) -> list[dict]:
    """The form's steps; the year in its wording is the procedure's own
    (« pour l'année scolaire 2026-2027 »), never a date written apart."""
    return [
        _step("L'enfant", "<p>Vérifiez l'identité de l'enfant telle qu'elle figure sur son acte de naissance.</p>", [
            _q("text", "Prénom de l'enfant", "prenom", prefill="child.first_name"),
            _q("text", "Nom de l'enfant", "nom", prefill="child.last_name"),
            _q("date", "Date de naissance", "date_naissance", prefill="child.birth_date",
               min_date="2015-01-01", max_date="2024-12-31",
               help_text="Enfants nés entre 2015 et 2024 (de la toute petite section au CM2)."),
            _q("text", "Commune de naissance", "commune_naissance", required=False),
            _q("choice", f"Niveau demandé pour l'année scolaire {school_year}", "niveau", prefill="child.level",
               choices="\n".join(LEVELS), widget="select"),
            _q("yesno", "Demandez-vous une école hors de votre secteur (dérogation) ?", "derogation",
               help_text="L'école de secteur dépend de votre adresse. Une dérogation est examinée par une "
                         "commission."),
            _q("textarea", "Motif de la demande de dérogation", "derogation_motif", condition=_when("derogation"),
               help_text="Par exemple : un frère ou une sœur dans cette école, le lieu de travail d'un parent."),
        ]),
        _step("Responsables légaux", "", [
            _heading("Responsable 1"),
            _q("text", "Nom", "resp1_nom", prefill="guardian.last_name"),
            _q("text", "Prénom", "resp1_prenom", prefill="guardian.first_name"),
            _q("choice", "Lien avec l'enfant", "resp1_lien", choices="Mère\nPère\nTuteur ou tutrice\nAutre"),
            _q("phone", "Téléphone", "resp1_telephone", prefill="family.phone"),
            _q("email", "Adresse e-mail", "resp1_email", prefill="guardian.email"),
            _q("text", "Adresse", "adresse", prefill="family.address"),
            _q("postal_code", "Code postal", "code_postal", prefill="family.postal_code"),
            _q("text", "Commune", "commune", prefill="family.commune"),
            _q("yesno", "Y a-t-il un second responsable légal ?", "second_responsable"),
            _heading("Responsable 2", condition=_when("second_responsable")),
            _q("text", "Nom du second responsable", "resp2_nom", condition=_when("second_responsable")),
            _q("text", "Prénom du second responsable", "resp2_prenom", condition=_when("second_responsable")),
            _q("phone", "Téléphone du second responsable", "resp2_telephone", prefill="family.phone_alt",
               condition=_when("second_responsable")),
            _q("email", "E-mail du second responsable", "resp2_email", required=False,
               condition=_when("second_responsable")),
        ]),
        _step("Santé", "<p>Ces informations restent entre vous, l'école et le service de restauration.</p>", [
            _q("yesno", "L'enfant a-t-il des allergies ou une intolérance alimentaire ?", "allergies"),
            _q("textarea", "Précisez les allergies et la conduite à tenir", "allergies_detail",
               condition=_when("allergies")),
            _q("yesno", "Un projet d'accueil individualisé (PAI) est-il en place ?", "pai", condition=_when("allergies")),
            _q("textarea", "Traitement médical en cours", "traitement", required=False),
            _q("text", "Médecin traitant", "medecin", required=False),
            _q("phone", "Téléphone du médecin", "medecin_telephone", required=False),
        ]),
        _step("Personnes autorisées", "", [
            _paragraph("<p>Les personnes, autres que les responsables légaux, autorisées à venir chercher "
                       "l'enfant. Une pièce d'identité leur sera demandée.</p>"),
            {"type": "group", "value": {
                "label": "Personnes autorisées à venir chercher l'enfant", "name": "personnes_autorisees",
                "help_text": "", "item_label": "Personne", "min_count": 1, "max_count": 5, "condition": ALWAYS,
                "fields": [
                    _q("text", "Nom et prénom", "nom"),
                    _q("text", "Lien avec l'enfant", "lien", help_text="Grand-parent, voisin, nourrice…"),
                    _q("phone", "Téléphone", "telephone"),
                ],
            }},
        ]),
        _step("Cantine et périscolaire", "", [
            _q("yesno", "L'enfant mangera-t-il à la cantine ?", "cantine"),
            _q("multichoice", "Jours de cantine", "cantine_jours", choices="Lundi\nMardi\nJeudi\nVendredi",
               condition=_when("cantine")),
            _q("choice", "Repas", "cantine_repas", choices="Standard\nSans porc\nVégétarien",
               condition=_when("cantine")),
            _q("multichoice", "Accueil périscolaire", "periscolaire", required=False,
               choices="Accueil du matin (6 h 45 – 7 h 45)\nAccueil du soir (16 h – 18 h)\nMercredi"),
        ]),
        _step("Documents", "<p>Une photo nette ou un scan de chaque document, en PDF, JPEG ou PNG.</p>", [
            _file("Acte de naissance ou livret de famille", "acte_naissance",
                  "L'acte de naissance de l'enfant ou les pages du livret de famille."),
            _file("Justificatif de domicile", "justificatif_domicile",
                  "Facture d'eau, d'électricité ou de téléphone de moins de trois mois."),
            _file("Carnet de vaccination", "carnet_vaccination",
                  "Les pages des vaccinations du carnet de santé."),
        ]),
        _step("Engagements", "", [
            _q("consent", "J'ai lu le règlement de l'école et je m'engage à le respecter.", "reglement"),
            _q("consent", "Je certifie l'exactitude des informations de ce dossier.", "exactitude"),
        ]),
    ]


def _id() -> str:
    import uuid

    return str(uuid.uuid4())


def review(title: str, groups, *, decisions=("validate", "refuse", "correct"), routing: str = "school",
           routing_question: str = "", fallback=None, condition: dict | None = None, delay_days=None) -> dict:
    """An « Examen » stage as the page editor stores it."""
    return {"type": "review", "id": _id(), "value": {
        "title": title, "groups": [{"type": "item", "id": _id(), "value": g.pk} for g in groups],
        "routing": routing, "routing_question": routing_question, "fallback": fallback.pk if fallback else None,
        "decisions": list(decisions), "condition": condition or ALWAYS, "delay_days": delay_days}}


def payment(services, title: str = "Paiement") -> dict:
    return {"type": "payment", "id": _id(), "value": {"title": title, "services": list(services),
                                                      "condition": ALWAYS}}


def attestation(title: str = "", body: str = "") -> dict:
    return {"type": "attestation", "id": _id(), "value": {"title": title, "body": body, "signature": ""}}


def enrolment_stages(groups) -> list[dict]:
    """The enrolment as a mairie runs it: the mairie of the family's commune
    enrols the child, the commission decides on a request for a school
    outside the sector, the director admits the child; then the payment
    and the attestation."""
    from workflows.constants import GroupKind

    from .reviewers import COMMISSION, built_in

    mairies = [g for name, g in groups.items() if name.startswith("Service scolaire")]
    return [
        review("Inscription en mairie", mairies, routing="answer", routing_question="commune",
               fallback=groups[COMMISSION], delay_days=7),
        review("Demande de dérogation", [groups[COMMISSION]], decisions=("validate", "refuse"),
               condition=_when("derogation"), delay_days=21),
        review("Admission par l'école", [built_in(GroupKind.SCHOOL_DIRECTORS)]),
        payment(["canteen", "after_school", "study"]),
        attestation(),
    ]


def load_enrolment_form(*, home, groups, report):
    from workflows.models import ProcedurePage

    page = ProcedurePage.objects.child_of(home).filter(slug=SLUG).first()
    if page is not None:
        return page
    page = ProcedurePage(
        title=TITLE,
        slug=SLUG,
        intro="<p>Un dossier par enfant, pour une première inscription ou un changement d'école. "
              "Préparez l'acte de naissance, un justificatif de domicile et le carnet de vaccination.</p>",
        before_opening_text="<p>Préparez dès maintenant les documents demandés.</p>",
        after_closing_text="<p>Pour une inscription tardive, contactez directement l'école.</p>",
        confirmation_text="<p>Votre dossier est déposé. La mairie de votre commune l'examine d'abord, "
                          "puis l'école admet votre enfant ; chacune peut vous demander un complément. "
                          "Vous suivez chaque étape ici.</p>",
        form=enrolment_steps(ProcedurePage(title=TITLE).school_year),
        stages=enrolment_stages(groups),
    )
    problems = definition_problems(page.get_definition())
    if problems:  # a broken demo must fail loudly, not ship
        raise ValueError("; ".join(problems))
    home.add_child(instance=page)
    page.save_revision().publish()
    report.created.append(f"page « {page.title} »")
    return page
