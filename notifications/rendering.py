"""Messages are rendered in Jinja2's sandbox: editors write them, so a
template can neither read settings nor call anything that changes data."""

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


def render(source: str, context: dict) -> str:
    return _env.from_string(source).render(context)
