"""The demo's reviewer groups, as editors would define them in « Groupes
d'instruction »: each mairie's school service (one per commune of the demo
schools), the commission that decides on requests for a school outside the
sector, the after-school service and the school nurse — each with one demo
member. The two built-in groups (the school's directors, the finance
agents) come with the migration."""

from __future__ import annotations

from django.utils.text import slugify

from workflows.models import ReviewerGroup

COMMISSION = "Commission des dérogations"
PERISCOLAIRE = "Service périscolaire"
NURSE = "Infirmière scolaire"


def mairie_name(commune: str) -> str:
    return f"Service scolaire — Mairie de {commune}"


def load_reviewer_groups(*, schools, make_user, report) -> dict[str, ReviewerGroup]:
    """``make_user(role_label, email, first, last)`` gives a demo account."""
    from .content import DEMO_DOMAIN

    groups: dict[str, ReviewerGroup] = {}
    for commune in sorted({school.commune for school in schools.values()}):
        slug = slugify(commune)
        groups[mairie_name(commune)] = _group(
            mairie_name(commune), communes=commune, report=report,
            member=make_user(f"mairie — {commune}", f"mairie.{slug}@{DEMO_DOMAIN}", "Agent", f"Mairie {commune}"))
    groups[COMMISSION] = _group(COMMISSION, report=report, member=make_user(
        "commission des dérogations", f"derogations@{DEMO_DOMAIN}", "Denis", "Commission"))
    groups[PERISCOLAIRE] = _group(PERISCOLAIRE, report=report, member=make_user(
        "service périscolaire", f"periscolaire@{DEMO_DOMAIN}", "Paula", "Périscolaire"))
    groups[NURSE] = _group(NURSE, report=report, member=make_user(
        "infirmière scolaire", f"infirmiere@{DEMO_DOMAIN}", "Inès", "Infirmière"))
    return groups


def _group(name: str, *, member, report, communes: str = "") -> ReviewerGroup:
    group, created = ReviewerGroup.objects.get_or_create(name=name, defaults={"communes": communes})
    if created:
        group.members.add(member)
        group.save()
        report.created.append(f"groupe d'instruction « {name} »")
    return group


def built_in(kind: str) -> ReviewerGroup:
    return ReviewerGroup.objects.get(kind=kind)
