"""Forms for the register, users and grants (parse only; actions validate and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.people.models import Gender, Household, Relation, ResidentTagKind
from gongzhi.people.roles import Role
from gongzhi.units.forms import UnitChoiceField
from gongzhi.units.models import Unit
from gongzhi.web.forms import GongzhiForm


class ResidentFilterForm(GongzhiForm):
    name = forms.CharField(label=_("姓名"), required=False)
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部"))
    tag = forms.ChoiceField(label=_("标签"), required=False, choices=[("", _("全部")), *ResidentTagKind.choices])
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=[("", _("全部")), *Gender.choices])
    age_min = forms.IntegerField(label=_("最小年龄"), required=False, min_value=0, max_value=150)
    age_max = forms.IntegerField(label=_("最大年龄"), required=False, min_value=0, max_value=150)
    identity_number = forms.CharField(label=_("身份证号码（精确）"), required=False)
    mobile = forms.CharField(label=_("手机号码（精确）"), required=False)
    include_moved_out = forms.BooleanField(label=_("包括已迁出"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ResidentForm(GongzhiForm):
    name = forms.CharField(label=_("姓名"), max_length=60)
    identity_number = forms.CharField(
        label=_("身份证号码"), max_length=24, required=False, help_text=_("18位；填写后自动确定出生日期和性别。")
    )
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    mobile = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    unit = UnitChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    household = forms.ModelChoiceField(label=_("所属户"), queryset=Household.objects.none(), required=False)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=[("", "—"), *Relation.choices], required=False)
    tags = forms.MultipleChoiceField(
        label=_("标签"), choices=ResidentTagKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: QuerySet[Unit], households: QuerySet[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["household"].queryset = households


class HouseholdForm(GongzhiForm):
    number = forms.CharField(label=_("户号"), max_length=40)
    unit = UnitChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("住址"), max_length=200)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class UserCreateForm(GongzhiForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("显示名称"), max_length=60, required=False)
    mobile = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class GrantForm(GongzhiForm):
    user = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=pgettext_lazy("grant form", "部门"),
        queryset=None,
        required=False,
        help_text=_("部门承办人请选部门；其他角色选单位。"),
    )
    valid_to = forms.DateField(label=_("失效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, units: QuerySet[Unit], departments: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["department"].queryset = departments
