"""Every API operation has permission tests for anonymous, unrelated, member and manager (see tests/permissions.py).

The ``covers()`` marks are recorded when pytest imports the test modules, so the full check needs them all:
it runs when the whole suite (or the whole ``tests/`` directory) is collected. A partial run (``pytest
tests/stakeholders tests/test_permission_coverage.py``) checks only the operations that some collected test
already marks, so a helper can check their own app's coverage before the full run.
"""

from __future__ import annotations

from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

from tests.permissions import COVERED, METHODS, ROLES

TESTS_DIR = Path(__file__).resolve().parent


def _whole_suite_collected(config) -> bool:
    base = Path(config.invocation_params.dir)
    for arg in config.args:
        path = (base / arg.split("::")[0]).resolve()
        if path == TESTS_DIR or path in TESTS_DIR.parents:
            return True
    return False


def _schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method.upper() in METHODS
    }


def test_every_api_operation_is_tested_for_every_role(request):
    operations = _schema_operations()
    if not _whole_suite_collected(request.config):
        operations &= set(COVERED)
    missing = [
        f"{op}: lacks {', '.join(role for role in ROLES if role not in COVERED.get(op, set()))}"
        for op in sorted(operations)
        if set(ROLES) - COVERED.get(op, set())
    ]
    assert not missing, "API operations without permission tests (mark them with tests.permissions.covers):\n" + (
        "\n".join(missing)
    )


def test_every_covers_mark_names_a_real_operation():
    stale = sorted(set(COVERED) - _schema_operations())
    assert not stale, "covers() names operations the schema does not have:\n" + "\n".join(stale)
