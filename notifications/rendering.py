"""Editors' messages are rendered in Jinja2's sandbox, with guards.

Editors write these templates, so a template must never be able to read the
settings, change data, or run forever. Three layers see to it:

* **Plain data only.** The context is built by ``variables.build_context``:
  dicts, strings, numbers and dates, never a model instance.
* **The sandbox, tightened.** ``ImmutableSandboxedEnvironment`` already
  refuses ``_private`` attributes and mutation of lists and dicts; here no
  method can be reached at all (data is read, never called), ``str.format``
  and ``%`` string formatting are gone, and only filters whose output is
  bounded by their input remain, plus ``date_fr`` and ``montant``.
* **A budget per render.** Every loop iteration and every call (macros
  included) costs one step; ``range()`` is capped; any string or list built
  by ``~``, ``+``, ``*``, ``replace`` or ``join`` is capped; the output is
  capped; and a render stops after a short deadline. Exceeding any of them
  raises ``TemplateLimitError``, which the caller treats like any other
  broken template.

And before a template is even parsed, its **shape** is bounded: its length,
how deep brackets and blocks nest, how many tokens one expression holds.
Jinja2's parser and compiler recurse on nested expressions, so a template of
a few hundred nested brackets (or a chain of thousands of ``+``) would
otherwise stop them with a ``RecursionError``; that error is caught too,
as a last resort, and shown like the others.
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from dataclasses import dataclass

from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

from .formats import date_fr, de, french, montant  # noqa: F401 — montant, date_fr: part of this module's API
from .variables import FreeFields

MAX_STEPS = 20_000
MAX_RANGE = 1_000
MAX_LENGTH = 50_000  # characters, for the output and for any string or list built on the way
MAX_INT_BITS = 4_096
DEADLINE_SECONDS = 1.0
SUBJECT_MAX_LENGTH = 255
# A push message: what a lock screen shows in a few lines, well within the
# 4 KB a push service accepts once encrypted (payload with title and link).
PUSH_MAX_LENGTH = 240
# The shape of a template, checked on its tokens before it is parsed.
MAX_SOURCE_LENGTH = 20_000  # characters (the body's own limit; a subject is one line of 255)
MAX_NESTING = 20  # brackets, and blocks ({% if %}, {% for %}…), opened inside one another
MAX_EXPRESSION_TOKENS = 200  # in one {{ … }} or {% … %}: a long chain of + or |filter is as deep as nesting
_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "with", "autoescape", "block"})


class TemplateLimitError(Exception):
    """The template went over one of the render's limits."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno


def check_shape(source: str) -> None:
    """Refuse a template too long, too deeply nested, or with an expression
    too long, from its tokens (the lexer does not recurse). Raises
    ``TemplateLimitError`` with the line, or the lexer's
    ``TemplateSyntaxError``."""
    if len(source) > MAX_SOURCE_LENGTH:
        raise TemplateLimitError(
            _("le modèle est trop long : %(length)s caractères, %(max)s au plus.")
            % {"length": len(source), "max": MAX_SOURCE_LENGTH}
        )
    brackets = blocks = in_tag = 0
    block_name_next = False
    for lineno, kind, value in _env.lex(source):
        if kind in {"variable_begin", "block_begin"}:
            in_tag, block_name_next = 0, kind == "block_begin"
            continue
        if kind in {"variable_end", "block_end", "whitespace", "data"} or kind.startswith(("comment", "raw")):
            continue
        in_tag += 1
        if block_name_next and kind == "name":
            if value in _BLOCKS:
                blocks += 1
            elif value.startswith("end") and value[3:] in _BLOCKS:
                blocks = max(0, blocks - 1)
        block_name_next = False
        if kind == "operator" and value in "([{":
            brackets += 1
        elif kind == "operator" and value in ")]}":
            brackets = max(0, brackets - 1)
        if brackets + blocks > MAX_NESTING:
            raise TemplateLimitError(
                _("le modèle est trop imbriqué : %(max)s parenthèses, crochets ou blocs au plus les uns dans "
                  "les autres.") % {"max": MAX_NESTING},
                lineno,
            )
        if in_tag > MAX_EXPRESSION_TOKENS:
            raise TemplateLimitError(
                _("cette expression est trop longue : découpez-la, ou écrivez le texte hors des {{ }}."), lineno
            )


