"""Two more procedures built with the same blocks as the enrolment — only
their pages' « Étapes du dossier » differ; no code is specific to them:

- after-school care, examined once by the after-school service, no payment;
- the canteen, with no review at all: the family pays for the canteen and
  the dossier is confirmed."""

from __future__ import annotations

from forms.definition import definition_problems

from .enrolment import _paragraph, _q, _step, _when, payment, review
from .reviewers import PERISCOLAIRE

AFTER_SCHOOL_SLUG = "periscolaire-2026-2027"
CANTEEN_SLUG = "restauration-scolaire-2026-2027"


def after_school_steps() -> list[dict]:
    return [
        _step("L'enfant", "", [
            _q("text", "Prénom de l'enfant", "prenom", prefill="child.first_name"),
            _q("text", "Nom de l'enfant", "nom", prefill="child.last_name"),
        ]),
        _step("L'accueil", "<p>L'accueil du soir fonctionne de 16 h 00 à 18 h 00, les jours d'école.</p>", [
            _q("multichoice", "Jours d'accueil", "jours", choices="Lundi\nMardi\nJeudi\nVendredi"),
            _q("phone", "Téléphone joignable pendant l'accueil", "telephone", prefill="family.phone"),
            _paragraph("<p>L'enfant n'est remis qu'aux personnes autorisées inscrites à son dossier "
                       "d'inscription scolaire.</p>"),
            _q("consent", "J'ai lu le règlement de l'accueil périscolaire et je l'accepte.", "reglement"),
        ]),
    ]


def canteen_steps() -> list[dict]:
    return [
        _step("La cantine", "<p>Les repas sont servis les jours d'école, de 11 h 45 à 13 h 15.</p>", [
            _q("text", "Prénom de l'enfant", "prenom", prefill="child.first_name"),
            _q("multichoice", "Jours de cantine", "jours", choices="Lundi\nMardi\nJeudi\nVendredi"),
            _q("choice", "Repas", "repas", choices="Standard\nSans porc\nVégétarien"),
            _q("yesno", "L'enfant a-t-il une allergie alimentaire ?", "allergie"),
            _q("textarea", "Laquelle, et la conduite à tenir", "allergie_detail", condition=_when("allergie")),
            _q("consent", "J'ai lu le règlement de la restauration scolaire et je l'accepte.", "reglement"),
        ]),
    ]


def _load(*, home, report, slug: str, **fields):
    from workflows.models import ProcedurePage

    page = ProcedurePage.objects.child_of(home).filter(slug=slug).first()
    if page is not None:
        return page
    page = ProcedurePage(slug=slug, **fields)
    problems = definition_problems(page.get_definition())
    if problems:  # a broken demo must fail loudly, not ship
        raise ValueError("; ".join(problems))
    home.add_child(instance=page)
    page.save_revision().publish()
    report.created.append(f"page « {page.title} »")
    return page


def load_after_school_form(*, home, groups, report):
    return _load(
        home=home, report=report, slug=AFTER_SCHOOL_SLUG,
        title="Accueil périscolaire 2026-2027",
        intro="<p>Inscrivez votre enfant à l'accueil du soir de son école.</p>",
        confirmation_text="<p>Votre demande est enregistrée : le service périscolaire la valide et vous répond "
                          "ici.</p>",
        form=after_school_steps(),
        stages=[review("Validation par le service périscolaire", [groups[PERISCOLAIRE]],
                       decisions=("validate", "refuse"))],
    )


def load_canteen_form(*, home, report):
    return _load(
        home=home, report=report, slug=CANTEEN_SLUG,
        title="Restauration scolaire 2026-2027",
        intro="<p>Inscrivez votre enfant à la cantine : choisissez ses jours et son repas, puis réglez le "
              "premier mois.</p>",
        confirmation_text="<p>Votre inscription à la cantine est enregistrée ; elle est confirmée dès le "
                          "paiement du premier mois.</p>",
        form=canteen_steps(),
        stages=[payment(["canteen"], title="Paiement de la cantine")],
    )
