"""Walk the audit chain and name the first broken event."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from gongzhi.audit.chain import verify


class Command(BaseCommand):
    help = "Verify the hash chain of audit events; exits 1 and names the first broken event when it does not hold."

    def handle(self, *args, **options):
        def progress(count: int) -> None:
            if sys.stderr.isatty():
                self.stderr.write(f"\r  checked {count:,} events", ending="")

        result = verify(progress=progress)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked:,} events verified."))
            return
        raise CommandError(
            f"Audit chain broken at event #{result.broken_seq}: {result.reason}. "
            f"{result.checked:,} events before it are intact."
        )
