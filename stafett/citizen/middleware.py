from django.conf import settings

from .actors import build_citizen_actor


class CitizenMiddleware:
    """For a citizen, replace the request's actor by the family actor, and end
    the session after the citizens' idle time (15 minutes: shorter than
    staff's, as a family may use a shared or public computer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.is_citizen:
            request.actor = build_citizen_actor(user)
            idle = settings.STAFETT_CITIZEN_IDLE_SECONDS
            if request.session.get_expiry_age() != idle:
                request.session.set_expiry(idle)
        return self.get_response(request)
