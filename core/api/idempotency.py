"""Idempotency keys for API writes: a client that repeats a write with the same key gets the first answer.

A write can commit while its answer is lost (the connection drops at commit time, a proxy times out, the
database restarts): the client sees an error and cannot tell whether anything was saved. It repeats the
request with the same ``Idempotency-Key`` header; if the first one was committed, the stored answer is
replayed and nothing is written again; if it was not, the write happens now.

How, for a view method decorated with ``@idempotent``:

- the key row (user, path, key) is inserted first, in the same transaction as the write, and its answer is
  filled in before that transaction commits: the write and its key are committed together or not at all;
- a second request with the same key waits on the row's unique index until the first one ends, then finds
  the committed row and replays its answer (``Idempotent-Replayed: true``) — never a second write;
- the same key with a different body (or on a different path) is refused: 422 ``idempotency_key_reused``;
- only successful answers (2xx) are kept: after a 4xx nothing was written and the client may fix the request
  and send it again under the same key;
- keys are per user (anonymous requests ignore the header) and expire after ``IDEMPOTENCY_KEY_TTL_HOURS``;
  ``core.tasks.sweep_idempotency_keys`` deletes the expired ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.exceptions import DomainError
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as a header carries it

_H = TypeVar("_H", bound=Callable[..., Response])


class IdempotencyKeyReused(DomainError):
    """The key was already used for a different request (422)."""

    status_code = 422
    code = "idempotency_key_reused"


def idempotent(handler: _H) -> _H:
    """Make a DRF view method (``create`` or a POST action) honour the ``Idempotency-Key`` header."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            message = _("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")
            raise DomainError(message, fields={HEADER: [message]})
        return run_once(request, key, lambda: handler(view, request, *args, **kwargs))

    wrapper.idempotent = True  # type: ignore[attr-defined]  # read by core.api.schema.AutoSchema
    return cast(_H, wrapper)


def run_once(request: Request, key: str, write: Callable[[], Response]) -> Response:
    """Answer with the stored response of (user, path, key), or run `write` and store its answer with it."""
    user_id = cast(int, request.user.pk)  # the decorator lets only signed-in users through
    path = request.path
    fingerprint = _fingerprint(request)
    now = timezone.now()
    with transaction.atomic():
        # An expired key is forgotten here already, so its owner may use it again before the sweeper runs.
        IdempotencyKey.objects.filter(user_id=user_id, path=path, key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():  # a savepoint: a taken key must not spoil the transaction
                row = IdempotencyKey.objects.create(
                    user_id=user_id,
                    path=path,
                    key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                    expires_at=_expiry(now),
                )
        except IntegrityError:
            # The insert waited for the other request holding the key; it committed, so its answer is stored.
            stored = IdempotencyKey.objects.get(user_id=user_id, path=path, key=key)
            if stored.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    _(
                        "This Idempotency-Key was already used for a different request. "
                        "Send a new key with a new request."
                    )
                ) from None
            return Response(stored.response, status=stored.status_code, headers={REPLAYED_HEADER: "true"})
        response = write()
        if not 200 <= response.status_code < 300:
            # Nothing to replay: roll the key back with whatever the failed write did.
            transaction.set_rollback(True)
            return response
        row.status_code = response.status_code
        row.response = json.loads(json.dumps(response.data, cls=JSONEncoder))
        row.save(update_fields=["status_code", "response"])
    return response


def _expiry(now: Any) -> Any:
    return now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _fingerprint(request: Request) -> str:
    """A digest of the method and the body as parsed (files by name, size and content)."""
    data = request.data
    if isinstance(data, QueryDict):
        body: Any = {name: [_plain(v) for v in data.getlist(name)] for name in sorted(data.keys())}
    else:
        body = data
    raw = json.dumps([request.method, body], cls=JSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def sweep_expired(*, now: Any = None, batch: int = 1000) -> int:
    """Delete expired keys in batches; returns how many. Running it twice (or two beats at once) is harmless."""
    now = now or timezone.now()
    deleted = 0
    while True:
        ids = list(IdempotencyKey.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += IdempotencyKey.objects.filter(pk__in=ids).delete()[0]
