"""Re-encrypt identity numbers, mobile numbers and other encrypted fields with the current field key."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from gongzhi.lib import crypto
from gongzhi.lib.errors import DomainError
from gongzhi.people.actions import field_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the first key of GONGZHI_FIELD_KEY, so older keys can be "
        "retired. With --reindex, also recompute blind indexes (after changing GONGZHI_BLIND_INDEX_KEY or "
        "removing the oldest key)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reindex", action="store_true", help="Recompute blind indexes as well.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, **options):
        interactive = sys.stdout.isatty()
        self.stdout.write(f"Current field key: {crypto.current_key_id()}")

        def progress(label: str, done: int, total: int) -> None:
            line = f"  {label}: {done:,}/{total:,}"
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
            else:
                self.stdout.write(line)

        try:
            counts = field_keys_rotate(reindex=options["reindex"], batch_size=options["batch_size"], progress=progress)
        except DomainError as exc:
            raise CommandError(str(exc.fields or exc.message)) from None
        except ValueError as exc:  # a value under a key that is no longer configured
            raise CommandError(f"cannot decrypt a stored value: {exc}") from None
        if interactive:
            self.stdout.write("")
        for label, changed in counts.items():
            self.stdout.write(f"{label}: {changed:,} rows rewritten")
        self.stdout.write(
            self.style.SUCCESS(f"Done: {sum(counts.values()):,} rows now use key {crypto.current_key_id()}.")
        )
