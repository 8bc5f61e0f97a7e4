"""Validation of Chinese identifiers and uploaded files."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters; the last is a check character over the first 17.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        raise ValidationError(
            _("A unified social credit code has 18 characters (digits and capital letters, without I, O, S, V, Z)."),
            code="uscc_format",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("This unified social credit code's check character is wrong."), code="uscc_check")


ALLOWED_DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def validate_document(upload: UploadedFile) -> None:
    """Accept PDF, PNG or JPEG by their content, not by their name, and at most 10 MB."""
    import filetype

    if upload.size and upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="file_too_large")
    head = upload.read(262)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_DOCUMENT_TYPES:
        raise ValidationError(_("Only PDF, PNG or JPEG files are accepted."), code="file_type")
