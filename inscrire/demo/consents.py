"""Demo terms of use and school rules, so that sign-up step 4 has real
documents to accept. Idempotent like the rest of the demo."""

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Site

from cms.models import HelpIndexPage, HelpPage, HomePage, PortalSettings, School, SchoolRules

PORTAL_INDEX = {"title": "Le portail", "slug": "le-portail", "subtitle": "Conditions d'utilisation et données personnelles"}

TERMS_BODY = [
    {"type": "paragraph", "value": (
        "<p>Le portail Inscrire permet aux familles des écoles maternelles et élémentaires du Sud de la "
        "Martinique d'ouvrir un compte, de déposer un dossier pour chaque enfant et d'en suivre le traitement.</p>"
    )},
    {"type": "heading", "value": {"text": "Vos engagements", "level": "h2"}},
    {"type": "paragraph", "value": (
        "<p>Vous certifiez l'exactitude des informations et des pièces que vous déposez, et vous les mettez à "
        "jour en cas de changement (adresse, téléphone, personnes autorisées à venir chercher l'enfant).</p>"
    )},
    {"type": "heading", "value": {"text": "Vos données", "level": "h2"}},
    {"type": "paragraph", "value": (
        "<p>Les données de votre famille ne sont vues que par vous et par les personnels de l'école choisie. "
        "Elles sont conservées le temps nécessaire à l'inscription, puis supprimées ou anonymisées. Vous pouvez "
        "à tout moment demander une copie de vos données ou la suppression de votre compte.</p>"
    )},
]

RULES_TEXT = (
    "Règlement intérieur — {school}\n\n"
    "1. Horaires : accueil de 7 h 30 à 8 h 00, sortie à 16 h 00.\n"
    "2. Toute absence est signalée à l'école le jour même.\n"
    "3. Les enfants ne sont remis qu'aux personnes autorisées inscrites au dossier.\n"
    "4. Les médicaments ne sont administrés que dans le cadre d'un projet d'accueil individualisé (PAI).\n"
)


def load_consents(*, home: HomePage, schools: dict[str, School], report) -> None:
    index = HelpIndexPage.objects.child_of(home).filter(slug=PORTAL_INDEX["slug"]).first()
    if index is None:
        index = home.add_child(instance=HelpIndexPage(**PORTAL_INDEX))
        report.created.append(f"page « {index.title} »")
    terms = HelpPage.objects.child_of(index).filter(slug="conditions-generales").first()
    if terms is None:
        terms = index.add_child(instance=HelpPage(
            title="Conditions générales d'utilisation", slug="conditions-generales",
            summary="Ce que vous acceptez en ouvrant un compte famille.", body=TERMS_BODY,
        ))
        terms.save_revision().publish()  # the accepted version is the live revision
        report.created.append(f"page « {terms.title} »")
    site = Site.objects.get(is_default_site=True)
    portal = PortalSettings.for_site(site)
    if portal.terms_page_id is None:
        portal.terms_page = terms
        portal.save()

    Document = get_document_model()
    for school in schools.values():
        if SchoolRules.objects.filter(school=school).exists():
            continue
        document = Document(title=f"Règlement intérieur 2026-2027 — {school.name}")
        document.file.save(
            f"reglement-{school.pk}.txt", ContentFile(RULES_TEXT.format(school=school.name).encode()), save=False
        )
        document.save()
        # Not through school.rules_versions: a cluster keeps those in memory until the school is saved.
        SchoolRules.objects.create(school=school, version="2026-2027", document=document)
        report.created.append(f"règlement « {school.name} »")
