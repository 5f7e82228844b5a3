"""Form pieces shared by every app: native date and time inputs, and the
hidden version field that turns a stale save into a conflict message."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VersionedForm(forms.Form):
    """Carries the version the page was rendered from, for conflict detection."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def with_version(post, version):
    """The person's own input with the version of what is saved now, so that
    saving again, after a conflict, is a deliberate choice."""
    data = post.copy()
    data["version"] = str(version)
    return data
