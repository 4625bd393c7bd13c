"""Rate limits on what sends e-mail or creates accounts, kept in Django's
cache (Redis when several machines serve), and the client identity that
django-axes and these limits share."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    """At most ``count`` actions per ``seconds`` for one key."""

    scope: str
    count: int
    seconds: int


# Per machine (IP address) and per target; the numbers are generous for a
# family, small for a script.
#
# The sign-up limits what costs — the e-mails it sends — not the accounts
# opened from one address: a town hall's family desk or a mobile carrier's
# shared address opens dozens in an afternoon of enrolment season. One
# connection may make the portal send this many sign-up e-mails an hour
# (a script spraying addresses is stopped, a desk is not)…
SIGNUP_MAILS_PER_IP = Limit("signup-mails", 100, 60 * 60)
# …and one address receives a few an hour at most (its owner is told of
# each sign-up with it).
SIGNUP_PER_EMAIL = Limit("signup-target", 3, 60 * 60)
PASSWORD_RESET_PER_IP = Limit("reset-ip", 10, 60 * 60)
PASSWORD_RESET_PER_EMAIL = Limit("reset-email", 3, 60 * 60)
CONFIRMATION_PER_USER = Limit("confirm-user", 3, 60 * 60)
GUARDIAN_INVITATION_PER_USER = Limit("guardian-invite", 5, 60 * 60 * 24)


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as the rate limits key it. Behind a
    reverse proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn's
    --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def axes_client_ip(request: HttpRequest) -> str | None:
    """The same address for django-axes, which stores it in an IP address
    column: None rather than a placeholder when there is none."""
    return request.META.get("REMOTE_ADDR") or None


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The e-mail address tried at login, as django-axes counts it: one
    count whatever the letter case."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "")
    return str(value).strip().lower()


def _cache_key(limit: Limit, key: str) -> str:
    return f"ratelimit:{limit.scope}:{key.lower()}"


def hit(limit: Limit, key: str) -> bool:
    """Count one action for ``key``; False when the limit was already
    reached (the action must not happen)."""
    cache_key = _cache_key(limit, key)
    if cache.add(cache_key, 1, timeout=limit.seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=limit.seconds)
        return True
    return count <= limit.count


def is_limited(limit: Limit, key: str) -> bool:
    """Whether ``key`` has used up its actions, without counting one."""
    return (cache.get(_cache_key(limit, key)) or 0) >= limit.count
