"""The five-step sign-up, through the HTTP client: every step, every bad
input, each with a French message and what was typed kept."""

import re

import pytest
from django.contrib.auth import get_user_model

from accounts import selectors
from accounts.constants import ConsentKind
from accounts.models import Consent
from tests.factories import PASSWORD, UserFactory

from .helpers import IDENTITY, STRONG, last_mail_to, links, path_of, signup_until, step, text

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_five_steps_open_an_active_account(client, schools, rules, terms_page, django_capture_on_commit_callbacks):
    response = client.get("/compte/inscription/", follow=True)
    page = text(response)
    assert "Étape 1 sur 5" in page
    assert 'aria-current="step"' in page

    page = text(step(client, 1, IDENTITY))
    assert "Étape 2 sur 5" in page
    # The password rules are shown before anyone fails them.
    assert "au minimum 10 caractères" in page
    assert "entièrement numérique" in page

    page = text(step(client, 2, {"password1": STRONG, "password2": STRONG}))
    assert "Étape 3 sur 5" in page

    page = text(client.get("/compte/inscription/etape-3/", {"q": "97228"}))
    assert "2 écoles trouvées pour « 97228 »" in page
    assert "École maternelle du Bourg" in page and "École élémentaire Trois-Rivières" in page
    assert "Groupe scolaire du Marin" not in page

    chosen = [schools["maternelle"].pk, schools["elementaire"].pk]
    page = text(step(client, 3, {"schools": chosen, "q": "97228"}))
    assert "Étape 4 sur 5" in page
    assert "Conditions générales d'utilisation" in page
    assert "Règlement — École maternelle du Bourg" in page
    assert "version 2026-2027" in page
    # The second school has no rules yet: nothing to accept for it.
    assert "Règlement — École élémentaire Trois-Rivières" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = step(
            client,
            4,
            {
                "accept_terms": "on",
                f"accept_rules-{schools['maternelle'].pk}": "on",
                "version_terms": str(terms_page.live_revision_id),
                f"version_rules-{schools['maternelle'].pk}": "2026-2027",
            },
        )
    page = text(response)
    assert response.redirect_chain[-1][0] == "/compte/inscription/termine/"
    assert "Étape 5 sur 5" in page
    assert "vérifiez votre messagerie" in page
    assert "Nous avons envoyé un e-mail à marie.joseph@example.org" in page

    user = User.objects.get(email="marie.joseph@example.org")
    # Not signed in: an address that already had an account gets the same page (see below).
    assert not response.wsgi_request.user.is_authenticated
    assert user.first_name == "Marie" and user.last_name == "Joseph"
    assert user.check_password(STRONG)
    assert user.family.name == "Joseph"
    assert set(user.family.schools.values_list("pk", flat=True)) == set(chosen)
    assert not user.email_confirmed
    # The account works, but no dossier until the address is confirmed.
    assert not selectors.user_can_submit(user=user)
    assert [b.code for b in selectors.submission_blockers(user=user)] == ["email_unconfirmed"]

    consents = {c.kind: c for c in Consent.objects.filter(family=user.family)}
    assert consents[ConsentKind.TERMS].version == str(terms_page.live_revision_id)
    assert consents[ConsentKind.TERMS].terms_page_id == terms_page.pk
    assert consents[ConsentKind.SCHOOL_RULES].version == "2026-2027"
    assert consents[ConsentKind.SCHOOL_RULES].rules == rules["maternelle"]
    assert all(c.user == user and c.accepted_at for c in consents.values())

    message = last_mail_to("marie.joseph@example.org")
    assert "Confirmez votre adresse" in message.subject
    confirm = path_of(next(link for link in links(message) if "/compte/confirmer/" in link))
    response = client.post(confirm, follow=True)
    assert response.redirect_chain[-1][0] == "/compte/connexion/"
    assert "Merci : votre adresse e-mail est confirmée." in text(response)
    response = client.post("/compte/connexion/", {"username": "marie.joseph@example.org", "password": STRONG})
    assert response["Location"] == "/compte/"
    user.refresh_from_db()
    assert selectors.user_can_submit(user=user)


