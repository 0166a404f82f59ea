"""HTML forms of the services pages (parsing only; the actions decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.services.actions.applications import Delivery
from gongzhi.services.models import (
    CaseSource,
    Decision,
    DutyKind,
    DutySource,
    FinanceService,
    Mode,
    ParcelDirection,
    RedirectKind,
    Satisfaction,
    ServiceItem,
    VisitPurpose,
)
from gongzhi.web.forms import GongzhiForm

DESK_MODES = [(m, label) for m, label in Mode.choices if m != Mode.ONLINE]


def item_form_fields(form: forms.Form, items: list[ServiceItem]) -> None:
    """Add the items' extra form fields (declared in the catalogue) as fd_<name> fields."""
    seen: set[str] = set()
    for item in items:
        for spec in item.form_fields or []:
            if spec["name"] in seen:
                continue
            seen.add(spec["name"])
            widget = forms.DateInput(attrs={"type": "date"}) if spec.get("kind") == "date" else forms.TextInput()
            form.fields[f"fd_{spec['name']}"] = forms.CharField(
                label=spec.get("label", spec["name"]),
                required=bool(spec.get("required")),
                max_length=500,
                widget=widget,
            )


def material_choices(items: list[ServiceItem]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for item in items:
        for m in item.materials.all():
            if m.name not in seen:
                extra = _("（可容缺后补）") if m.deferrable else ""
                seen[m.name] = f"{m.name}（{m.get_form_display()}）{extra}"
    return list(seen.items())


class ApplyForm(GongzhiForm):
    """Online application by a signed-in resident."""

    supplied_materials = forms.MultipleChoiceField(
        label=_("已准备好的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, items: list[ServiceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplied_materials"].choices = material_choices(items)
        item_form_fields(self, items)
        for name, field in self.fields.items():
            if name.startswith("fd_"):
                field.widget.attrs.setdefault("class", "form-control")

    def form_data(self) -> dict[str, Any]:
        return {k[3:]: v for k, v in self.cleaned_data.items() if k.startswith("fd_") and v not in (None, "")}


class DeskForm(ApplyForm):
    """Desk intake at a point: any staff member takes any item the point offers."""

    mode = forms.ChoiceField(label=_("办理方式"), choices=DESK_MODES)
    resident_id = forms.IntegerField(
        label=_("登记居民编号"), required=False, help_text=_("选填：居民在名册中的编号；不填则按姓名登记。")
    )
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=60, required=False)
    applicant_mobile = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    resident_present = forms.BooleanField(
        label=_("居民本人到场"), required=False, initial=True, help_text=_("代办时若由代办员上门收件，请取消勾选。")
    )
    field_order = [
        "mode",
        "resident_id",
        "applicant_name",
        "applicant_mobile",
        "resident_present",
        "supplied_materials",
    ]


class AcceptForm(GongzhiForm):
    materials_due_on = forms.DateField(
        label=_("补齐材料期限（容缺受理时填写）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(GongzhiForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class NoteForm(GongzhiForm):
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)


class DeliverForm(GongzhiForm):
    method = forms.ChoiceField(label=_("送达方式"), choices=Delivery.CHOICES)


class VisitForm(GongzhiForm):
    purpose = forms.ChoiceField(label=_("来访事由"), choices=VisitPurpose.choices)


class SupplyForm(GongzhiForm):
    materials = forms.MultipleChoiceField(label=_("补交的材料"), widget=forms.CheckboxSelectMultiple)
    resident_came = forms.BooleanField(label=_("居民本人来补交（计一次跑动）"), required=False, initial=True)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = choices


class AuthorizationForm(GongzhiForm):
    signer_name = forms.CharField(label=_("委托人（居民）姓名"), max_length=60)
    scope = forms.CharField(label=_("委托办理的事项"), max_length=300)
    upload = forms.FileField(
        label=_("上传书面委托书（PNG/JPEG/PDF，不超过2MB）"),
        required=False,
        help_text=_("也可以请居民在下方签名板上签名。"),
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False)


class CustodyForm(GongzhiForm):
    document = forms.CharField(label=_("材料"), max_length=120)
    quantity = forms.IntegerField(label=_("份数"), min_value=1, max_value=50, initial=1)
    from_party = forms.ChoiceField(label=_("交出方"))
    to_party = forms.ChoiceField(label=_("接收方"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, parties: list[tuple[str, str]], documents: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_party"].choices = parties
        self.fields["to_party"].choices = parties
        self.fields["document"].widget.attrs["list"] = "custody-documents"
        self.documents = documents


class AppointmentForm(GongzhiForm):
    staff = forms.ChoiceField(label=_("陪办人员"))
    at = forms.DateTimeField(label=_("预约时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("地点"), max_length=200)

    def __init__(self, *args: Any, staff: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = staff


class RatingForm(GongzhiForm):
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗？"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("评价内容（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(GongzhiForm):
    code = forms.CharField(label=_("核验码"), max_length=60, help_text=_("证明右下角的20位核验码，可不输入短横线。"))


class IssueForm(GongzhiForm):
    type = forms.ChoiceField(label=_("证明类型（仅限清单内）"))
    holder_name = forms.CharField(label=_("持证人姓名"), max_length=60, required=False)
    resident_id = forms.IntegerField(label=_("登记居民编号（选填）"), required=False)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    content = forms.CharField(label=_("证明内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    evidence = forms.CharField(label=_("核实依据"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, types: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = types


class RedirectForm(GongzhiForm):
    requested = forms.CharField(label=_("居民要开的证明"), max_length=120)
    requester_name = forms.CharField(label=_("申请人"), max_length=60, required=False)
    kind = forms.ChoiceField(
        label=_("引导方式（无匹配规则时填写）"), choices=[("", "—"), *RedirectKind.choices], required=False
    )
    go_to = forms.CharField(label=_("应去何处办理"), max_length=200, required=False)
    reason = forms.CharField(label=_("不予出具的理由"), max_length=2000, required=False)


class UnitChoiceForm(GongzhiForm):
    unit = forms.ChoiceField(label=_("您所在的社区或村"), required=False)


class CaseForm(GongzhiForm):
    unit = forms.ChoiceField(label=_("管辖单位"))
    source = forms.ChoiceField(label=_("案件来源"), choices=CaseSource.choices)
    appeal_number = forms.CharField(label=_("关联诉求编号"), max_length=40, required=False)
    law_area = forms.CharField(label=_("执法领域"), max_length=40)
    party_name = forms.CharField(label=_("当事人"), max_length=120)
    location = forms.CharField(label=_("地点"), max_length=200)
    summary = forms.CharField(label=_("案情摘要"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units


class DecideForm(GongzhiForm):
    decision = forms.ChoiceField(label=_("处理决定"), choices=Decision.choices)
    duty = forms.ChoiceField(label=_("执法依据（本单位权力清单）"), required=False)
    penalty_amount = forms.CharField(label=_("罚款金额（元）"), required=False, max_length=20)
    penalty_text = forms.CharField(label=_("处罚内容"), required=False, max_length=300)
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)

    def __init__(self, *args: Any, duties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = [("", "—"), *duties]


class DutyForm(GongzhiForm):
    """A register entry: new (with unit and code) or edited (the unit and code stay)."""

    unit = forms.ChoiceField(label=_("责任单位"))
    code = forms.CharField(label=_("事项编码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类别"), choices=DutyKind.choices)
    source = forms.ChoiceField(label=_("来源"), choices=DutySource.choices)
    delegated_from = forms.ChoiceField(
        label=_("原权力单位"), required=False, help_text=_("授权下放或委托时，原来行使该权力的单位。")
    )
    delegation_document = forms.CharField(label=_("下放文件"), max_length=200, required=False)
    department = forms.ChoiceField(label=_("承办部门"), required=False)
    category_code = forms.CharField(
        label=_("诉求分类编码"),
        max_length=10,
        required=False,
        help_text=_("填写后，该类诉求只能派给本单位或承办部门（职责清单派单检查）。"),
    )
    law_area = forms.CharField(label=_("执法领域"), max_length=40, required=False)
    legal_basis = forms.CharField(label=_("法律依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]] | None,
        departments: list[tuple[int, str]],
        origins: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit and the code identify the entry
            del self.fields["unit"]
            del self.fields["code"]
        else:
            self.fields["unit"].choices = units
        self.fields["department"].choices = [("", "—"), *departments]
        self.fields["delegated_from"].choices = [("", "—"), *origins]


class DutyRetireForm(GongzhiForm):
    effective_to = forms.DateField(
        label=_("停用日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("自该日起不再计入职责清单、派单检查和办事目录；记录保留。"),
    )
    reason = forms.CharField(label=_("停用理由"), max_length=300)


class ParcelForm(GongzhiForm):
    direction = forms.ChoiceField(label=_("方向"), choices=ParcelDirection.choices)
    tracking_number = forms.CharField(label=_("运单号"), max_length=40)
    carrier = forms.CharField(label=_("快递公司"), max_length=40)
    party_name = forms.CharField(label=_("收/寄件人"), max_length=60)
    party_phone = forms.CharField(label=_("手机号码（选填，仅存掩码）"), max_length=20, required=False)


class FinanceForm(GongzhiForm):
    service = forms.ChoiceField(label=_("业务"), choices=FinanceService.choices)
    resident_name = forms.CharField(label=_("办理人"), max_length=60)
    amount = forms.CharField(label=_("金额（元，仅记录）"), max_length=20, initial="0")
    institution = forms.CharField(label=_("合作金融机构"), max_length=60)
    reference = forms.CharField(label=_("业务流水号"), max_length=60, required=False)


class ListingForm(GongzhiForm):
    product = forms.CharField(label=_("产品"), max_length=60)
    quantity = forms.CharField(label=_("数量"), max_length=20)
    measure = forms.CharField(label=pgettext_lazy("measure", "单位"), max_length=10, initial="斤")
    price = forms.CharField(label=_("单价（元）"), max_length=20)
    seller_name = forms.CharField(label=_("卖方"), max_length=60)
    seller_contact = forms.CharField(label=_("卖方联系方式"), max_length=40)


class SellForm(GongzhiForm):
    buyer_name = forms.CharField(label=_("买方"), max_length=60)
    buyer_contact = forms.CharField(label=_("买方联系方式"), max_length=40)
    sold_quantity = forms.CharField(label=_("成交数量（不填为全部）"), max_length=20, required=False)
