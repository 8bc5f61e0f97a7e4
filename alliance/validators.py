"""Validation of what providers upload: deliverable files are checked by their content, not their name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from stakeholders.validators import ALLOWED_DOCUMENT_TYPES

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_DELIVERABLE_TYPES = {**ALLOWED_DOCUMENT_TYPES, "application/zip": "zip", DOCX: "docx", XLSX: "xlsx"}
MAX_DELIVERABLE_BYTES = 50 * 1024 * 1024


def validate_deliverable_file(upload: UploadedFile) -> None:
    """Accept PDF, PNG, JPEG, ZIP, DOCX or XLSX by their content, and at most 50 MB."""
    import filetype

    if upload.size and upload.size > MAX_DELIVERABLE_BYTES:
        raise ValidationError(_("The file is larger than 50 MB."), code="file_too_large")
    # Office files are zip archives; filetype tells them apart by the parts it finds near the start.
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_DELIVERABLE_TYPES:
        raise ValidationError(_("Only PDF, PNG, JPEG, ZIP, DOCX or XLSX files are accepted."), code="file_type")
