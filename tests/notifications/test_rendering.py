"""The sandbox editors' templates run in: French formatting, and templates
that are malicious or broken are refused with their line, never run away."""

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import urlize
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import SecurityError

from notifications import rendering
from notifications.constants import Event
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.rendering import TemplateLimitError, date_fr, montant, render, template_problems
from notifications.variables import sample_context

SAMPLE = sample_context(Event.PAYMENT_REMINDER)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("45.5"), "45,50\u00a0€"),
        (Decimal("1234"), "1\u00a0234,00\u00a0€"),
        (12, "12,00\u00a0€"),
        ("7.125", "7,13\u00a0€"),
        (None, ""),
    ],
)
def test_montant_writes_euros_the_french_way(value, expected):
    assert montant(value) == expected


def test_date_fr_writes_dates_the_french_way():
    assert date_fr(dt.date(2026, 12, 20)) == "20 décembre 2026"
    assert date_fr(dt.date(2027, 3, 1)) == "1er mars 2027"
    utc_evening = dt.datetime(2026, 6, 2, 18, 30, tzinfo=dt.UTC)  # 14 h 30 in Martinique
    assert date_fr(utc_evening) == "2 juin 2026"
    assert date_fr(utc_evening, heure=True) == "2 juin 2026 à 14 h 30"
    assert date_fr("avant la rentrée") == "avant la rentrée"
    assert date_fr(None) == ""


def test_the_filters_work_inside_templates():
    text = render("{{ amount|montant }} avant le {{ due_date|date_fr }}", SAMPLE)
    assert text == "45,50\u00a0€ avant le 20 décembre 2026"


@pytest.mark.parametrize("event", list(Event))
def test_every_default_message_passes_the_editors_checks(event):
    subject, body = DEFAULT_TEMPLATES[event]
    sample = sample_context(event)
    assert template_problems(subject, sample) == []
    assert template_problems(body, sample) == []
    assert "{{" not in render(body, sample)


def test_every_event_has_a_default_and_variables():
    from notifications.variables import EVENT_VARIABLES

    assert set(DEFAULT_TEMPLATES) == set(Event) == set(EVENT_VARIABLES)


def _problems(source):
    return [str(problem) for problem in template_problems(source, SAMPLE)]


def test_a_syntax_error_is_reported_at_its_line():
    assert _problems("Bonjour,\n\n{% if amount %}\n{{ amount }") == [
        "Ligne 4 : erreur de syntaxe : « } » seul : une variable se ferme par deux accolades, « }} »."
    ]


def test_an_unknown_variable_is_reported_at_its_line_with_the_known_ones():
    (problem,) = _problems("Bonjour,\n{{ enfant.prenom }}")
    assert problem.startswith("Ligne 2 : variable inconnue « enfant ». Variables disponibles : amount, answers, child,")


def test_an_unknown_field_is_reported_at_its_line_even_in_a_branch_not_taken():
    (problem,) = _problems("Bonjour,\n{% if false %}\n\n{{ child.prenom }}{% endif %}")
    assert problem == (
        "Ligne 4 : « child » n'a pas de champ « prenom ». Champs disponibles : first_name, last_name, birth_date, level."
    )


def test_an_unknown_filter_is_reported():
    assert _problems("{{ amount|euros }}") == ["Ligne 1 : filtre inconnu « euros »."]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Python internals: the way out of every sandbox.
        ("{{ ''.__class__.__mro__ }}", "l'attribut « __class__ » est interdit"),
        ("{{ child.__init__.__globals__ }}", "l'attribut « __init__ » est interdit"),
        # No method is reachable: data is read, never called.
        ("{{ child.first_name.upper() }}", "n'appelle pas de méthodes"),
        ("{{ '{0.__class__}'.format(child) }}", "n'appelle pas de méthodes"),
        # Nor a global that Jinja offers by default.
        ("{{ lipsum(10**6) }}", "variable inconnue « lipsum »"),
        ("{% set ns = namespace(s='x') %}", "variable inconnue « namespace »"),
        # Unbounded work and memory.
        ("{{ range(10**9)|list }}", "range() est limité à 1000 éléments"),
        ("{% for i in range(999) %}{% for j in range(999) %}.{% endfor %}{% endfor %}", "trop de boucles"),
        ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}", "trop de boucles"),
        ("{% macro d(s) %}{{ d(s ~ s) }}{% endmacro %}{{ d('x') }}", "texte trop long"),
        ("{{ 'x' * 10**9 }}", "texte trop long"),
        ("{{ [0] * 10**9 }}", "texte trop long"),
        ("{{ ['x' * 40000] * 50000 }}", "texte trop long"),
        ("{{ (['x' * 40000] * 2) ~ '' }}", "texte trop long"),
        ("{{ (['x' * 40000] * 1 + ['y' * 40000]) }}", "texte trop long"),
        ("{{ (['x' * 1000] * 40)|join('x' * 1000) }}", "texte trop long"),
        ("{{ [1]|batch(10**9, 'x') }}", "filtre inconnu « batch »"),
        ("{{ 'ab'|replace('', 'x' * 40000) }}", "texte trop long"),
        ("{{ '%0999999999d' % 1 }}", "formatage avec %"),
        ("{{ 10 ** (10 ** 10) }}", "nombre trop grand"),
        ("{{ 'a'|center(10**9) }}", "filtre inconnu « center »"),
        ("{% for x in [1] recursive %}{{ loop([1, 1]) }}{% endfor %}", "s'appelle lui-même trop de fois"),
    ],
)
def test_malicious_templates_are_refused_quickly(source, expected):
    started = time.monotonic()
    problems = _problems(source)
    assert time.monotonic() - started < 2
    assert problems and any(expected in problem for problem in problems), problems
    assert all(problem.startswith("Ligne 1 : ") for problem in problems)


