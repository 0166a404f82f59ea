"""Everyone reads and marks their own notifications."""

from gongzhi.access import OWN, SIGNED_IN

PERMISSIONS = {
    "notifications.view": {SIGNED_IN: OWN},
}
