"""CSV and XLSX downloads of any table: a queryset (or list) of rows and the columns to show.

CSV starts with a UTF-8 byte-order mark so that Excel on Chinese Windows opens it as UTF-8 rather than
GBK. Cells that a spreadsheet would run as a formula are prefixed with a quote (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column of an export: its (translatable) header and how to read the cell from a row."""

    header: Any
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        obj = row
        for part in self.value.split("."):
            if obj is None:
                return None
            obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part)
            if callable(obj):
                obj = obj()
        return obj


def requested_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("export", "")
    return fmt if fmt in FORMATS else None


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | date):
        return value
    return force_str(value)


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows(rows: Iterable[Any], columns: Sequence[Column]) -> Iterable[list[Any]]:
    for row in rows:
        yield [_safe_text(_plain(col.read(row))) for col in columns]


def to_csv(rows: Iterable[Any], columns: Sequence[Column]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([force_str(c.header) for c in columns])
    for values in _rows(rows, columns):
        writer.writerow(["" if v is None else (v.isoformat(sep=" ") if isinstance(v, datetime) else v) for v in values])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Iterable[Any], columns: Sequence[Column], title: str = "Export") -> bytes:
    # Write-only mode streams rows instead of holding a cell object per value.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    header = []
    for col in columns:
        cell = WriteOnlyCell(sheet, value=force_str(col.header))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in _rows(rows, columns):
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(rows: Iterable[Any], columns: Sequence[Column], *, filename: str, fmt: str) -> HttpResponse:
    """The download of ``rows`` as ``fmt`` ("csv" or "xlsx") named ``filename`` plus the date."""
    stem = f"{filename}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(rows, columns, title=filename), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return response
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    response = HttpResponse(to_csv(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response
