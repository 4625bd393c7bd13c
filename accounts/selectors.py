"""Reads about accounts, families and their consents.

Other apps call these: ``user_can_submit`` / ``submission_blockers`` before a
dossier is submitted, ``family_pending_consents`` for the documents a family
must accept (again) first.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Page

from cms.models import PortalSettings, School, SchoolRules

from .constants import ConsentKind, Role
from .models import AccountInvitation, Child, Consent, Family, GuardianInvitation, User

# --- Consents ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentDocument:
    """One document, in the version in force, that a family accepts."""

    kind: ConsentKind
    key: str  # "terms", or "rules-<school id>": the form field's suffix
    title: str
    version: str
    terms_page: Page | None = None
    school: School | None = None
    rules: SchoolRules | None = None

    @cached_property
    def url(self) -> str:
        """Where the family reads it, worked out only when shown: a page's
        URL costs more than the check before every submission."""
        if self.terms_page is not None:
            return self.terms_page.url or ""
        return self.rules.document.url if self.rules is not None else ""


def _terms_page() -> Page | None:
    """The default site's terms page, read in one query (its title, URL and
    live revision are those of the generic page)."""
    portal = (
        PortalSettings.objects.filter(site__is_default_site=True)
        .select_related("terms_page", "site")
        .first()
    )
    if portal is None or portal.terms_page is None or not portal.terms_page.live:
        return None
    return portal.terms_page


def _terms_version(live_revision_id: int | None) -> str:
    return str(live_revision_id) if live_revision_id else "initiale"


def terms_document() -> ConsentDocument | None:
    """The portal's terms of use as published now; the version is the id of
    the page's live revision, so every new publication is a new version."""
    page = _terms_page()
    if page is None:
        return None
    version = _terms_version(page.live_revision_id)
    return ConsentDocument(
        kind=ConsentKind.TERMS,
        key="terms",
        title=page.title,
        version=version,
        terms_page=page,
    )


def school_rules_document(*, school: School) -> ConsentDocument | None:
    rules = school.current_rules
    if rules is None:
        return None
    return ConsentDocument(
        kind=ConsentKind.SCHOOL_RULES,
        key=f"rules-{school.pk}",
        title=_("Règlement — %(school)s") % {"school": school.name},
        version=rules.version,
        school=school,
        rules=rules,
    )


def current_consent_documents(*, schools) -> list[ConsentDocument]:
    """The terms of use, then the rules of each of ``schools``, in the
    versions in force (schools without rules have nothing to accept)."""
    documents = []
    terms = terms_document()
    if terms is not None:
        documents.append(terms)
    for school in schools:
        rules = school_rules_document(school=school)
        if rules is not None:
            documents.append(rules)
    return documents


def _accepted(family: Family | int) -> tuple[set[tuple[int, str]], set[int]]:
    """What ``family`` (or the family of that id) accepted: (terms page,
    version) pairs and rules ids."""
    accepted = set(
        Consent.objects.filter(family=family).values_list("kind", "terms_page_id", "version", "rules_id")
    )
    terms = {(page, version) for kind, page, version, _rules in accepted if kind == ConsentKind.TERMS}
    rules = {rules for kind, _page, _version, rules in accepted if kind == ConsentKind.SCHOOL_RULES}
    return terms, rules


def family_pending_consents(*, family: Family) -> list[ConsentDocument]:
    """The documents in force that ``family`` has not accepted in this
    version, to show and accept."""
    accepted_terms, accepted_rules = _accepted(family)
    pending = []
    for document in current_consent_documents(schools=family.schools.order_by("commune", "name")):
        if document.kind == ConsentKind.TERMS:
            if (document.terms_page.pk, document.version) not in accepted_terms:
                pending.append(document)
        elif document.rules.pk not in accepted_rules:
            pending.append(document)
    return pending


def family_has_pending_consents(*, family_id: int) -> bool:
    """Whether a document in force waits for the family's acceptance — the
    same rule as ``family_pending_consents``, asked before every submission
    with three narrow reads instead of the documents themselves."""
    accepted_terms, accepted_rules = _accepted(family_id)
    terms = (
        PortalSettings.objects.filter(site__is_default_site=True, terms_page__live=True)
        .values_list("terms_page_id", "terms_page__live_revision_id")
        .first()
    )
    if terms is not None and (terms[0], _terms_version(terms[1])) not in accepted_terms:
        return True
    # The rules in force of each of the family's schools (``School.current_rules``).
    in_force: dict[int, int] = {}
    for school_id, rules_id in (
        SchoolRules.objects.filter(school__families=family_id)
        .order_by("school_id", *SchoolRules.IN_FORCE_ORDER)
        .values_list("school_id", "pk")
    ):
        in_force.setdefault(school_id, rules_id)
    return not set(in_force.values()) <= accepted_rules