def _too_deep() -> TemplateLimitError:
    return TemplateLimitError(_("le modèle est trop imbriqué pour être lu : simplifiez ses expressions."))


# --- The per-render budget -------------------------------------------------------


@dataclass
class _Budget:
    steps: int
    deadline: float


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("notification_render_budget", default=None)


def _spend(steps: int = 1) -> None:
    budget = _budget.get()
    if budget is None:
        # Outside render() (compile-time constant folding): nothing unbounded runs there.
        return
    budget.steps -= steps
    if budget.steps < 0:
        raise TemplateLimitError(_("le modèle fait trop de boucles ou d'appels."))
    if time.monotonic() > budget.deadline:
        raise TemplateLimitError(_("le modèle met trop de temps à s'afficher."))


def _weight(value, limit: int = MAX_LENGTH) -> int:
    """About how many characters ``value`` prints as (a list of one long
    string repeated is long too); stops counting past ``limit``."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += 2 * len(item)
            stack.extend(item.items())
        elif isinstance(item, (list, tuple)):
            total += 2 * len(item)
            stack.extend(item)
        else:
            total += 8
    return total


def _too_long():
    return TemplateLimitError(_("le modèle produit un texte trop long."))


def _bounded(value):
    if isinstance(value, (str, list, tuple, dict)) and _weight(value) > MAX_LENGTH:
        raise _too_long()
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(_("le modèle produit un nombre trop grand."))
    return value


def loop_guard(iterable):
    """Wraps the iterable of every ``{% for %}``: each iteration is paid for."""
    try:
        size = len(iterable)
    except TypeError:
        return _counted(iterable)
    _spend(size)
    return iterable


def _counted(iterable):
    for item in iterable:
        _spend()
        yield item


def concat(*parts) -> str:
    """Replaces ``~``, so that doubling a string in a macro stops at the cap."""
    if sum(_weight(part) for part in parts) > MAX_LENGTH:
        raise _too_long()
    return "".join(str(part) for part in parts)


def _range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimitError(_("range() est limité à %(max)s éléments.") % {"max": MAX_RANGE})
    return numbers


class _Guard(NodeTransformer):
    """Routes every loop and every ``~`` through the guards above."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = _call("loop_guard", node.iter)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return _call("concat", *node.nodes)


def _call(function: str, *args: nodes.Expr) -> nodes.Call:
    return nodes.Call(
        nodes.ImportedName(f"{__name__}.{function}"), list(args), [], None, None, lineno=args[0].lineno
    )


def _replace(value, old, new, count=None) -> str:
    value, old, new = str(value), str(old), str(new)
    occurrences = value.count(old) if old else len(value) + 1
    if len(value) + occurrences * len(new) > MAX_LENGTH:
        raise _too_long()
    return value.replace(old, new) if count is None else value.replace(old, new, count)


def _join(value, d: str = "", attribute=None) -> str:
    if attribute is not None:
        value = [item.get(attribute, "") if isinstance(item, dict) else "" for item in value]
    value = list(value)
    if _weight(value) + len(str(d)) * len(value) > MAX_LENGTH:
        raise _too_long()
    return str(d).join(str(item) for item in value)


# Filters whose output is bounded by their input. Left out: batch (pads to
# any size), center, indent, wordwrap, format, slice, pprint, urlize,
# xmlattr (unbounded or pointless in plain text) and the HTML-escaping ones
# (the HTML part escapes everything).
_SAFE_FILTERS = (
    "abs capitalize count d default dictsort first float groupby int items last length list lower map "
    "max min random reject rejectattr reverse round select selectattr sort string striptags sum title tojson "
    "trim truncate unique upper urlencode wordcount"
).split()


class MessageEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self) -> None:
        # No constant folding: it would run operators before the guards can.
        super().__init__(autoescape=False, undefined=StrictUndefined, optimized=False, keep_trailing_newline=False)
        self.globals.clear()
        self.globals["range"] = _range
        self.filters = {name: FILTERS[name] for name in _SAFE_FILTERS}
        self.filters.update({"date_fr": french(date_fr), "montant": montant, "de": de, "replace": _replace,
                             "join": _join})

    def _parse(self, source, name, filename):
        return _Guard().visit(super()._parse(source, name, filename))

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # Data is read, never called: no method is reachable (``loop.cycle`` aside).
        if callable(value) and not isinstance(obj, LoopContext):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value):
        return None  # str.format is a method like any other: unreachable

    def getattr(self, obj, attribute):
        # ``dossier.items`` is the key, never dict.items.
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        _spend()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str):
            raise TemplateLimitError(_("le formatage avec % n'est pas disponible : assemblez le texte avec ~."))
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                    if _weight(sequence) * times > MAX_LENGTH:
                        raise _too_long()
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise TemplateLimitError(_("le modèle produit un nombre trop grand."))
        return _bounded(super().call_binop(context, operator, left, right))


