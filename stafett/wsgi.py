"""The WSGI application: `gunicorn stafett.wsgi` (or any WSGI server)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stafett.settings")
application = get_wsgi_application()


def _freeze_what_lives_as_long_as_the_process() -> None:
    """Load every view (through the URLconf) now, then take everything loaded
    out of Python's cyclic garbage collection. A full collection walks every
    tracked object: 110 ms for the 140 000 of a loaded worker, once every
    hundred or so pages of a relay; frozen, they are never walked (the
    collector's time on a relay's page went from 1.8 to 0.5 ms a request,
    docs/performance-notes.md). They are never freed either, as they would
    not have been: modules, classes, the URLconf and the settings."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
    gc.freeze()


_freeze_what_lives_as_long_as_the_process()