def family_consents(*, family: Family) -> QuerySet[Consent]:
    return Consent.objects.filter(family=family).select_related("user").order_by("-accepted_at")


# --- Whether a dossier can be submitted ------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """Why a dossier cannot be submitted yet, and where to fix it."""

    code: str
    message: str
    url: str


def submission_blockers(*, user: User) -> list[Blocker]:
    """Everything that stops ``user`` from submitting a dossier: a family,
    a confirmed e-mail address, an own password, the documents in force
    accepted. Empty means allowed."""
    if not user.is_authenticated:
        return [Blocker("anonymous", _("Connectez-vous pour déposer un dossier."), reverse("accounts:login"))]
    blockers = []
    if user.family_id is None:
        blockers.append(
            Blocker("no_family", _("Ce compte n'est rattaché à aucune famille."), reverse("accounts:signup"))
        )
    if user.must_change_password:
        blockers.append(
            Blocker(
                "provisional_password",
                _("Choisissez votre propre mot de passe."),
                reverse("accounts:password_change"),
            )
        )
    if user.email_confirmed_at is None:
        blockers.append(
            Blocker(
                "email_unconfirmed",
                _("Confirmez votre adresse e-mail en suivant le lien que nous vous avons envoyé."),
                reverse("accounts:account"),
            )
        )
    if user.family_id is not None and family_has_pending_consents(family_id=user.family_id):
        blockers.append(
            Blocker(
                "consents",
                _("Acceptez la nouvelle version des conditions d'utilisation ou du règlement de votre école."),
                reverse("accounts:consents"),
            )
        )
    return blockers


def user_can_submit(*, user: User) -> bool:
    """Whether ``user`` may submit a dossier now (see ``submission_blockers``)."""
    return not submission_blockers(user=user)


# --- Families ---------------------------------------------------------------------------


def family_children(*, family: Family) -> QuerySet[Child]:
    return Child.objects.filter(family=family).order_by("birth_date", "first_name")


def children_for_user(*, user: User) -> QuerySet[Child]:
    """The children ``user`` may see and change: those of his or her family
    only (none for staff)."""
    if not user.is_authenticated or user.family_id is None:
        return Child.objects.none()
    return Child.objects.filter(family_id=user.family_id)


def family_guardians(*, family: Family) -> QuerySet[User]:
    return User.objects.filter(family=family, is_active=True).order_by("date_joined")


