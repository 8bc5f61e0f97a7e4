"""Serving a stored upload back to someone allowed to see it.

The stored name comes from the uploader (its extension is kept), so neither the name nor the extension is
trusted: the type is read from the file's first bytes, anything other than PDF, PNG or JPEG goes out as
``application/octet-stream``, and the file is always an attachment with a name we make up, so a browser
never renders an upload inline as a page of the application.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

SERVED_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def document_response(stored: FieldFile, stem: str) -> FileResponse:
    """``stored`` as a download named ``<stem>.<pdf|png|jpg|bin>``; 404 when there is no file (or it is gone)."""
    import filetype

    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    head = handle.read(262)
    handle.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None and kind.mime in SERVED_TYPES else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=f"{stem}.{SERVED_TYPES.get(mime, 'bin')}")
    response["Content-Type"] = mime
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
