"""The list filter bars' one-pass widgets write what Django's widget templates write (the pages, their scripts and
the end-to-end tests rely on that markup): the inputs character for character, the selects the same elements."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from cadres.forms import QuickSelect
from orgdept.core.listing import QuickNumberInput, QuickTextInput


def bound(field: forms.Field, data: dict):
    form = type("F", (forms.Form,), {"v": field})(data)
    form.is_valid()
    return str(form["v"])


@pytest.mark.parametrize("value", [None, "", "王", "<b>\"王'&</b>", "  空格  "])
def test_text_input(value):
    data = {} if value is None else {"v": value}
    django = bound(forms.CharField(required=False, max_length=100), data)
    assert bound(forms.CharField(required=False, max_length=100, widget=QuickTextInput), data) == django


@pytest.mark.parametrize("value", [None, "30", "abc", "200"])
def test_number_input_with_its_errors(value):
    """Out of range or not a number: the field is marked invalid and described by its error."""
    data = {} if value is None else {"v": value}
    django = bound(forms.IntegerField(required=False, min_value=16, max_value=80), data)
    quick = bound(forms.IntegerField(required=False, min_value=16, max_value=80, widget=QuickNumberInput), data)
    assert quick == django


def test_boolean_attributes_stand_alone_and_false_ones_are_left_out():
    attrs = {"autofocus": True, "disabled": False, "placeholder": "姓名或拼音"}
    assert QuickTextInput(attrs).render("q", "张") == forms.TextInput(attrs).render("q", "张")


@pytest.mark.parametrize("value", ["", "M", "<x>"])
def test_select(value):
    choices = [("", "全部"), ("M", "男"), ("F", "女"), ("<x>", "<x>")]
    django = bound(forms.ChoiceField(required=False, choices=choices), {"v": value})
    quick = bound(forms.ChoiceField(required=False, choices=choices, widget=QuickSelect), {"v": value})
    # the same elements, attributes and texts (Django's template puts line breaks between the options)
    assert parse_html(quick) == parse_html(django)