def test_a_runaway_template_also_stops_when_rendered_directly():
    with pytest.raises(TemplateLimitError):
        render("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", SAMPLE)
    with pytest.raises(TemplateLimitError):
        render("{% for i in range(1000) %}{{ 'x' * 999 }}{% endfor %}", SAMPLE)  # output cap


def test_the_deadline_stops_slow_templates(monkeypatch):
    monkeypatch.setattr(rendering, "DEADLINE_SECONDS", 0.0)
    with pytest.raises(TemplateLimitError, match="trop de temps"):
        render("{% for i in range(10) %}{{ i }}{% endfor %}", SAMPLE)


def test_dict_keys_win_over_dict_methods():
    assert render("{{ d.items }}/{{ d.keys }}", {"d": {"items": 3, "keys": "k"}}) == "3/k"
    with pytest.raises(SecurityError):
        render("{{ child.items }}", {"child": {"first_name": "Léa"}})


def test_loops_conditions_and_sample_dossiers_render():
    source = (
        "{% for dossier in dossiers %}{{ loop.index }}. {{ dossier.child.first_name }} "
        "({{ dossier.submitted_at|date_fr(heure=True) }}){% if not loop.last %}, {% endif %}{% endfor %}"
    )
    text = render(source, sample_context(Event.DOSSIERS_DIGEST))
    assert text == "1. Maëlys (2 juin 2026 à 14 h 30), 2. Noé (2 juin 2026 à 17 h 05)"


def test_the_html_part_is_escaped_text_with_paragraphs_and_links():
    html = rendering.html_from_text("Bonjour <b>Léa</b>,\n\nVoir https://inscrire.example/x/ .", "Objet & co")
    assert "<title>Objet &amp; co</title>" in html
    assert "&lt;b&gt;Léa&lt;/b&gt;" in html
    assert '<a href="https://inscrire.example/x/"' in html
    assert html.count("<p>") == 2


# Pieces a message is made of, and those that make links, in any order.
_PIECES = st.lists(st.one_of(
    st.text(alphabet="aéZ09 \n\t.,;:!?@/()[]<>&\"'-_=%#~", max_size=6),
    st.sampled_from(["http://", "https://", "HTTP://", "www.", "WWW.", ".com", ".org", ".Net", ".fr", "@",
                     "inscrire.example", "parent@example.org", "(https://a.example/x?b=1&c=2).", "&amp;", "&lt;",
                     "https://[::1]/", "mailto:", "xn--caf-dma.fr"]),
), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(_PIECES)
def test_the_html_part_links_words_exactly_as_django_urlize_would(text):
    assert rendering.urlize_words(text) == urlize(text, autoescape=True)


def test_a_long_subject_is_cut_and_kept_on_one_line():
    subject = rendering.render_subject("Dossier\n {{ 'x' * 400 }}", SAMPLE)
    assert len(subject) == 255 and "\n" not in subject and subject.endswith("…")
    assert subject.startswith("Dossier x")


def test_martinique_time_is_used_for_times():
    value = dt.datetime(2026, 1, 1, 3, 0, tzinfo=ZoneInfo("UTC"))  # 23 h the day before in Martinique
    assert date_fr(value, heure=True) == "31 décembre 2025 à 23 h 00"


def test_templates_cannot_reach_settings():
    for source in ("{{ settings.SECRET_KEY }}", "{{ config }}", "{{ self._TemplateReference__context }}"):
        assert _problems(source), source


@pytest.mark.django_db
def test_no_method_can_be_called_even_on_a_model_instance_that_slipped_through():
    from cms.models import School

    school = School.objects.create(name="École du Bourg", kind="elementaire", postal_code="97228", commune="Sainte-Luce")
    for source in ("{{ school.delete() }}", "{{ school.save() }}", "{{ school.families.all().delete() }}"):
        with pytest.raises(SecurityError):
            render(source, {"school": school})
    assert School.objects.filter(pk=school.pk).exists()
