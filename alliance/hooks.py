"""Guard hooks: facts the cycle needs but later apps own (signed contracts, risk pre-assessments).

``alliance`` may not import the apps built on top of it, so it names the check here and a later app
plugs its implementation in from its ``AppConfig.ready()``::

    from alliance import hooks
    hooks.register(hooks.RISK_PREASSESSED, lambda project: None if assessed(project) else _("..."))

A check returns ``None`` when the project passes, or a message saying what is missing. With no
check registered the guard refuses: a project must not enter development merely because the module
that would have said "no" is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Project

Check = Callable[["Project"], str | None]

CONTRACT_SIGNED = "contract_signed"
RISK_PREASSESSED = "risk_preassessed"
ALL = (CONTRACT_SIGNED, RISK_PREASSESSED)

_checks: dict[str, list[Check]] = {}


def _missing(hook: str) -> str:
    if hook == CONTRACT_SIGNED:
        return _("signed contract missing (agreements module not installed)")
    if hook == RISK_PREASSESSED:
        return _("risk pre-assessment missing (risk module not installed)")
    return _("%(hook)s missing (no check installed)") % {"hook": hook}


def register(hook: str, check: Check) -> None:
    """Plug a check into a hook; registering the same function twice has no effect."""
    checks = _checks.setdefault(hook, [])
    if check not in checks:
        checks.append(check)


def unregister(hook: str, check: Check) -> None:
    if check in _checks.get(hook, []):
        _checks[hook].remove(check)


def registered(hook: str) -> list[Check]:
    return list(_checks.get(hook, []))


def run(hook: str, project: Project) -> str | None:
    """The first failure of the hook's checks, or a "missing" message if nothing is registered."""
    checks = _checks.get(hook)
    if not checks:
        return _missing(hook)
    for check in checks:
        failure = check(project)
        if failure:
            return failure
    return None


def _passing(project: Project) -> str | None:
    return None


@contextmanager
def _replaced(names: tuple[str, ...], checks: list[Check]) -> Iterator[None]:
    saved = {name: _checks.get(name) for name in names}
    for name in names:
        _checks[name] = list(checks)
    try:
        yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                _checks.pop(name, None)
            else:
                _checks[name] = previous


def passing(*hooks: str) -> AbstractContextManager[None]:
    """Within the block the named hooks (default: all known) pass, as if their apps said yes.

    Any checks already registered are set aside for the block and put back after it. For tests and
    the demo seeder, whose projects have no contract or risk register of their own.
    """
    return _replaced(hooks or ALL, [_passing])


def cleared(*hooks: str) -> AbstractContextManager[None]:
    """Within the block the named hooks (default: all known) have no check, as before their apps exist."""
    return _replaced(hooks or ALL, [])


# --- listeners: later apps told about what happened in the cycle ---------------------------------------------
#
# A listener is called inside the writing service's transaction, after the row is saved: if it raises, the
# whole write is rolled back (the provider's answer and whatever the listener wrote stand or fall together).
# Listeners must be idempotent: they may be called again for the same correction (e.g. a retried request).
#
#     from alliance import hooks
#     hooks.listen(hooks.CORRECTION_ANSWERED, on_answered)   # on_answered(correction, actor) -> None

Listener = Callable[..., object]  # the return value is ignored

CORRECTION_ANSWERED = "correction_answered"  # the provider answered a correction request in its portal
CORRECTION_CLOSED = "correction_closed"  # the library verified the correction in a later trial

_listeners: dict[str, list[Listener]] = {}


def listen(event: str, listener: Listener) -> None:
    """Be called on ``event``; listening twice with the same function has no effect."""
    listeners = _listeners.setdefault(event, [])
    if listener not in listeners:
        listeners.append(listener)


def unlisten(event: str, listener: Listener) -> None:
    if listener in _listeners.get(event, []):
        _listeners[event].remove(listener)


def listeners(event: str) -> list[Listener]:
    return list(_listeners.get(event, []))


def emit(event: str, *args: object, **kwargs: object) -> None:
    """Call every listener of ``event`` in the order they registered."""
    for listener in list(_listeners.get(event, [])):
        listener(*args, **kwargs)