def test_back_button_keeps_what_was_typed(client, schools, rules, terms_page):
    signup_until(client, 3)
    # Step 3: a school ticked, then back.
    response = step(client, 3, {"schools": [schools["marin"].pk], "q": "Le Marin"}, action="back")
    page = text(response)
    assert "Étape 2 sur 5" in page
    assert "Vous avez déjà choisi un mot de passe" in page
    # Step 2 left empty keeps the password; back to step 1 shows the identity.
    page = text(step(client, 2, {"password1": "", "password2": ""}, action="back"))
    assert "Étape 1 sur 5" in page
    assert 'value="Joseph"' in page and 'value="Marie"' in page and 'value="marie.joseph@example.org"' in page
    # Forward again: the password and the school are still there.
    step(client, 1, IDENTITY)
    page = text(step(client, 2, {"password1": "", "password2": ""}))
    assert "Étape 3 sur 5" in page
    assert "Écoles choisies" in page and "Groupe scolaire du Marin" in page
    assert 'value="Le Marin"' in page
    page = text(step(client, 3, {"schools": [schools["marin"].pk], "q": ""}))
    assert "Étape 4 sur 5" in page
    # Step 4 ticked then back and forward: the box is still ticked.
    step(client, 4, {"accept_terms": "on"}, action="back")
    page = text(step(client, 3, {"schools": [schools["marin"].pk], "q": ""}))
    assert 'name="accept_terms" required id="id_accept_terms" checked' in page


def test_steps_cannot_be_skipped(client, schools):
    response = client.get("/compte/inscription/etape-4/")
    assert response.status_code == 302 and response["Location"] == "/compte/inscription/etape-1/"
    step(client, 1, IDENTITY)
    response = client.get("/compte/inscription/etape-3/")
    assert response["Location"] == "/compte/inscription/etape-2/"
    assert client.get("/compte/inscription/etape-9/").status_code in (302, 404)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"last_name": "", "first_name": "Marie", "email": "m@example.org"}, "Nom", "Indiquez votre nom."),
        ({"last_name": "Joseph", "first_name": "", "email": "m@example.org"}, "Prénom", "Indiquez votre prénom."),
        (
            {"last_name": "Joseph", "first_name": "Marie", "email": "pas-une-adresse"},
            "e-mail",
            "Saisissez une adresse e-mail valide",
        ),
    ],
)
def test_step1_bad_input_says_why_and_keeps_input(client, data, field, message):
    response = step(client, 1, data)
    page = text(response)
    assert response.status_code == 200
    assert "Étape 1 sur 5" in page
    assert message in page
    for value in data.values():
        if value:
            assert f'value="{value}"' in page


def _walk(client, identity, schools, terms_page, capture):
    """The five steps, as one person; the page texts of each answer."""
    pages = [step(client, 1, identity), step(client, 2, {"password1": STRONG, "password2": STRONG}),
             step(client, 3, {"schools": [schools["marin"].pk], "q": ""})]
    with capture(execute=True):
        pages.append(step(client, 4, {"accept_terms": "on", "version_terms": str(terms_page.live_revision_id)}))
    address = identity["email"]
    return [(r.status_code, r.redirect_chain, text(r).replace(address, "ADRESSE").replace(address.lower(), "ADRESSE"))
            for r in pages]


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_an_address_that_has_an_account_gets_the_same_answer_and_its_owner_an_email(
    client, schools, terms_page, django_capture_on_commit_callbacks
):
    """The probe: step 1 said « Un compte existe déjà avec cette adresse
    e-mail », so the form tested addresses. Now the sign-up goes on and
    answers alike; the owner is told by e-mail, and nothing is created."""
    from django.test import Client

    owner = UserFactory(email="marie.joseph@example.org", first_name="Marie")
    taken = _walk(client, {**IDENTITY, "email": "Marie.Joseph@Example.org"}, schools, terms_page,
                  django_capture_on_commit_callbacks)
    fresh = _walk(Client(), {**IDENTITY, "email": "nouvelle.adresse@example.org"}, schools, terms_page,
                  django_capture_on_commit_callbacks)
    for (status_a, chain_a, page_a), (status_b, chain_b, page_b) in zip(taken, fresh):
        assert (status_a, chain_a) == (status_b, chain_b)
        assert _without_tokens(page_a) == _without_tokens(page_b)
    assert "existe déjà" not in "".join(page for _, _, page in taken)

    assert User.objects.filter(email__iexact="marie.joseph@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.family is None and owner.check_password(PASSWORD)
    message = last_mail_to("marie.joseph@example.org")
    assert message.subject == "Vous avez déjà un compte sur le portail Inscrire"
    assert "Un compte existe déjà avec elle : aucun autre n'a été créé." in message.body
    assert any(link.endswith("/compte/connexion/") for link in links(message))
    assert any(link.endswith("/compte/mot-de-passe/oublie/") for link in links(message))


def test_an_account_created_meanwhile_gets_the_same_answer(client, schools, terms_page,
                                                            django_capture_on_commit_callbacks):
    signup_until(client, 4, schools=[schools["marin"]])
    UserFactory(email=IDENTITY["email"])  # created meanwhile, by someone else
    with django_capture_on_commit_callbacks(execute=True):
        page = text(step(client, 4, {"accept_terms": "on"}))
    assert "Étape 5 sur 5" in page and "vérifiez votre messagerie" in page
    assert User.objects.filter(email=IDENTITY["email"]).count() == 1
    assert last_mail_to(IDENTITY["email"]).subject == "Vous avez déjà un compte sur le portail Inscrire"


def test_the_owner_of_an_address_is_not_flooded(client, schools, terms_page, django_capture_on_commit_callbacks):
    from django.core import mail
    from django.test import Client

    UserFactory(email=IDENTITY["email"])
    for _ in range(5):
        _walk(Client(), IDENTITY, schools, terms_page, django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if IDENTITY["email"] in m.to]) == 3


