"""Sessions that expire when idle without a write on every request.

The idle timeout (SESSION_COOKIE_AGE for staff, STAFETT_CITIZEN_IDLE_SECONDS
for citizens) lives in the session row's expiry date, which moves only when
the session is saved. Saving it on every request (SESSION_SAVE_EVERY_REQUEST)
is an UPDATE per page view; here it is saved only once the deadline would move
by at least TOUCH_SECONDS. So a session ends between idle - TOUCH_SECONDS and
idle after the person's last request: never later than the rule, at most a
minute earlier. The cookie itself carries no expiry (it ends with the browser,
SESSION_EXPIRE_AT_BROWSER_CLOSE), so it need not be sent again in between.
"""

from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone

TOUCH_SECONDS = 60
# When the session was last saved, in whole seconds since the epoch.
TOUCHED_KEY = "_stafett_touched"


class IdleSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        # is_empty() before and after reading: no session (an anonymous visit,
        # or one that has already expired) is created just to be touched.
        if session is not None and not session.is_empty():
            touched = session.get(TOUCHED_KEY)
            now = int(timezone.now().timestamp())
            if not session.is_empty() and (touched is None or now - touched >= TOUCH_SECONDS):
                session[TOUCHED_KEY] = now  # marks it modified: saved, deadline moved
        return super().process_response(request, response)
