"""What the browser stories share: screenshots in both languages, switching user, submitting a form."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def screenshots(page: Any, directory: str, name: str) -> None:
    """Save the current page in English and Chinese as <directory>/<name>-<lang>.png (nothing when directory is
    empty: each module reads its own <AREA>_SHOTS variable). The page is left in Chinese, the suite's default."""
    if not directory:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh-hans"):
        page.context.add_cookies([{"name": "django_language", "value": lang, "url": page.base_url}])
        page.reload()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{directory}/{name}-{lang}.png", full_page=True)


def as_user(page: Any, sign_in: Any, user: Any) -> None:
    """Sign out whoever is signed in and sign in as user."""
    page.context.clear_cookies()
    sign_in(page, user)


def submit(page: Any, form: str) -> None:
    """Click the submit button of the form matched by the CSS selector and wait for the next page."""
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")
