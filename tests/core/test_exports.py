"""CSV and XLSX exports of any rows and columns."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import Column, export_response, to_csv, to_xlsx
from stakeholders.models import Organization

COLUMNS = [Column("名称", "name"), Column("Count", lambda row: row["n"]), Column("Nested", "a.b")]
ROWS = [{"name": "浙江图书馆", "n": 3, "a": {"b": "x"}}, {"name": "=HYPERLINK(1)", "n": 0, "a": None}]


def test_csv_starts_with_a_bom_so_excel_reads_chinese():
    data = to_csv(ROWS, COLUMNS)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "名称,Count,Nested"
    assert "浙江图书馆,3,x" in text


def test_csv_neutralises_formulas():
    text = to_csv(ROWS, COLUMNS).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_xlsx_has_a_bold_header_and_typed_cells():
    wb = load_workbook(io.BytesIO(to_xlsx(ROWS, COLUMNS, title="机构")))
    sheet = wb.active
    assert sheet.title == "机构"
    assert [c.value for c in sheet[1]] == ["名称", "Count", "Nested"]
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "浙江图书馆" and sheet["B2"].value == 3
    assert sheet["A3"].value == "'=HYPERLINK(1)"


def test_xlsx_writes_aware_datetimes_in_local_time():
    moment = timezone.make_aware(datetime(2026, 1, 2, 3, 4, 5), timezone.get_current_timezone())
    wb = load_workbook(io.BytesIO(to_xlsx([{"t": moment}], [Column("t", "t")])))
    assert wb.active["A2"].value == datetime(2026, 1, 2, 3, 4, 5)


@pytest.mark.django_db
def test_export_response_reads_a_queryset_with_display_methods(library):
    qs = Organization.objects.filter(pk=library.pk)
    response = export_response(qs, [Column("kind", "get_kind_display")], filename="orgs", fmt="csv")
    assert response["Content-Disposition"].startswith('attachment; filename="orgs-')
    assert response.content.decode("utf-8-sig").splitlines()[1] in ("Library", "图书馆")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        export_response([], COLUMNS, filename="x", fmt="pdf")