@pytest.mark.parametrize(
    "password, message",
    [
        ("court-1", "Ce mot de passe est trop court. Il doit contenir au minimum 10 caractères."),
        ("1234567890123", "Ce mot de passe est entièrement numérique."),
        ("motdepasse", "Ce mot de passe est trop courant."),
        ("marie.joseph@example.org", "Le mot de passe est trop semblable"),
    ],
)
def test_weak_password_is_refused_with_the_rule(client, password, message):
    step(client, 1, IDENTITY)
    page = text(step(client, 2, {"password1": password, "password2": password}))
    assert "Étape 2 sur 5" in page
    assert message in page
    # The rules stay on the page; the step-1 identity is kept behind.
    assert "au minimum 10 caractères" in page
    page = text(step(client, 2, {"password1": "", "password2": ""}, action="back"))
    assert 'value="marie.joseph@example.org"' in page


def test_passwords_that_differ_are_refused(client):
    step(client, 1, IDENTITY)
    page = text(step(client, 2, {"password1": STRONG, "password2": STRONG + "x"}))
    assert "Les deux mots de passe ne sont pas identiques." in page


def test_unknown_postal_code_says_so_and_suggests_nearby_ones(client, schools):
    signup_until(client, 3)
    response = client.get("/compte/inscription/etape-3/", {"q": "97299"})
    page = text(response)
    assert response.status_code == 200
    assert "Aucune école du portail n'a le code postal 97299" in page
    # Nearest first: same 9729x, then the other 972xx by distance.
    assert page.index("97290 — Le Marin") < page.index("97228 — Sainte-Luce") < page.index("97223 — Le Diamant")
    assert 'href="?q=97290"' in page
    assert 'value="97299"' in page


def test_postal_code_outside_martinique_is_explained(client, schools):
    signup_until(client, 3)
    page = text(client.get("/compte/inscription/etape-3/", {"q": "75001"}))
    assert "n'est pas en Martinique" in page
    assert "97228 — Sainte-Luce (2 écoles)" in page


def test_search_by_commune_ignores_accents_case_and_abbreviations(client, schools):
    signup_until(client, 3)
    for query in ("Sainte-Luce", "sainte luce", "STE LUCE"):
        page = text(client.get("/compte/inscription/etape-3/", {"q": query}))
        assert "2 écoles trouvées" in page, query
    page = text(client.get("/compte/inscription/etape-3/", {"q": "Saint-Lucie"}))
    assert "Aucune école trouvée pour « Saint-Lucie »" in page
    assert "Sainte-Luce (2 écoles)" in page


def test_empty_search_lists_the_communes(client, schools):
    signup_until(client, 3)
    page = text(client.get("/compte/inscription/etape-3/"))
    assert "Communes dont les écoles sont sur le portail" in page
    for commune in ("Le Diamant", "Le Marin", "Sainte-Luce"):
        assert commune in page


def test_search_button_keeps_the_schools_already_ticked(client, schools):
    signup_until(client, 3)
    response = step(client, 3, {"schools": [schools["diamant"].pk], "q": "97290"}, action="search")
    page = text(response)
    assert "Écoles choisies" in page and "École primaire du Diamant" in page
    assert "1 école trouvée pour « 97290 »" in page


def test_no_school_chosen_is_refused(client, schools):
    signup_until(client, 3)
    page = text(step(client, 3, {"q": "97228"}))
    assert "Étape 3 sur 5" in page
    assert "Choisissez au moins une école" in page
    assert 'value="97228"' in page


def test_unknown_school_id_is_refused(client, schools):
    signup_until(client, 3)
    page = text(step(client, 3, {"schools": ["999999"], "q": ""}))
    assert "Étape 3 sur 5" in page
    assert "Cette école n'existe pas ou plus" in page