def family_open_guardian_invitations(*, family: Family) -> QuerySet[GuardianInvitation]:
    return GuardianInvitation.objects.filter(
        family=family, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def guardian_joins_pending(*, user: User) -> QuerySet[GuardianInvitation]:
    """The families ``user`` will join once the invited address is confirmed."""
    return GuardianInvitation.objects.filter(
        accepted_by=user, used_at__isnull=False, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("family")


# --- Staff -------------------------------------------------------------------------------


def is_staff_member(*, user: User) -> bool:
    return user.is_staff_member


def landing_url(*, user: User) -> str:
    """Where a person lands after signing in: staff where their role
    works (the Wagtail admin for now), families on their account."""
    if user.must_change_password:
        return reverse("accounts:password_change")
    if is_staff_member(user=user):
        return "/cms/"
    return reverse("accounts:account")


def may_invite_families(*, user: User) -> bool:
    return user.is_superuser or user.has_role(Role.EDITOR) or user.has_role(Role.DIRECTOR)


def invitable_schools(*, user: User) -> QuerySet[School]:
    """The schools for which ``user`` may invite a family: all of them for
    editors and administrators, their own for directors."""
    if user.is_superuser or user.has_role(Role.EDITOR):
        return School.objects.order_by("commune", "name")
    if user.has_role(Role.DIRECTOR):
        return user.directed_schools.order_by("commune", "name")
    return School.objects.none()


def account_invitations_for(*, user: User) -> QuerySet[AccountInvitation]:
    return (
        AccountInvitation.objects.filter(school__in=invitable_schools(user=user))
        .select_related("user", "school", "invited_by")
        .order_by("-created_at")
    )


def account_invitation_expired(*, user: User) -> bool:
    """Whether ``user`` still has a provisional password whose invitation has
    expired: the provisional password no longer opens the account."""
    if not user.must_change_password:
        return False
    latest = AccountInvitation.objects.filter(user=user).order_by("-created_at").first()
    return latest is not None and latest.expires_at <= timezone.now()


# --- School search --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    query: str
    label: str


@dataclass
class SchoolSearch:
    """The schools that match a postal code or a commune; when none does, a
    message that says so and nearby postal codes or communes to try."""

    query: str
    schools: list[School] = field(default_factory=list)
    message: str = ""
    suggestions: list[Suggestion] = field(default_factory=list)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"\bst\b", "saint", text)
    text = re.sub(r"\bste\b", "sainte", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _postal_code_suggestions(schools: list[School], code: str, limit: int = 5) -> list[Suggestion]:
    """Known postal codes nearest to ``code``: first the longest shared
    prefix (972xx), then the smallest numeric distance."""
    communes: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for school in schools:
        communes.setdefault(school.postal_code, [])
        if school.commune not in communes[school.postal_code]:
            communes[school.postal_code].append(school.commune)
        counts[school.postal_code] += 1

    def shared_prefix(other: str) -> int:
        n = 0
        for a, b in zip(code, other):
            if a != b:
                break
            n += 1
        return n

    def distance(other: str) -> int:
        try:
            return abs(int(other) - int(code.ljust(5, "0")))
        except ValueError:
            return 10**6

    ordered = sorted(communes, key=lambda other: (-shared_prefix(other), distance(other), other))
    return [
        Suggestion(
            other,
            ngettext("%(code)s — %(communes)s (%(count)d école)", "%(code)s — %(communes)s (%(count)d écoles)",
                     counts[other])
            % {"code": other, "communes": ", ".join(communes[other]), "count": counts[other]},
        )
        for other in ordered[:limit]
    ]


def _commune_suggestions(schools: list[School], query: str, limit: int = 5) -> list[Suggestion]:
    counts = Counter(school.commune for school in schools)
    by_normal = {_normalize(commune): commune for commune in counts}
    close = difflib.get_close_matches(_normalize(query), list(by_normal), n=limit, cutoff=0.5)
    names = [by_normal[n] for n in close] or sorted(counts)[:limit]
    return [
        Suggestion(
            name,
            ngettext("%(commune)s (%(count)d école)", "%(commune)s (%(count)d écoles)", counts[name])
            % {"commune": name, "count": counts[name]},
        )
        for name in names
    ]


def school_search(*, query: str) -> SchoolSearch:
    """Schools by the school's code (``3KTUKZ``: that school exactly), by
    postal code (``97228``, or a beginning such as ``972``) or by commune or
    school name (``Sainte-Luce``, ``ste luce``, ``marin``), accents and case
    ignored. Never empty-handed: without results it says why and suggests
    postal codes or communes that have schools."""
    query = (query or "").strip()[:100]
    all_schools = list(School.objects.order_by("commune", "name"))
    result = SchoolSearch(query=query)
    if not all_schools:
        result.message = _("Aucune école n'est encore inscrite sur le portail. Revenez bientôt.")
        return result
    if not query:
        result.suggestions = _commune_suggestions(all_schools, "", limit=50)
        return result

    compact = re.sub(r"\s+", "", query)
    by_code = [s for s in all_schools if s.code == compact.upper()]
    if by_code:
        result.schools = by_code
        return result
    if compact.isdigit():
        if len(compact) > 5:
            result.message = _("Un code postal a cinq chiffres, par exemple 97228.")
            result.suggestions = _postal_code_suggestions(all_schools, compact[:5])
            return result
        result.schools = [s for s in all_schools if s.postal_code.startswith(compact)]
        if result.schools:
            return result
        if not compact.startswith("972"[: len(compact)]):
            result.message = _(
                "Le code postal %(code)s n'est pas en Martinique : le portail réunit les écoles du Sud de la "
                "Martinique (codes postaux 972xx). Codes postaux proches :"
            ) % {"code": compact}
        else:
            result.message = _(
                "Aucune école du portail n'a le code postal %(code)s. Codes postaux proches :"
            ) % {"code": compact}
        result.suggestions = _postal_code_suggestions(all_schools, compact)
        return result

    wanted = _normalize(query)
    if wanted:
        in_commune = [s for s in all_schools if wanted in _normalize(s.commune)]
        in_name = [s for s in all_schools if s not in in_commune and wanted in _normalize(s.name)]
        result.schools = in_commune + in_name
    if result.schools:
        return result
    result.message = _("Aucune école trouvée pour « %(query)s ». Essayez une de ces communes :") % {"query": query}
    result.suggestions = _commune_suggestions(all_schools, query)
    return result


def schools_by_ids(ids) -> list[School]:
    wanted = [int(i) for i in ids if str(i).isdigit()]
    return list(School.objects.filter(pk__in=wanted).order_by("commune", "name"))
