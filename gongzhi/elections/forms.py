"""Forms for the election pages (they parse; the actions validate the rules and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.elections.models import ElectorateKind
from gongzhi.web.forms import GongzhiForm

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.unit.name}）"


class ElectionForm(GongzhiForm):
    body = BodyChoiceField(label=_("议事机构"), queryset=None)
    title = forms.CharField(label=_("选举名称"), max_length=120)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    seats = forms.IntegerField(label=_("应选名额"), min_value=1, max_value=200)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE)
    electorate = forms.ChoiceField(label=_("选民范围"), choices=ElectorateKind.choices)
    electorate_body = BodyChoiceField(
        label=_("选民所在议事机构"),
        queryset=None,
        required=False,
        help_text=_("选民范围为“议事机构成员”时必填。"),
    )
    nominations_close_at = forms.DateTimeField(label=_("提名截止时间"), required=False, widget=DATETIME)
    voting_starts_at = forms.DateTimeField(label=_("投票开始时间"), widget=DATETIME)
    voting_ends_at = forms.DateTimeField(label=_("投票结束时间"), widget=DATETIME)
    nomination_threshold = forms.IntegerField(label=_("联名提名所需选民人数"), min_value=1, max_value=1000, initial=10)
    body_nominations = forms.BooleanField(label=_("允许议事机构提名"), required=False, initial=True)
    competitive = forms.BooleanField(label=_("差额选举（候选人数多于应选名额）"), required=False, initial=True)
    proxy_limit = forms.IntegerField(label=_("每人最多接受委托数"), min_value=0, max_value=10, initial=3)

    def __init__(self, *args: Any, bodies: Any, editable: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["electorate_body"].queryset = bodies
        if editable is not None:
            for name in list(self.fields):
                if name not in editable:
                    del self.fields[name]


class ReasonForm(GongzhiForm):
    reason = forms.CharField(label=_("原因"), max_length=200)


class RunoffForm(GongzhiForm):
    voting_starts_at = forms.DateTimeField(label=_("另行选举投票开始时间"), widget=DATETIME)
    voting_ends_at = forms.DateTimeField(label=_("另行选举投票结束时间"), widget=DATETIME)


class RollAddForm(GongzhiForm):
    reason = forms.CharField(label=_("补登原因"), max_length=200)


def parse_numbers(value: str) -> list[int]:
    """Read voter numbers typed as '3, 7 12、15'."""
    text = value.replace("、", ",").replace("，", ",").replace(" ", ",")
    parts = [p for p in text.split(",") if p.strip()]
    if not all(p.strip().isdigit() for p in parts):
        raise forms.ValidationError(_("请输入选民编号，用逗号分隔。"))
    return [int(p) for p in parts]


class NumbersField(forms.CharField):
    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value)
        return parse_numbers(text) if text else []


class NominateForm(GongzhiForm):
    nominee_number = forms.IntegerField(label=_("被提名人选民编号"), min_value=1, widget=forms.HiddenInput)
    statement = forms.CharField(
        label=_("推荐理由（可选）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaperNominationForm(GongzhiForm):
    nominee_number = forms.IntegerField(label=_("被提名人选民编号"), min_value=1)
    supporter_numbers = NumbersField(
        label=_("联名人选民编号"), help_text=_("照联名提名表录入，用逗号分隔，例如：3, 7, 12")
    )
    statement = forms.CharField(label=_("推荐理由"), max_length=2000, required=False)


class BodyNominationForm(GongzhiForm):
    nominee_number = forms.IntegerField(label=_("被提名人选民编号"), min_value=1)
    body_decision = forms.CharField(
        label=_("提名决定"), max_length=200, help_text=_("例如：社区党委2026年第9次会议决定")
    )
    statement = forms.CharField(label=_("候选人简介"), max_length=2000, required=False)


class AcceptForm(GongzhiForm):
    statement = forms.CharField(
        label=_("候选人简介（可选）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProxyForm(GongzhiForm):
    principal_number = forms.IntegerField(label=_("委托人选民编号"), min_value=1)
    proxy_number = forms.IntegerField(label=_("受托人选民编号"), min_value=1)
    document_number = forms.CharField(label=_("委托书编号"), max_length=60)
    signed_on = forms.DateField(label=_("签署日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class PaperIssueForm(GongzhiForm):
    voter_number = forms.IntegerField(label=_("选民编号"), min_value=1)
    proxy_number = forms.IntegerField(
        label=_("受托人选民编号"), min_value=1, required=False, help_text=_("受托人代领选票时填写。")
    )


class BallotForm(GongzhiForm):
    """A ballot: tick at most `seats` candidates; optionally vote for a principal who authorized you in writing."""

    def __init__(self, *args: Any, candidates: list[Any], seats: int, principals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seats = seats
        self.fields["choices"] = forms.TypedMultipleChoiceField(
            label=_("候选人"),
            coerce=int,
            required=False,
            choices=[(c.pk, c.nominee.name) for c in candidates],
            widget=forms.CheckboxSelectMultiple,
        )
        if principals:
            self.fields["on_behalf_of"] = forms.TypedChoiceField(
                label=_("为谁投票"),
                coerce=int,
                choices=[(0, _("我自己"))] + [(p.number, _("受%(name)s委托") % {"name": p.name}) for p in principals],
                widget=forms.RadioSelect,
                initial=0,
            )

    def clean_choices(self) -> list[int]:
        picked = self.cleaned_data.get("choices") or []
        if len(picked) > self.seats:
            raise forms.ValidationError(_("最多选%(n)s人。") % {"n": self.seats})
        return picked


class PaperBallotForm(GongzhiForm):
    def __init__(self, *args: Any, candidates: list[Any], seats: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seats = seats
        self.fields["choices"] = forms.TypedMultipleChoiceField(
            label=_("选票上划“○”的候选人"),
            coerce=int,
            required=False,
            choices=[(c.pk, c.nominee.name) for c in candidates],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["spoiled"] = forms.BooleanField(label=_("无效票（无法辨认或所选多于应选名额）"), required=False)


class RollSearchForm(GongzhiForm):
    q = forms.CharField(label=_("姓名或编号"), max_length=60, required=False)
