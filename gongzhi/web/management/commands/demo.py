"""Load the demo district (idempotent) and print the demo sign-ins."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from gongzhi.notify.service import outside_channels_off
from gongzhi.web.demo import DEMO_PASSWORD, DEMO_USERS, load_foundation


def demo_loaders() -> list[tuple[str, object]]:
    """Return (app label, load function) for every app with a demo.py, in INSTALLED_APPS order."""
    loaders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi.") or config.label == "web":
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        loader = getattr(module, "load", None)
        if loader is not None:
            loaders.append((config.label, loader))
    return loaders


class Command(BaseCommand):
    help = "Create the demo district (units, departments, organizations, 500+ residents, a user per role)."

    def add_arguments(self, parser):
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo sign-ins.")
        parser.add_argument(
            "--no-logins", action="store_true", help="Do not print the sign-ins (make run prints them once serving)."
        )

    def handle(self, *args, **options):
        if not options["logins_only"]:
            self.stdout.write("Loading the demo district…")
            # Synthetic residents have no real phones or mailboxes: in-app notices only, no SMS or e-mail.
            with outside_channels_off():
                ctx = load_foundation(log=lambda msg: self.stdout.write(msg))
                for label, loader in demo_loaders():
                    self.stdout.write(f"Loading demo data for {label}…")
                    loader(ctx)
            self.stdout.write(self.style.SUCCESS("Demo district ready."))
        if not options["no_logins"]:
            self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for every account: {DEMO_PASSWORD})")
        width = max(len(u) for u, *_ in DEMO_USERS)
        for username, display, role, _node in DEMO_USERS:
            self.stdout.write(f"  {username.ljust(width)}  {role:<20} {display}")
        self.stdout.write("")
