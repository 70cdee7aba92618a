"""Reading cases and agents from CSV and Excel files for the dashboard's mapping step."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from fastapi.testclient import TestClient


def test_an_excel_sheet_becomes_headers_and_text_rows(client: TestClient) -> None:
    """Times read as HH:MM, dates as YYYY-MM-DD, whole numbers without ".0"; empty rows
    skipped."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cases"
    sheet.append(["Case", "Address", "From", "Minutes", "Due"])
    sheet.append(["C-1", "Am Widagraba 7, 9490 Vaduz", dt.time(9, 30), 20.0, dt.date(2026, 12, 1)])
    sheet.append([None, None, None, None, None])
    sheet.append(["C-2", "Landstrasse 117, 9490 Vaduz", "14:00", 15, None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post("/imports/table", files={"file": ("cases.xlsx", buffer.getvalue())})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "sheet": "Cases",
        "headers": ["Case", "Address", "From", "Minutes", "Due"],
        "rows": [
            ["C-1", "Am Widagraba 7, 9490 Vaduz", "09:30", "20", "2026-12-01"],
            ["C-2", "Landstrasse 117, 9490 Vaduz", "14:00", "15", ""],
        ],
    }


def test_a_csv_with_semicolons_and_quotes(client: TestClient) -> None:
    content = 'id;address;service_minutes\nC-1;"Städtle 43; Vaduz";20\n\nC-2;x;5\n'.encode()
    response = client.post("/imports/table", files={"file": ("cases.csv", content)})
    assert response.json() == {
        "sheet": None,
        "headers": ["id", "address", "service_minutes"],
        "rows": [["C-1", "Städtle 43; Vaduz", "20"], ["C-2", "x", "5"]],
    }


def test_files_that_are_not_tables_are_422(client: TestClient) -> None:
    for name, content in [
        ("cases.pdf", b"%PDF-1.4"),
        ("cases.xlsx", b"not a zip"),
        ("cases.csv", b"\xff\xfe\x00bad"),
        ("cases.csv", b""),
    ]:
        response = client.post("/imports/table", files={"file": (name, content)})
        assert response.status_code == 422, name
        assert response.json()["detail"][0]["loc"] == ["body", "file"]
