"""Domain errors land on the page's form: on the named field, once, and 401/403/404 are not form errors."""

from __future__ import annotations

import pytest
from django import forms

from gongzhi.lib.errors import Forbidden, InvalidInput
from gongzhi.web.errors import apply_form_errors


class _Form(forms.Form):
    name = forms.CharField()


def test_a_forms_own_errors_raised_again_show_once():
    form = _Form({})
    assert not form.is_valid()
    apply_form_errors(form, InvalidInput(fields=form.errors))
    assert form.errors["name"] == ["这个字段是必填项。"]


def test_an_action_error_goes_on_its_field_and_an_unknown_field_on_the_form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    apply_form_errors(form, InvalidInput(fields={"name": ["已被占用。"], "elsewhere": ["别处有误。"]}))
    assert form.errors["name"] == ["已被占用。"]
    assert form.non_field_errors() == ["别处有误。"]


def test_who_may_do_what_is_not_a_form_error():
    form = _Form({"name": "x"})
    form.is_valid()
    with pytest.raises(Forbidden):
        apply_form_errors(form, Forbidden())
