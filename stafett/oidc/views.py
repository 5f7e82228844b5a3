from django.contrib import auth
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stafett.access.views import public


@public
def idporten_login(request):
    return render(request, "oidc/idporten_login.html", {})


@public
@require_POST
def logout(request):
    auth.logout(request)
    return redirect("oidc:idporten_login")
