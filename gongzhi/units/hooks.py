"""Menu entries for the units tree, departments and organizations."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.web.hooks import NavItem

NAV = [
    NavItem(key="units", label=_("组织架构"), url_name="units:tree", perm="units.view", order=80, section="admin"),
    NavItem(
        key="departments",
        label=pgettext_lazy("plural", "部门"),
        url_name="units:departments",
        perm="departments.view",
        order=81,
        section="admin",
    ),
    NavItem(
        key="organizations",
        label=_("组织"),
        url_name="units:organizations",
        perm="organizations.view",
        order=82,
        section="admin",
    ),
]
