"""Every periodic task, declared in one place. Each is a thin wrapper around an action or query.

Huey's consumer runs these (``manage.py run_huey``, started by ``make run`` beside the web server).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/15"))
@lock_task("notify-retry")
def retry_failed_deliveries() -> int:
    """Resend e-mail and SMS messages whose gateway failed, while attempts remain."""
    from gongzhi.notify.tasks import retry_failed

    return retry_failed()


@db_periodic_task(crontab(minute="0", hour="3"))
@lock_task("audit-verify")
def verify_audit_chain() -> bool:
    """Walk the audit chain nightly; a break is logged as an error for operators."""
    import logging

    from gongzhi.audit.chain import verify

    result = verify()
    if not result.ok:
        logging.getLogger("gongzhi.audit").error("audit chain broken at #%s: %s", result.broken_seq, result.reason)
    return result.ok


@db_periodic_task(crontab(minute="*/5"))
@lock_task("appeals-deadlines")
def appeals_watch_deadlines() -> dict:
    """Mark overdue appeals, notify handlers and supervisors, escalate after the grace period, record missed
    whistle check-ins."""
    from gongzhi.appeals.tasks import watch_deadlines

    return watch_deadlines()


@db_periodic_task(crontab(minute="20", hour="*"))
@lock_task("appeals-unrated")
def appeals_close_unrated() -> int:
    """Close appeals resolved more than 7 days ago that nobody rated (closed as "not rated")."""
    from gongzhi.appeals.tasks import close_unrated

    return close_unrated()


@db_periodic_task(crontab(minute="30", hour="1"))
@lock_task("appeals-rollup")
def appeals_rollup() -> int:
    """Rebuild the appeal dashboards' daily rollups for the recent days (late ratings and responses included)."""
    from gongzhi.appeals.metrics import rollup_recent

    return rollup_recent()


@db_periodic_task(crontab(minute="*/30"))
@lock_task("services-overdue")
def services_overdue_sweep() -> dict[str, int]:
    """Flag applications (办件) past their deadline, escalate those a working day late, remind due materials."""
    from gongzhi.services.tasks import overdue_sweep

    return overdue_sweep()


@db_periodic_task(crontab(minute="*"))
@lock_task("elections-windows")
def election_voting_windows() -> dict[str, int]:
    """Open ballot boxes whose voting window has started and close (seal) those whose window has ended."""
    from gongzhi.elections.actions import advance_windows

    return advance_windows()


@db_periodic_task(crontab(minute="20", hour="7"))
@lock_task("deliberation-reminders")
def deliberation_reminders() -> dict[str, int]:
    """Remind conveners of bodies overdue for a meeting and of members' demands not met in time."""
    from gongzhi.deliberation import actions

    return {"bodies": actions.remind_overdue_bodies(), "demands": actions.remind_overdue_demands()}


@db_periodic_task(crontab(minute="*/30"))
@lock_task("deliberation-inquiries")
def deliberation_escalate_inquiries() -> int:
    """Escalate 问政·问需·问计 items the community has not answered in time to the street."""
    from gongzhi.deliberation import actions

    return actions.escalate_overdue_inquiries()


@db_periodic_task(crontab(minute="10", hour="0"))
@lock_task("deliberation-advance")
def deliberation_advance() -> dict[str, int]:
    """End public postings and evaluation periods that are over; close consultations past their date."""
    from gongzhi.deliberation import actions
    from gongzhi.deliberation.actions.participation import close_expired_consultations

    return {"resolutions": actions.advance_resolutions(), "consultations": close_expired_consultations()}