_env = MessageEnvironment()


@functools.lru_cache(maxsize=256)
def _compile(source: str):
    # A compiled template is immutable and thread-safe: the same few sources
    # are rendered for every message, so they are compiled once.
    check_shape(source)
    try:
        return _env.from_string(source)
    except RecursionError:
        raise _too_deep() from None


def render(source: str, context: dict) -> str:
    """Render one template within the budget; raises on any problem."""
    template = _compile(source)
    token = _budget.set(_Budget(steps=MAX_STEPS, deadline=time.monotonic() + DEADLINE_SECONDS))
    try:
        chunks, length = [], 0
        for chunk in template.generate(context):
            length += len(chunk)
            if length > MAX_LENGTH:
                raise _too_long()
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        _budget.reset(token)


def render_subject(source: str, context: dict) -> str:
    # One line; non-breaking spaces (« 45,50 € ») stay.
    subject = re.sub(r"[ \t\r\n\f\v]+", " ", render(source, context)).strip()
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    return subject


def render_push(source: str, context: dict) -> str:
    """A push message: one paragraph, cut at ``PUSH_MAX_LENGTH``."""
    text = re.sub(r"[ \t\r\n\f\v]+", " ", render(source, context)).strip()
    if len(text) > PUSH_MAX_LENGTH:
        text = text[: PUSH_MAX_LENGTH - 1].rstrip() + "…"
    return text


# The words of a message that may be links: those urlize can turn into one
# (http:// or https://, www., an e-mail address, one of its seven domains)
# contain one of these; it leaves every other word escaped, as it is.
# Words are split where Django's Urlizer splits them.
_LINK_WORD = re.compile(r"""[^\s<>"']*(?:://|www\.|@|\.(?:com|edu|gov|int|mil|net|org))[^\s<>"']*""", re.IGNORECASE)


