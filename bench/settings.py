"""Settings of the benchmark: the product's own settings (``inscrire.settings.base``,
configured through the environment like any deployment) plus the bench app
and its URLs, a query-counting middleware, and a fast password hasher.

Nothing here changes what is measured: the hasher only makes the clients'
log-ins (preparation, never timed) cheap — 5,000 scrypt checks would eat a
large share of the 10-minute budget on 2 cores.
"""

from inscrire.settings.base import *  # noqa: F401,F403
from inscrire.settings.base import INSTALLED_APPS, MIDDLEWARE, PASSWORD_HASHERS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# First, so that it counts the queries of every other middleware too.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Clients all come from 127.0.0.1: never let the login throttle count them.
AXES_ENABLED = False
