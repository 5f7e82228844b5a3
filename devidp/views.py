from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib.auth import get_user_model, login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from oauth2_provider.views import AuthorizationView

from .forms import CitizenLoginForm, StaffLoginForm
from .models import ClientProfile, Person

# The languages ID-porten itself offers; anything else falls back to bokmål.
IDPORTEN_LOCALES = ("nb", "nn", "en", "se")


def _authorize_params(next_url: str) -> dict[str, str]:
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/authorize"):
        return {}
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def _client_kind(client_id: str | None) -> str:
    kind = ClientProfile.objects.filter(application__client_id=client_id).values_list("kind", flat=True).first()
    return kind or ClientProfile.Kind.IDPORTEN


def _locale(ui_locales: str) -> str:
    for code in ui_locales.split():
        if code in IDPORTEN_LOCALES:
            return code
    return "nb"


@never_cache
def login_page(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    params = _authorize_params(next_url)
    if not params:
        return render(request, "devidp/message.html",
                      {"title": "Ingen innlogging i gang",
                       "text": "Start innloggingen fra tjenesten du vil bruke."}, status=400)
    kind = _client_kind(params.get("client_id"))
    form_class = StaffLoginForm if kind == ClientProfile.Kind.STAFF else CitizenLoginForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if kind == ClientProfile.Kind.STAFF:
            email = form.cleaned_data["email"].lower()
            username, fields = f"staff:{email}", {"email": email, "pid": "", "acr": ""}
        else:
            pid = form.cleaned_data["pid"]
            username = f"pid:{pid}"
            fields = {"pid": pid, "email": "", "acr": form.cleaned_data["acr"]}
        user, _ = get_user_model().objects.get_or_create(username=username)
        Person.objects.update_or_create(
            user=user, defaults={**fields, "kind": kind, "locale": _locale(params.get("ui_locales", ""))},
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url)
    return render(request, "devidp/login.html",
                  {"form": form, "next": next_url, "staff": kind == ClientProfile.Kind.STAFF})


class Authorize(AuthorizationView):
    """DOT's authorization endpoint, with ID-porten's habits: an account of
    the other kind, or `prompt=login`, means a new login; so does a login at a
    lower level than the client asks for."""

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            person = Person.objects.filter(user=request.user).first()
            wanted = _client_kind(request.GET.get("client_id"))
            asks_high = "idporten-loa-high" in request.GET.get("acr_values", "")
            if (person is None or person.kind != wanted or request.GET.get("prompt") == "login"
                    or (asks_high and person.acr != "idporten-loa-high")):
                logout(request)
                params = request.GET.copy()
                params.pop("prompt", None)
                query = urlencode({"next": f"{request.path}?{params.urlencode()}"})
                return redirect(f"{reverse('devidp:login')}?{query}")
        return super().get(request, *args, **kwargs)


def logged_out(request):
    return render(request, "devidp/message.html",
                  {"title": "Du er logget ut", "text": "Du er logget ut av testinnloggingen."})
