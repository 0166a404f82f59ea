"""Manage Open311 API keys: `open311_key add NAME --unit CODE`, `open311_key list`, `open311_key revoke PREFIX`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongzhi.lib.errors import DomainError
from gongzhi.open311 import keys
from gongzhi.open311.models import ApiKey
from gongzhi.units.models import Unit


class Command(BaseCommand):
    help = "Issue, list and revoke Open311 API keys (the key is printed once, at creation)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="Issue a key for a client application.")
        add.add_argument("name", help="Name of the client application, e.g. 市12345热线")
        add.add_argument("--unit", required=True, help="Statistical division code of the unit the key submits for")
        sub.add_parser("list", help="List keys (prefixes only).")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        actor = "manage.py open311_key"
        try:
            if options["verb"] == "add":
                unit = Unit.objects.filter(code=options["unit"]).first()
                if unit is None:
                    raise CommandError(f"no unit with code {options['unit']!r}")
                key, secret = keys.api_key_create(actor=actor, name=options["name"], unit=unit)
                self.stdout.write(self.style.SUCCESS(f"Issued key {key.prefix} for {key.name} ({unit.name})."))
                self.stdout.write("Give this key to the client; it is not shown again:")
                self.stdout.write(secret)
            elif options["verb"] == "list":
                for key in ApiKey.objects.select_related("unit"):
                    state = "revoked" if key.revoked_at else "active"
                    used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never"
                    self.stdout.write(f"{key.prefix}  {state:<8} {key.unit.code}  last used {used}  {key.name}")
            else:
                key = keys.api_key_revoke(actor=actor, prefix=options["prefix"])
                self.stdout.write(self.style.SUCCESS(f"Revoked key {key.prefix} ({key.name})."))
        except DomainError as exc:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from None
