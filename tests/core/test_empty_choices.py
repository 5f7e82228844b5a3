"""Every empty choice in a dropdown is in the person's language: no Django
"- Select an option -" or "---------" on any page."""

import importlib
import pkgutil
import re

import pytest
from django import forms
from django.db.models.utils import get_blank_choice_label
from django.urls import reverse
from django.utils import translation

import stafett
from tests.relay.helpers import make_relay

DJANGO_EMPTY = ("- Select an option -", "---------")


def _form_classes():
    """Every form class in Stafett's own modules."""
    for module in pkgutil.walk_packages(stafett.__path__, "stafett."):
        name = module.name
        if ".migrations" in name or ".management" in name:
            continue
        importlib.import_module(name)
    seen, stack = set(), [forms.Form, forms.ModelForm]
    while stack:
        for cls in stack.pop().__subclasses__():
            if cls not in seen:
                seen.add(cls)
                stack.append(cls)
    return [cls for cls in seen if cls.__module__.startswith("stafett.")]


def _empty_labels(field):
    """The labels of a field's empty choice(s), as declared on the class."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return []
    if isinstance(field, forms.ModelChoiceField):
        return [] if field.empty_label is None else [field.empty_label]
    if isinstance(field, forms.ChoiceField):
        return [label for value, label in field.choices if value in ("", None)]
    return []


def test_the_sweep_finds_the_forms():
    names = {cls.__name__ for cls in _form_classes()}
    assert {"ParticipantForm", "HandoverForm", "MeasureForm", "EvaluationForm"} <= names


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_declared_empty_choice_is_translated(language):
    untranslated = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            for label in _empty_labels(field):
                with translation.override("en"):
                    english = str(label)
                with translation.override(language):
                    shown = str(label)
                if shown in DJANGO_EMPTY or shown == english:
                    untranslated.append(f"{cls.__module__}.{cls.__name__}.{name}: {shown!r}")
    assert untranslated == []


@pytest.mark.parametrize("language, expected", [("nb", "– Velg –"), ("nn", "– Vel –")])
def test_a_form_that_names_no_empty_choice_still_gets_a_translated_one(language, expected):
    with translation.override(language):
        assert str(get_blank_choice_label()) == expected
        assert str(forms.ModelChoiceField(queryset=None).empty_label) == expected


@pytest.fixture
def relay(world, helga):
    relay, _ = make_relay(world)
    return relay


@pytest.mark.parametrize("language, service, holder", [
    ("nb", "Velg en tjeneste", "Velg ny stafettholder"),
    ("nn", "Vel ei teneste", "Vel ny stafetthaldar"),
])
def test_the_participant_and_handover_dropdowns_speak_norwegian(world, helga, relay, language,
                                                                service, holder):
    client = world.client_for(helga)
    client.cookies["django_language"] = language
    pages = {
        reverse("relay:participants", args=[relay.pk]): service,
        reverse("relay:handover", args=[relay.pk]): holder,
    }
    for url, label in pages.items():
        html = client.get(url).content.decode()
        assert re.search(rf'<option value="" selected>{label}</option>', html), url
        for text in DJANGO_EMPTY:
            assert text not in html, url
