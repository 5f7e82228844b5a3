"""The family pages: what a guardian or the young person sees after logging
in with ID-porten. Every page is declared `family`; objects come through the
citizen policy, which answers 404 for anything not theirs."""

from django.shortcuts import render

from stafett.access.views import family

from . import actions


@family
def home(request):
    relays = actions.my_relays(request.actor)
    worries = actions.my_worries(request.actor)
    return render(request, "citizen/home.html", {"relays": relays, "worries": worries, "nav": "home"})
