"""Every write to appeals. Each action is atomic, takes the acting user, locks, checks access, moves the
workflow through transition(), writes its audit event and notifies (see the modules for details)."""

from gongzhi.appeals.actions._common import Upload
from gongzhi.appeals.actions.catalog import (
    attribute_create,
    attribute_update,
    category_create,
    category_retire,
    category_update,
    rule_create,
    rule_delete,
    rule_update,
)
from gongzhi.appeals.actions.deadlines import appeal_escalate, appeal_mark_overdue
from gongzhi.appeals.actions.dispatching import (
    BulkResult,
    appeal_bulk_dispatch,
    appeal_dispatch,
    appeal_merge,
    appeal_redispatch,
    appeal_reject,
    appeal_split,
)
from gongzhi.appeals.actions.handling import (
    appeal_accept,
    appeal_close,
    appeal_close_unrated,
    appeal_complete,
    appeal_note,
    appeal_rate,
    appeal_respond,
    appeal_return,
    appeal_reveal_contact,
    appeal_review,
    appeal_set_public,
    attachment_add,
    extension_decide,
    extension_request,
)
from gongzhi.appeals.actions.imports import ImportReport, appeal_export_record, appeal_import, import_validate
from gongzhi.appeals.actions.intake import Contact, appeal_submit
from gongzhi.appeals.actions.whistles import summons_mark_missed, whistle_blow, whistle_check_in

__all__ = [
    "BulkResult",
    "Contact",
    "ImportReport",
    "Upload",
    "appeal_accept",
    "appeal_bulk_dispatch",
    "appeal_close",
    "appeal_close_unrated",
    "appeal_complete",
    "appeal_dispatch",
    "appeal_escalate",
    "appeal_export_record",
    "appeal_import",
    "appeal_mark_overdue",
    "appeal_merge",
    "appeal_note",
    "appeal_rate",
    "appeal_redispatch",
    "appeal_reject",
    "appeal_respond",
    "appeal_return",
    "appeal_reveal_contact",
    "appeal_review",
    "appeal_set_public",
    "appeal_split",
    "appeal_submit",
    "attachment_add",
    "attribute_create",
    "attribute_update",
    "category_create",
    "category_retire",
    "category_update",
    "extension_decide",
    "extension_request",
    "import_validate",
    "rule_create",
    "rule_delete",
    "rule_update",
    "summons_mark_missed",
    "whistle_blow",
    "whistle_check_in",
]
