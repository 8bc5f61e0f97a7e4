from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from core import demo


class Command(BaseCommand):
    help = "Print where the platform answers and the demo log-ins of each portal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="The address the platform answers on.")

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        existing = set(
            get_user_model()
            .objects.filter(username__in=[x.username for x in demo.logins()])
            .values_list("username", flat=True)
        )
        rows = [(x.portal, x.username, str(x.sees)) for x in demo.logins() if x.username in existing]
        self.stdout.write(self.style.SUCCESS(f"Gongjian is running at {url}"))
        if not rows:
            self.stdout.write("No demo log-ins yet: run `manage.py seed_demo`.")
            return
        self.stdout.write(f"Demo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        widths = [max(len(r[i]) for r in [*rows, ("portal", "user", "")]) for i in range(2)]
        self.stdout.write(f"  {'portal'.ljust(widths[0])}  {'user'.ljust(widths[1])}  sees")
        for portal, username, sees in rows:
            self.stdout.write(f"  {portal.ljust(widths[0])}  {username.ljust(widths[1])}  {sees}")
