"""Which API operations have permission tests, and for which roles.

Every operation in the OpenAPI schema must be tested for four roles:

- ``anonymous``: no credentials (401, or the answer of a public endpoint);
- ``unrelated``: someone acting for an organisation with no tie to the object (404 / absent from lists
  where the object is scoped; 403 and nothing changed where the object is in a public directory);
- ``member``: an ordinary member of the owning organisation (reads allowed; manager-only writes 403);
- ``manager``: a manager (or owner) of the owning organisation (allowed).

Mark each test with the operations and roles it checks, using the schema's own path template::

    @covers("PATCH /api/v1/organizations/{id}/", "member", "manager")
    def test_member_cannot_change_organisation_but_manager_can(...): ...

``tests/test_permission_coverage.py`` imports every test module under ``tests/`` (so the answer does not
depend on which files pytest collected), generates the schema and fails listing each operation that lacks
a role, and each ``covers`` naming an operation the schema does not have. An app that adds endpoints adds
its own ``covers`` in its own tests.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

ROLES = ("anonymous", "unrelated", "member", "manager")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

COVERED: dict[str, set[str]] = defaultdict(set)

_F = TypeVar("_F", bound=Callable[..., Any])
_OPERATION = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/\S*)$")


def covers(operation: str, *roles: str) -> Callable[[_F], _F]:
    """Record that the decorated test checks ``operation`` ("METHOD /path/{id}/") for ``roles``."""
    match = _OPERATION.match(operation)
    if match is None or match["method"] not in METHODS:
        raise ValueError(f"covers() wants 'METHOD /path/', got {operation!r}")
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"covers() roles must be among {ROLES}, got {roles!r}")
    COVERED[operation].update(roles)

    def mark(test: _F) -> _F:
        return test

    return mark
