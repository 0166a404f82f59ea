"""Forms for appeal pages: they parse only; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.models import (
    WHISTLE_SCORES,
    AttributeType,
    Category,
    CategoryAttribute,
    Channel,
    DeadlineClass,
    DeadlineUnit,
    Kind,
    Satisfaction,
    WhistleRatingSide,
)
from gongzhi.appeals.workflow import Status
from gongzhi.units.forms import UnitChoiceField
from gongzhi.units.models import Department, Unit
from gongzhi.web.forms import GongzhiForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos of the problem, evidence of the result)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*,application/pdf,audio/*,video/mp4", "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def grouped_categories() -> list[tuple[str, list[tuple[int, str]]]]:
    from gongzhi.appeals.queries import category_choices

    return [("", [("", "——")]), *category_choices()]


class CategoryField(forms.TypedChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)


class SubmitForm(GongzhiForm):
    """A resident's appeal (mobile-first: few fields, large controls)."""

    category = CategoryField(label=_("诉求分类"), choices=())
    description = forms.CharField(
        label=_("请描述您的诉求"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("写清楚什么问题、在哪里、持续多久，最多4000字。"),
    )
    unit = UnitChoiceField(label=_("所在社区/村"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("具体地址"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("诉求类型"), choices=Kind.choices, initial=Kind.REQUEST)
    attachments = MultipleFileField(
        label=_("照片或材料（可选）"), required=False, help_text=_("最多9个，每个不超过10MB。")
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    is_public = forms.BooleanField(label=_("同意在公开页面展示（不含个人信息）"), required=False)
    contact_name = forms.CharField(label=_("您的称呼"), max_length=60, required=False)
    contact_mobile = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("用于回访和凭编号查询进度。"),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], anonymous: bool, staff: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_categories()
        self.fields["unit"].queryset = units
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("受理渠道"),
                choices=[(c, Channel(c).label) for c in (Channel.PHONE, Channel.WALK_IN, Channel.GRID_PATROL)],
            )
            self.fields["contact_name"].label = _("诉求人姓名")
            self.fields["contact_mobile"].label = _("诉求人电话")
            self.fields["contact_mobile"].help_text = ""
            self.order_fields(["channel", "contact_name", "contact_mobile"])
        if anonymous:
            self.fields["contact_mobile"].required = True
        elif not staff:
            del self.fields["contact_name"]
            del self.fields["contact_mobile"]


def attribute_form(attributes: list[CategoryAttribute], data: Any = None) -> forms.Form:
    """Return a form with one field per extra attribute of a category (field names prefixed attr-)."""
    fields: dict[str, forms.Field] = {}
    for attribute in attributes:
        if not attribute.variable:
            continue
        choices = [(v["key"], v["name"]) for v in attribute.values]
        kwargs: dict[str, Any] = {
            "label": attribute.description,
            "required": attribute.required,
            "help_text": attribute.datatype_description,
        }
        if attribute.datatype == AttributeType.SINGLE:
            field: forms.Field = forms.ChoiceField(choices=[("", "——"), *choices], **kwargs)
        elif attribute.datatype == AttributeType.MULTI:
            field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kwargs)
        elif attribute.datatype == AttributeType.NUMBER:
            field = forms.DecimalField(**kwargs)
        elif attribute.datatype == AttributeType.DATETIME:
            field = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **kwargs)
        elif attribute.datatype == AttributeType.TEXT:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, **kwargs)
        else:
            field = forms.CharField(max_length=300, **kwargs)
        fields[attribute.code] = field
    form_class = type("AttributeForm", (GongzhiForm,), fields)
    return form_class(data, prefix="attr")


def attribute_values(form: forms.Form) -> dict[str, Any]:
    """Return the cleaned attribute values as the action expects them (ISO datetimes, lists)."""
    values: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        if value in (None, "", []):
            continue
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


