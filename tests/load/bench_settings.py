"""Settings for tests/load/bench_pages.py only: the app's own settings with
DEBUG off, a bare authenticated page at a URL only the benchmark has (the
floor any page stands on), and an `X-Queries` header counting the queries of
each request. Never used by the app or the tests."""

from stafett.settings import *  # noqa: F403
from stafett.settings import MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "tests.load.bench_urls"
# Outermost, so the queries of every other middleware (session, actor, audit) count.
MIDDLEWARE = ["tests.load.bench_urls.QueryCountMiddleware", *MIDDLEWARE]
# Logins come from one address many times a run; lockout is not what is measured.
AXES_ENABLED = False