@pytest.mark.parametrize("missing", ["terms", "rules"])
def test_missing_consent_is_refused_and_ticked_boxes_are_kept(client, schools, rules, terms_page, missing):
    school = schools["maternelle"]
    signup_until(client, 4, schools=[school])
    data = {"accept_terms": "on", f"accept_rules-{school.pk}": "on"}
    data.pop("accept_terms" if missing == "terms" else f"accept_rules-{school.pk}")
    page = text(step(client, 4, data))
    assert "Étape 4 sur 5" in page
    if missing == "terms":
        assert "Vous devez accepter les conditions générales d'utilisation pour continuer." in page
        assert f'id="id_accept_rules-{school.pk}" checked' in page
    else:
        assert "Vous devez accepter le règlement de l'école « École maternelle du Bourg » pour continuer." in page
        assert 'id="id_accept_terms" checked' in page
    assert not User.objects.filter(email=IDENTITY["email"]).exists()


def test_a_version_published_while_reading_must_be_accepted_again(client, schools, rules, terms_page):
    signup_until(client, 4, schools=[schools["marin"]])
    shown = str(terms_page.live_revision_id)
    terms_page.save_revision().publish()
    page = text(step(client, 4, {"accept_terms": "on", "version_terms": shown}))
    assert "Une nouvelle version vient d'être publiée" in page
    assert not User.objects.filter(email=IDENTITY["email"]).exists()


def test_signed_in_people_do_not_see_the_wizard(client, parent):
    client.force_login(parent)
    response = client.get("/compte/inscription/etape-1/")
    assert response.status_code == 302 and response["Location"] == "/compte/"


def test_many_families_behind_one_address_can_all_sign_up(client, schools, terms_page):
    """A town hall's family desk: more accounts from one connection than the
    old limit of five an hour, each with its confirmation e-mail."""
    for n in range(8):
        client.cookies.clear()
        signup_until(client, 4, identity={**IDENTITY, "email": f"parent{n}@example.org"}, schools=[schools["marin"]])
        assert "vérifiez votre messagerie" in text(step(client, 4, {"accept_terms": "on"}))
        assert User.objects.filter(email=f"parent{n}@example.org").exists()


def test_the_e_mails_one_address_receives_are_limited_and_said_at_step_1(client, schools, terms_page):
    from accounts import ratelimit

    for _ in range(ratelimit.SIGNUP_PER_EMAIL.count):
        client.cookies.clear()
        signup_until(client, 4, schools=[schools["marin"]])
        assert "vérifiez votre messagerie" in text(step(client, 4, {"accept_terms": "on"}))
    client.cookies.clear()
    # The next sign-up with this address is stopped at step 1, next to the address.
    response = step(client, 1, IDENTITY)
    assert response.status_code == 429
    page = text(response)
    assert "Étape 1 sur 5" in page
    assert "Plusieurs e-mails d'inscription ont déjà été envoyés à cette adresse" in page
    assert 'id="id_email-erreur"' in page or "field__error" in page
    # Another address from the same connection goes on.
    assert "Étape 2 sur 5" in text(step(client, 1, {**IDENTITY, "email": "autre@example.org"}))


def test_a_connection_out_of_sign_up_e_mails_is_told_before_typing(client, schools, terms_page):
    from django.core import mail

    from accounts import ratelimit

    limit = ratelimit.SIGNUP_MAILS_PER_IP
    for n in range(limit.count - 1):
        ratelimit.hit(limit, "127.0.0.1")
    signup_until(client, 4, identity={**IDENTITY, "email": "derniere@example.org"}, schools=[schools["marin"]])
    assert "vérifiez votre messagerie" in text(step(client, 4, {"accept_terms": "on"}))
    assert User.objects.filter(email="derniere@example.org").exists()
    sent = len(mail.outbox)

    # The first page says so, and offers no form to fill in for nothing.
    client.cookies.clear()
    response = client.get("/compte/inscription/", follow=True)
    page = text(response)
    assert "Étape 1 sur 5" in page
    assert "les inscriptions depuis cette connexion reprendront dans une heure" in page
    assert 'name="email"' not in page
    response = step(client, 1, {**IDENTITY, "email": "encore@example.org"})
    assert response.status_code == 429
    assert not User.objects.filter(email="encore@example.org").exists()
    assert len(mail.outbox) == sent


def test_every_form_needs_the_csrf_token(schools):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/compte/inscription/etape-1/", {**IDENTITY, "action": "next"}).status_code == 403
    assert client.post("/compte/connexion/", {"username": "a@example.org", "password": "x"}).status_code == 403
    assert client.post("/compte/mot-de-passe/oublie/", {"email": "a@example.org"}).status_code == 403