class TrackForm(GongzhiForm):
    number = forms.CharField(
        label=_("诉求编号"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "2026-000123"})
    )
    mobile = forms.CharField(
        label=_("提交时留的手机号码"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class RateForm(GongzhiForm):
    resolved = forms.TypedChoiceField(
        label=_("问题是否已经解决？"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果是否满意？"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("评价意见（可选）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FilterForm(GongzhiForm):
    """The work list filters."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(label=_("分类"), required=False)
    unit = UnitChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)
    date_from = forms.DateField(label=_("提交日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("编号或关键词"), required=False, max_length=60)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("newest", _("最新提交")), ("oldest", _("最早提交")), ("due", _("办结时限最近"))],
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部")), ("open", _("办理中（全部未结）")), *Status.choices]
        categories = [("", _("全部"))]
        for category in Category.objects.filter(is_active=True).order_by("path"):
            indent = "　" if category.depth > 1 else ""
            categories.append((category.code, f"{indent}{category.code} {category.label()}"))
        self.fields["category"].choices = categories
        self.fields["unit"].queryset = units


def department_field(queryset: QuerySet[Department], label: Any = None, required: bool = True) -> forms.Field:
    return forms.ModelChoiceField(label=label or _("承办部门"), queryset=queryset, required=required)


class VersionedForm(GongzhiForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DispatchForm(VersionedForm):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.none())
    comment = forms.CharField(
        label=_("派单说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class RedispatchForm(DispatchForm):
    reason = forms.CharField(label=_("改派理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["comment"]


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(VersionedForm):
    into = forms.CharField(label=_("并入的诉求编号"), max_length=20)
    comment = forms.CharField(label=_("说明"), max_length=1000, required=False)


class SplitForm(VersionedForm):
    lead = forms.ModelChoiceField(label=_("牵头（主办）部门"), queryset=Department.objects.none())
    assisting = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("联办说明"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = departments
        self.fields["assisting"].queryset = departments


class WhistleForm(GongzhiForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("召集部门"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("吹哨事由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.IntegerField(label=_("报到时限（分钟）"), initial=30, min_value=5, max_value=1440)
    place = forms.CharField(label=_("报到地点"), max_length=200, required=False)

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments


class AssignmentForm(VersionedForm):
    assignment = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(AssignmentForm):
    reason = forms.CharField(label=_("退单理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class RespondForm(AssignmentForm):
    comment = forms.CharField(
        label=_("联系情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("何时、以何种方式联系了诉求人，约定了什么。"),
    )


class CompleteForm(AssignmentForm):
    result = forms.CharField(label=_("办理结果"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=_("办理证明（照片或文件）"), required=False)


class ExtensionForm(AssignmentForm):
    extra_workdays = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DecideExtensionForm(GongzhiForm):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("yes", _("批准延期")), ("no", _("不予批准"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), max_length=1000, required=False)


class ReviewForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("复核结论"), choices=[("reopen", _("责成重办")), ("close", _("复核结案"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("复核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(VersionedForm):
    comment = forms.CharField(label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(GongzhiForm):
    comment = forms.CharField(label=_("备注"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    public = forms.BooleanField(label=_("对诉求人公开"), required=False)
    attachments = MultipleFileField(label=_("附件"), required=False)


class CheckInForm(GongzhiForm):
    summons = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("报到说明"), max_length=300, required=False)


class WhistleCloseForm(GongzhiForm):
    note = forms.CharField(label=_("收哨说明（可选）"), max_length=300, required=False)


class WhistleRateForm(GongzhiForm):
    """One side's rating of a whistle pair (the side is fixed by the button the user pressed)."""

    side = forms.ChoiceField(choices=WhistleRatingSide.choices, widget=forms.HiddenInput)
    score = forms.TypedChoiceField(label=_("评分"), choices=WHISTLE_SCORES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价意见（评为较差、很差时必填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(GongzhiForm):
    file = forms.FileField(
        label=_("热线工单Excel文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("第一行为表头；先校验，全部无误后才导入。"),
    )


class CategoryForm(GongzhiForm):
    parent = forms.ModelChoiceField(
        label=_("上级分类"), queryset=Category.objects.filter(depth=1, is_active=True), required=False
    )
    code = forms.CharField(label=_("编码"), max_length=20, help_text=_("大写字母和数字，创建后不可更改。"))
    name = forms.CharField(label=_("名称"), max_length=60)
    name_en = forms.CharField(label=_("英文名称"), max_length=120, required=False)
    deadline_class = forms.ChoiceField(label=_("时限类别"), choices=DeadlineClass.choices)
    response_amount = forms.IntegerField(label=_("响应时限"), required=False, min_value=1)
    response_unit = forms.ChoiceField(
        label=_("响应时限单位"), choices=[("", "——"), *DeadlineUnit.choices], required=False
    )
    resolution_amount = forms.IntegerField(label=_("办结时限"), required=False, min_value=1)
    resolution_unit = forms.ChoiceField(
        label=_("办结时限单位"), choices=[("", "——"), *DeadlineUnit.choices], required=False
    )
    is_emergency = forms.BooleanField(label=_("紧急事项"), required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=300, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["parent"]
            del self.fields["code"]

    def action_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("is_emergency", self.cleaned_data.get("is_emergency", False))
        return data


class RuleForm(GongzhiForm):
    category = forms.ChoiceField(label=_("诉求分类（含下级）"))
    unit = UnitChoiceField(label=_("适用单位（含下级）"), queryset=Unit.objects.none())
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.none())
    priority = forms.IntegerField(label=_("优先级"), initial=0, min_value=-1000, max_value=1000)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["department"].queryset = departments
        self.fields["category"].choices = [
            (c.code, f"{'　' if c.depth > 1 else ''}{c.code} {c.label()}")
            for c in Category.objects.filter(is_active=True).order_by("path")
        ]
