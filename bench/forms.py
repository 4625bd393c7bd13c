"""The form the benchmark submits, defined once for both sides: fifteen
questions of the usual kinds, as the form builder's blocks (our
``ProcedurePage``) and as ``wagtail.contrib.forms`` fields (the
baseline), plus the answers a client posts."""

from __future__ import annotations

from inscrire.demo.enrolment import _file, _q, _step

PERISCOLAIRE = ["Accueil du matin", "Accueil du soir", "Mercredi"]
LEVELS = ["PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2"]

# (name, label, our type, Wagtail's type, extra options of our block, the answer posted)
QUESTIONS = [
    ("prenom", "Prénom de l'enfant", "text", "singleline", {"prefill": "child.first_name"}, "Léa"),
    ("nom", "Nom de l'enfant", "text", "singleline", {"prefill": "child.last_name"}, "Joseph"),
    ("date_naissance", "Date de naissance", "date", "date",
     {"min_date": "2015-01-01", "max_date": "2024-12-31"}, "2019-05-04"),
    ("commune_naissance", "Commune de naissance", "text", "singleline", {}, "Fort-de-France"),
    ("niveau", "Niveau demandé", "choice", "dropdown", {"choices": "\n".join(LEVELS), "widget": "select"}, "CP"),
    ("resp1_nom", "Nom du responsable", "text", "singleline", {"prefill": "guardian.last_name"}, "Joseph"),
    ("resp1_prenom", "Prénom du responsable", "text", "singleline", {}, "Marie"),
    ("resp1_telephone", "Téléphone", "phone", "singleline", {}, "0696123456"),
    ("resp1_email", "Adresse e-mail", "email", "email", {}, "marie.joseph@example.org"),
    ("adresse", "Adresse", "text", "singleline", {}, "12 rue Schœlcher"),
    ("code_postal", "Code postal", "postal_code", "singleline", {}, "97228"),
    ("allergies", "Allergies ?", "yesno", "radio", {}, "non"),
    ("traitement", "Traitement médical en cours", "textarea", "multiline", {"required": False},
     "Aucun traitement en cours."),
    ("periscolaire", "Accueil périscolaire", "multichoice", "checkboxes",
     {"choices": "\n".join(PERISCOLAIRE), "required": False}, ["Mercredi"]),
    ("exactitude", "Je certifie l'exactitude des informations.", "consent", "checkbox", {}, "on"),
]
FILES = [("acte_naissance", "Acte de naissance"), ("justificatif_domicile", "Justificatif de domicile")]


def stream(*, with_files: bool) -> list[dict]:
    questions = [_q(kind, label, name, **extra) for name, label, kind, _w, extra, _a in QUESTIONS]
    if with_files:
        questions += [_file(label, name, "PDF") for name, label in FILES]
    return [_step("Le dossier", "", questions)]


def wagtail_fields() -> list[dict]:
    fields = []
    for name, label, _kind, field_type, extra, _answer in QUESTIONS:
        choices = extra.get("choices", "")
        if field_type == "radio":
            choices = "oui\nnon"
        fields.append({"clean_name": name, "label": label, "field_type": field_type,
                       "required": extra.get("required", True), "choices": choices})
    return fields


def answers() -> dict:
    return {name: answer for name, _l, _k, _w, _e, answer in QUESTIONS}
