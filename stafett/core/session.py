"""Sessions that expire when idle without a write on every request.

The idle timeout (SESSION_COOKIE_AGE for staff, STAFETT_CITIZEN_IDLE_SECONDS
for citizens) lives in the session row's expiry date, which moves only when
the session is saved. Saving it on every request (SESSION_SAVE_EVERY_REQUEST)
is an UPDATE per page view; here it is saved only once the deadline would move
by at least TOUCH_SECONDS. So a session ends between idle - TOUCH_SECONDS and
idle after the person's last request: never later than the rule, at most a
minute earlier. The cookie itself carries no expiry (it ends with the browser,
SESSION_EXPIRE_AT_BROWSER_CLOSE), so it need not be sent again in between.

The store remembers the expiry date its row had when it was read, so however
the session was last saved (a login, a change, a touch) the comparison is with
what the database holds.
"""

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware

TOUCH_SECONDS = 60


class SessionStore(DatabaseSessionStore):
    stored_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row

    def deadline_would_move(self) -> bool:
        """Saving now would move the stored expiry by TOUCH_SECONDS or more.
        False for a session not read from the database (new, or expired)."""
        if self.stored_expiry is None:
            return False
        return self.get_expiry_date() - self.stored_expiry >= dt.timedelta(seconds=TOUCH_SECONDS)


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (isinstance(session, SessionStore) and not session.modified
                and session.deadline_would_move()):
            session.modified = True  # saved by Django below: the deadline moves
        return super().process_response(request, response)
