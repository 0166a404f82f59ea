"""Appends from concurrent transactions stay one unbroken chain (the chain head serializes them)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from gongzhi.audit.chain import record, verify
from gongzhi.audit.models import AuditEvent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_keep_the_chain_whole():
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for n in range(15):
                with transaction.atomic():
                    record(actor=None, action=f"test.{name}", changes={"n": n})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 31))
    result = verify()
    assert result.ok and result.checked == 30