def urlize_words(text: str) -> str:
    """``urlize(text, autoescape=True)``, word for word, at a fraction of its
    cost: only the words that may be links go through it (it trims and tests
    each word — most are « reçu. »); the rest is escaped in one piece.
    tests/notifications/test_rendering.py checks the two agree."""
    pieces, start = [], 0
    for word in _LINK_WORD.finditer(text):
        pieces.append(escape(text[start:word.start()]))
        pieces.append(urlize(word.group(), autoescape=True))
        start = word.end()
    pieces.append(escape(text[start:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped or urlize's own output


def html_body(text: str) -> str:
    """The HTML part's body: the text, escaped, in paragraphs, links clickable."""
    # urlize's output is marked safe, linebreaks keeps it so.
    return linebreaks_filter(urlize_words(text), autoescape=True)


def html_from_text(text: str, subject: str) -> str:
    """The HTML part: the text, escaped, with paragraphs and clickable links."""
    return format_html(
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{}</title></head>\n'
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em;">\n{}\n</body></html>\n',
        subject,
        html_body(text),
    )


# --- Checking an editor's template ------------------------------------------------------


@dataclass(frozen=True)
class TemplateProblem:
    lineno: int | None
    message: str

    def __str__(self) -> str:
        if self.lineno:
            return _("Ligne %(line)s : %(message)s") % {"line": self.lineno, "message": self.message}
        return self.message


def template_problems(source: str, sample: dict) -> list[TemplateProblem]:
    """What is wrong with ``source`` for a message whose variables are
    ``sample``'s keys: a syntax error, an unknown variable or field, a
    forbidden attribute, or any error rendering the sample. Each problem
    carries its line."""
    try:
        check_shape(source)
        tree = _env.parse(source)
        undeclared = meta.find_undeclared_variables(tree)  # compiles: finds unknown filters too
    except (TemplateSyntaxError, TemplateLimitError) as error:
        return [problem_from(error)]
    except RecursionError:
        return [problem_from(_too_deep())]

    problems = []
    unknown = undeclared - sample.keys()
    seen = set()
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name in unknown and name.name not in seen:
            seen.add(name.name)
            problems.append(
                TemplateProblem(
                    name.lineno,
                    _("variable inconnue « %(name)s ». Variables disponibles : %(known)s.")
                    % {"name": name.name, "known": ", ".join(sorted(sample))},
                )
            )
    declared = undeclared & sample.keys()
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            problems.append(TemplateProblem(node.lineno, _("l'attribut « %(attr)s » est interdit.") % {"attr": node.attr}))
        elif isinstance(node.node, nodes.Name) and node.node.name in declared:
            fields = sample[node.node.name]
            free = isinstance(fields, FreeFields) and not fields.strict  # any question of any procedure
            if isinstance(fields, dict) and node.attr not in fields and not free:
                problems.append(
                    TemplateProblem(
                        node.lineno,
                        _("« %(name)s » n'a pas de champ « %(attr)s ». Champs disponibles : %(known)s.")
                        % {"name": node.node.name, "attr": node.attr, "known": ", ".join(fields)},
                    )
                )
    if problems:
        return problems

    try:
        render(source, sample)
    except Exception as error:  # noqa: BLE001 - anything a template does wrong is reported, not raised
        return [problem_from(error)]
    return []


def problem_from(error: BaseException) -> TemplateProblem:
    """What went wrong rendering a template, in French, with its line."""
    return TemplateProblem(_template_line(error), _describe(error))


def _template_line(error: BaseException) -> int | None:
    """Jinja rewrites tracebacks so that template frames carry template lines."""
    if isinstance(error, (TemplateSyntaxError, TemplateLimitError)) and error.lineno:
        return error.lineno
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(error: BaseException) -> str:
    if isinstance(error, TemplateLimitError):
        return str(error)
    if isinstance(error, RecursionError):
        return _("le modèle s'appelle lui-même trop de fois, ou est trop imbriqué : simplifiez-le.")
    if isinstance(error, SecurityError):
        return _("ceci n'est pas accessible : un modèle lit des données, il n'appelle pas de méthodes (%(error)s).") % {
            "error": error
        }
    if isinstance(error, TemplateSyntaxError):
        if match := re.match(r"No (filter|test) named '(.+)'", error.message or ""):
            return _("filtre inconnu « %(name)s ».") % {"name": match[2]}
        return _("erreur de syntaxe : %(error)s") % {"error": syntax_error_in_french(error.message or "")}
    return _("erreur à l'affichage : %(error)s") % {"error": str(error) or error.__class__.__name__}


# --- Jinja2's syntax errors, in French ---------------------------------------------------
#
# Jinja2 writes its parse errors in English, from a small set of sentences
# (jinja2/parser.py, jinja2/lexer.py). Editors read them in French: each
# sentence is recognised by its shape and explained; anything else gets a
# general French hint (the line is given by ``TemplateProblem``).


def _token_fr(token: str) -> str:
    """A token as Jinja2 describes it (``describe_token``), as an editor reads it."""
    names = {
        "end of print statement": _("« }} » (la fin de la variable)"),
        "end of statement block": _("« %} » (la fin de la balise)"),
        "begin of print statement": "« {{ »",
        "begin of statement block": "« {% »",
        "end of template": _("la fin du texte"),
        "name": _("un nom"),
        "integer": _("un nombre"),
        "float": _("un nombre"),
        "string": _("un texte entre guillemets"),
    }
    return names.get(token) or f"« {token} »"


def _tag_fr(tag: str) -> str:
    return "« {%% %s %%} »" % tag


def _blocks_fr(match: re.Match) -> dict:
    block = match["block"]
    return {"block": _tag_fr(block + " …"), "end": _tag_fr("end" + block)}


def _unexpected_fr(match: re.Match) -> str:
    got = match["got"]
    if match["expected"]:
        return _("%(got)s inattendu : %(expected)s était attendu ici.") % {
            "got": _token_fr(got), "expected": _token_fr(match["expected"])
        }
    if got == "}":
        return _("« } » seul : une variable se ferme par deux accolades, « }} ».")
    if got == "{":
        return _("« { » seul : une variable s'ouvre par deux accolades, « {{ ».")
    if got == "end of template":
        return _("le texte s'arrête au milieu d'une expression : une parenthèse, un crochet ou « }} » manque.")
    return _("%(got)s en trop ou mal placé.") % {"got": _token_fr(got)}


def _char_fr(match: re.Match) -> str:
    if match["char"] in {"'", '"'}:
        return _("un guillemet %(char)s est ouvert et jamais fermé.") % {"char": match["char"]}
    return _("le caractère « %(char)s » n'est pas permis entre {{ }} ou {%% %%}.") % {"char": match["char"]}


def _unknown_tag_fr(match: re.Match) -> str:
    tag = match["tag"]
    if tag.startswith("end") or tag in {"else", "elif"}:
        return _("%(tag)s ne correspond à aucun bloc ouvert (un « {%% if … %%} » ou un « {%% for … %%} » manque "
                 "avant, ou est déjà fermé).") % {"tag": _tag_fr(tag)}
    return _("la balise %(tag)s n'existe pas. Balises permises : if, elif, else, endif, for, endfor, set.") % {
        "tag": _tag_fr(tag)
    }


_BLOCK_TAIL = r"Jinja was looking for the following tags: .+?\. The innermost block that needs to be closed is '(?P<block>\w+)'\."
_SYNTAX_FR = [
    (
        re.compile(r"Unexpected end of template\. " + _BLOCK_TAIL),
        lambda m: _("le bloc %(block)s n'est jamais fermé : ajoutez %(end)s à l'endroit où il se termine.")
        % _blocks_fr(m),
    ),
    (
        re.compile(r"Encountered unknown tag '(?P<tag>\w+)'\. " + _BLOCK_TAIL),
        lambda m: _("%(tag)s arrive alors que le bloc %(block)s n'est pas encore fermé par %(end)s.")
        % {"tag": _tag_fr(m["tag"]), **_blocks_fr(m)},
    ),
    (re.compile(r"Encountered unknown tag '(?P<tag>\w+)'\."), _unknown_tag_fr),
    (
        re.compile(r"expected token '(?P<expected>.+?)', got '(?P<got>.+)'"),
        lambda m: (
            _("%(got)s est de trop : la variable devait se fermer par « }} ». Pour lire le champ d'une variable, "
              "écrivez un point : {{ child.first_name }}.") % {"got": _token_fr(m["got"])}
            if m["expected"] == "end of print statement"
            else _("%(expected)s était attendu ici, et non %(got)s.")
            % {"expected": _token_fr(m["expected"]), "got": _token_fr(m["got"])}
        ),
    ),
    (
        re.compile(r"unexpected end of template, expected '(?P<expected>.+?)'\.?"),
        lambda m: _("le texte s'arrête avant la fin de l'expression : %(expected)s manque.")
        % {"expected": _token_fr(m["expected"])},
    ),
    (re.compile(r"unexpected '(?P<got>.+?)'(?:, expected '(?P<expected>.+)')?$"), _unexpected_fr),
    (re.compile(r"unexpected char (?P<q>['\"])(?P<char>.)(?P=q) at \d+"), _char_fr),
    (
        re.compile(r"Expected an expression, got '(?P<got>.+)'"),
        lambda m: _("une expression (par exemple un nom de variable) manque avant %(got)s.")
        % {"got": _token_fr(m["got"])},
    ),
    (
        re.compile(r"expected name or number"),
        lambda m: _("un nom de champ est attendu après le point, par exemple {{ child.first_name }}."),
    ),
    (re.compile(r"Missing end of comment tag"), lambda m: _("un commentaire « {# » n'est pas fermé par « #} ».")),
    (
        re.compile(r"tag name expected"),
        lambda m: _("une balise « {%% %%} » est vide : écrivez par exemple « {%% if … %%} ».") % {},
    ),
    (re.compile(r"can't assign to '.+'"), lambda m: _("on ne peut pas donner de valeur à ceci dans « {%% set %%} ».") % {}),
]


def syntax_error_in_french(message: str) -> str:
    """Jinja2's parse error ``message``, explained in French."""
    for pattern, explain in _SYNTAX_FR:
        if match := pattern.match(message):
            return explain(match)
    return _("le modèle est mal écrit à cette ligne : vérifiez les paires {{ }} et {%% %%}, et que chaque bloc "
             "ouvert ({%% if %%}, {%% for %%}) est fermé.") % {}
