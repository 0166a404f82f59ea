"""Form helpers: Bootstrap classes and accessible error wiring on every widget."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class GongzhiForm(forms.Form):
    """A form whose widgets carry Bootstrap classes and aria attributes for errors and help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.CheckboxInput):
                css += " form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css += " form-select"
            elif not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.HiddenInput):
                css += " form-control"
            widget.attrs["class"] = css.strip()
            described = []
            if field.help_text:
                described.append(f"id_{name}_help")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{described} id_{name}_error".strip()


class LoginForm(GongzhiForm):
    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ProfileForm(GongzhiForm):
    display_name = forms.CharField(label=_("显示名称"), max_length=60, required=False)
    email = forms.EmailField(label=_("电子邮件"), required=False)
    mobile = forms.CharField(
        label=_("手机号码"), max_length=20, required=False, help_text=_("可用手机号码登录。留空则解除绑定。")
    )
    language = forms.ChoiceField(label=_("界面语言"), choices=[("zh-hans", "简体中文"), ("en", "English")])
    elderly_mode = forms.BooleanField(label=_("长者模式（大字号、高对比度）"), required=False)


class PasswordChangeForm(GongzhiForm):
    old_password = forms.CharField(
        label=_("原密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全是数字，不能过于常见。"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class TokenForm(GongzhiForm):
    name = forms.CharField(label=_("令牌名称"), max_length=80, help_text=_("例如：12345热线对接"))
