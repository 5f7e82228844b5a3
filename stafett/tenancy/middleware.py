from django_scopes import scope, scopes_disabled

from .actors import build_actor


class MunicipalityScopeMiddleware:
    """Attach the actor to the request and scope every query to its municipality.

    A request without a municipality (anonymous, or a person with no place in
    any municipality) runs with no scope at all, so any tenant query raises.
    Only system operators in the Django admin see across municipalities.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = build_actor(request.user, request.session.get("municipality_id"))
        if request.path.startswith("/admin/") and request.user.is_superuser:
            with scopes_disabled():
                return self.get_response(request)
        if request.actor.municipality is None:
            return self.get_response(request)
        with scope(municipality=request.actor.municipality):
            return self.get_response(request)
