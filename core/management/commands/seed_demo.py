from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core import demo


class Command(BaseCommand):
    help = "Create the demo alliance, its partners, people and readers (every app's registered seeders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Do nothing if this database already holds the demo data."
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        started = time.monotonic()
        if not demo.seed(once=once):
            self.stdout.write("Demo data already present; nothing to do.")
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data seeded in {time.monotonic() - started:.1f} s."))
