"""The coordinator's archive settings page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stafett.access.views import staff
from stafett.archive import actions
from stafett.archive.forms import SettingsForm


@staff
def settings(request):
    conf = actions.settings_of(request.actor)
    form = SettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        actions.update_settings(request.actor, **form.cleaned_data)
        messages.success(request, _("The archive settings have been saved. They apply to the "
                                    "next case that is archived."))
        return redirect("archive:settings")
    return render(request, "archive/settings.html", {
        "form": form, "nav": "archive", "counts": actions.delivery_counts(request.actor)})
