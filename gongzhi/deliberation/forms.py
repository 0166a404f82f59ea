"""Forms for the deliberation pages (parse only; the actions validate and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.deliberation.models import (
    BodyLevel,
    InquiryKind,
    MajorityRule,
    MeetingKind,
    MemberRole,
    MemberSource,
)
from gongzhi.units.forms import UnitChoiceField
from gongzhi.units.models import Unit
from gongzhi.web.forms import GongzhiForm

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BodyForm(GongzhiForm):
    unit = UnitChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("名称"), max_length=120)
    level = forms.ChoiceField(label=_("层级"), choices=BodyLevel.choices)
    parent = forms.ModelChoiceField(label=_("上一级议事机构"), queryset=None, required=False)
    majority_rule = forms.ChoiceField(label=_("表决规则"), choices=MajorityRule.choices, initial=MajorityRule.PRESENT)
    quorum_numerator = forms.IntegerField(label=_("法定人数（分子）"), min_value=1, initial=2)
    quorum_denominator = forms.IntegerField(label=_("法定人数（分母）"), min_value=1, initial=3)
    notice_days = forms.IntegerField(label=_("提前通知天数"), min_value=0, initial=3)
    meeting_interval_days = forms.IntegerField(
        label=_("最长会议间隔（天）"),
        min_value=1,
        required=False,
        help_text=_("村民代表会议至少每季度召开一次（92天）。"),
    )
    demand_numerator = forms.IntegerField(label=_("提议召开比例（分子）"), min_value=1, initial=1)
    demand_denominator = forms.IntegerField(label=_("提议召开比例（分母）"), min_value=1, initial=5)
    demand_response_days = forms.IntegerField(label=_("应在几日内召开"), min_value=1, initial=10)
    cosign_threshold = forms.IntegerField(label=_("居民提案联署人数"), min_value=0, initial=5)
    requires_party_screening = forms.BooleanField(label=_("议题发布前须党组织把关"), required=False)
    requires_legal_review = forms.BooleanField(label=_("决议须经法律顾问审查"), required=False)

    def __init__(self, *args: Any, units: QuerySet, parents: QuerySet, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["parent"].queryset = parents
        if editing:
            del self.fields["unit"]
            del self.fields["level"]
            self.fields["is_active"] = forms.BooleanField(label=_("启用"), required=False)
            self.fields["is_active"].widget.attrs["class"] = "form-check-input"


class MemberForm(GongzhiForm):
    user = forms.ModelChoiceField(label=pgettext_lazy("member", "人员"), queryset=None)
    role = forms.ChoiceField(label=_("职务"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    source = forms.ChoiceField(label=_("产生方式"), choices=MemberSource.choices, initial=MemberSource.APPOINTED)
    term_start = forms.DateField(label=_("任期开始"), required=False, widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), required=False, widget=DATE)

    def __init__(self, *args: Any, users: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class ProposeForm(GongzhiForm):
    body = forms.ModelChoiceField(label=_("提交给"), queryset=None)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("写清楚问题在哪里、影响了谁、您的建议。"),
    )
    as_representative = forms.BooleanField(label=_("以议事代表身份提出（无需联署）"), required=False)

    def __init__(self, *args: Any, bodies: QuerySet, representative: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        if not representative:
            del self.fields["as_representative"]


class OnBehalfForm(GongzhiForm):
    body = forms.ModelChoiceField(label=_("提交给"), queryset=None)
    source = forms.ChoiceField(
        label=_("来源"), choices=[("appeals", _("诉求集中反映")), ("government", _("政府部门/党组织交办"))]
    )
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    appeal_numbers = forms.CharField(
        label=pgettext_lazy("topic", "关联诉求编号"), required=False, help_text=_("多个编号用空格或逗号分隔。")
    )
    source_detail = forms.CharField(label=_("交办部门或党组织"), max_length=200, required=False)

    def __init__(self, *args: Any, bodies: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies

    def clean_appeal_numbers(self) -> list[str]:
        raw = self.cleaned_data.get("appeal_numbers", "")
        return [part for part in raw.replace("，", ",").replace(",", " ").split() if part]


class MeetingForm(GongzhiForm):
    body = forms.ModelChoiceField(label=_("议事机构"), queryset=None)
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label=_("地点"), max_length=200)
    is_public = forms.BooleanField(label=_("公开会议（居民可自行签到旁听）"), required=False)

    def __init__(self, *args: Any, bodies: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class InquiryForm(GongzhiForm):
    kind = forms.ChoiceField(label=_("类型"), choices=InquiryKind.choices, widget=forms.RadioSelect)
    unit = forms.ModelChoiceField(label=_("向哪个社区（村）提出"), queryset=None)
    title = forms.CharField(label=_("标题"), max_length=120)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ConsultationForm(GongzhiForm):
    unit = UnitChoiceField(label=_("发布单位"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)
    sections = forms.CharField(
        label=_("草案条文"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("每条一段，段与段之间空一行；每段第一行是条款标题。"),
    )

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_sections(self) -> list[dict[str, str]]:
        blocks = [b.strip() for b in self.cleaned_data["sections"].replace("\r\n", "\n").split("\n\n") if b.strip()]
        sections = []
        for block in blocks:
            heading, _sep, text = block.partition("\n")
            sections.append({"heading": heading.strip(), "text": (text or heading).strip()})
        return sections


class ContestForm(GongzhiForm):
    unit = UnitChoiceField(label=_("举办单位"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    budget = forms.DecimalField(label=_("资助总额（元）"), min_value=0, decimal_places=2)
    min_self_share = forms.DecimalField(
        label=_("居民自筹最低比例"),
        min_value=0,
        max_value=1,
        decimal_places=3,
        initial=0,
        help_text=_("如0.2表示20%。"),
    )
    awards = forms.IntegerField(label=_("资助项目数"), min_value=1, initial=3)
    criteria = forms.CharField(
        label=_("评分项及权重"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="公共性 40\n可行性 40\n居民参与 20",
        help_text=_("每行一项：名称 权重。"),
    )

    def __init__(self, *args: Any, units: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_criteria(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data["criteria"].splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2:
                raise forms.ValidationError(_("每行应为“名称 权重”。"))
            rows.append({"name": " ".join(parts[:-1]), "weight": parts[-1]})
        return rows
