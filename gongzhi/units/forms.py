"""Forms for units, departments and organizations (parse only; actions validate and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.units.models import DepartmentKind, OrganizationKind, Unit, UnitKind
from gongzhi.web.forms import GongzhiForm


class UnitChoiceField(forms.ModelChoiceField):
    """Choose a unit from the actor's scope, shown indented by depth."""

    def label_from_instance(self, obj: Unit) -> str:
        indent = "\u00a0\u00a0" * max(0, obj.depth - 1)
        return indent + _("%(name)s（%(kind)s）") % {"name": obj.name, "kind": obj.get_kind_display()}


def unit_choices(queryset: QuerySet[Unit], *, kinds: tuple[str, ...] | None = None) -> QuerySet[Unit]:
    qs = queryset.filter(valid_to__isnull=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("path")


class UnitCreateForm(GongzhiForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=UnitKind.choices)
    code = forms.CharField(
        label=_("统计用区划代码"),
        max_length=24,
        help_text=_("市至社区/村为12位数字；网格、楼栋在上级代码后追加1至6位。"),
    )
    valid_from = forms.DateField(label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    address = forms.CharField(label=_("办公地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)


class UnitEditForm(GongzhiForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("办公地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)


class UnitMoveForm(GongzhiForm):
    new_parent = UnitChoiceField(label=_("新的上级单位"), queryset=Unit.objects.none())
    reason = forms.CharField(
        label=_("调整原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, parents: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents


class UnitCloseForm(GongzhiForm):
    on = forms.DateField(label=_("撤销日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("撤销原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DepartmentForm(GongzhiForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=DepartmentKind.choices)
    code = forms.CharField(label=_("编码"), max_length=40)
    unit = UnitChoiceField(label=_("所属单位"), queryset=Unit.objects.none())
    jurisdiction = UnitChoiceField(
        label=_("管辖范围"), queryset=Unit.objects.none(), required=False, help_text=_("留空表示与所属单位相同。")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["jurisdiction"].queryset = units
        if editing:
            del self.fields["code"]
            del self.fields["unit"]
            self.fields["is_active"] = forms.BooleanField(label=_("启用"), required=False)
            self.fields["is_active"].widget.attrs["class"] = "form-check-input"


class OrganizationForm(GongzhiForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=OrganizationKind.choices)
    unit = UnitChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    parent = forms.ModelChoiceField(label=_("上级组织"), queryset=None, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, units: QuerySet[Unit], parents: QuerySet, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["parent"].queryset = parents
        if editing:
            for name in ("kind", "unit", "parent"):
                del self.fields[name]
            self.fields["is_active"] = forms.BooleanField(label=_("启用"), required=False)
            self.fields["is_active"].widget.attrs["class"] = "form-check-input"
