"""A second, simpler procedure built with the same blocks as the
enrolment — registration for after-school care: validated by the school,
no corrections, no payment, no attestation. Only its page's « Étapes du
dossier » differ; no code is specific to it."""

from __future__ import annotations

from forms.definition import definition_problems

from .enrolment import _paragraph, _q, _step

SLUG = "periscolaire-2026-2027"


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


def load_after_school_form(*, home, report):
    from workflows.models import ProcedurePage

    page = ProcedurePage.objects.child_of(home).filter(slug=SLUG).first()
    if page is not None:
        return page
    page = ProcedurePage(
        title="Accueil périscolaire 2026-2027",
        slug=SLUG,
        intro="<p>Inscrivez votre enfant à l'accueil du soir de son école.</p>",
        confirmation_text="<p>Votre demande est enregistrée : l'école la valide et vous répond ici.</p>",
        form=after_school_steps(),
        validation_required=True,
        corrections_allowed=False,
        payment_required=False,
        attestation_enabled=False,
    )
    problems = definition_problems(page.get_definition())
    if problems:
        raise ValueError("; ".join(problems))
    home.add_child(instance=page)
    page.save_revision().publish()
    report.created.append(f"page « {page.title} »")
    return page
