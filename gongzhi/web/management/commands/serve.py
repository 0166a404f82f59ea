"""Serve Gongzhi: the web server (gunicorn) and the task consumer (Huey) side by side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _no_control_socket() -> list[str]:
    """Return the option that turns off gunicorn's control socket, where this gunicorn has one."""
    # Gunicorn 27 opens ~/.gunicorn/gunicorn.ctl by default: several servers on one machine would share it.
    import gunicorn

    return ["--no-control-socket"] if tuple(gunicorn.version_info) >= (27,) else []


class Command(BaseCommand):
    help = "Run the web server and the background task consumer together (Ctrl+C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GONGZHI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None, help="Port (default: $PORT or 8000).")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GONGZHI_WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("GONGZHI_WEB_THREADS", "4")))
        parser.add_argument("--no-tasks", action="store_true", help="Do not start the task consumer.")

    def handle(self, *args, **options):
        raw_port = options["port"] if options["port"] is not None else os.environ.get("PORT", "8000")
        try:
            port = int(raw_port)
            if not 1 <= port <= 65535:
                raise ValueError
        except ValueError:
            raise CommandError(f"PORT must be a number between 1 and 65535, got {raw_port!r}") from None
        host = options["host"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.settings"}
        children: list[subprocess.Popen] = []
        python = sys.executable
        if not options["no_tasks"]:
            children.append(subprocess.Popen([python, "-m", "django", "run_huey", "--quiet"], env=env))
        children.append(
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "gongzhi.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(options["workers"]),
                    "--threads",
                    str(options["threads"]),
                    "--access-logfile",
                    "-",
                    "--timeout",
                    "60",
                    *_no_control_socket(),
                ],
                env=env,
            )
        )
        time.sleep(1.5)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Gongzhi is running on http://{host}:{port}/"))
        self.stdout.write(
            f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} · "
            f"tasks: {'on' if not options['no_tasks'] else 'off'}"
        )
        call_command("demo", logins_only=True, stdout=self.stdout)
        self.stdout.write("Press Ctrl+C to stop.")

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            raise CommandError("a server process stopped unexpectedly; see the messages above")
