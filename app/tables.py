"""Spreadsheets in: a CSV or Excel (.xlsx) file read as a header row and text rows, for the
dashboard's column-mapping step. Values are only read, never evaluated."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl

MAX_ROWS = 10_000
MAX_COLUMNS = 100


class TableError(ValueError):
    """A file that is not a readable table."""


@dataclass(frozen=True, slots=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    sheet: str | None = None


def read_table(filename: str, content: bytes) -> Table:
    """The first sheet of an .xlsx, or a CSV (UTF-8, comma or semicolon separated).

    Raises
    ------
    TableError
        If the file is neither, is empty, or is larger than the limits.
    """
    if filename.lower().endswith(".xlsx"):
        table = _read_xlsx(content)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _read_csv(content)
    else:
        msg = "expected a .csv or .xlsx file"
        raise TableError(msg)
    if not table.headers:
        msg = "the file has no header row"
        raise TableError(msg)
    if len(table.headers) > MAX_COLUMNS or len(table.rows) > MAX_ROWS:
        msg = f"at most {MAX_ROWS} rows of {MAX_COLUMNS} columns"
        raise TableError(msg)
    return table


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = "the CSV file is not UTF-8 text"
        raise TableError(msg) from exc
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    lines = [row for row in csv.reader(io.StringIO(text), delimiter=dialect) if any(row)]
    if not lines:
        return Table([], [])
    return Table([h.strip() for h in lines[0]], [[c.strip() for c in row] for row in lines[1:]])


def _read_xlsx(content: bytes) -> Table:
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        msg = "the file is not an Excel workbook (.xlsx)"
        raise TableError(msg) from exc
    try:
        sheet = book.worksheets[0]
        lines = [
            [_text(value) for value in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
            if any(value is not None for value in row)
        ]
        title = sheet.title
    finally:
        book.close()
    if not lines:
        return Table([], [], title)
    width = max(len(line) for line in lines)
    lines = [line + [""] * (width - len(line)) for line in lines]
    return Table(lines[0], lines[1:], title)


def _text(value: object) -> str:
    """A cell as the text a planner would type: times as HH:MM, dates as YYYY-MM-DD, whole
    numbers without a decimal point."""
    match value:
        case None:
            return ""
        case dt.datetime():
            if value.time() == dt.time():
                return value.date().isoformat()
            return value.isoformat(timespec="minutes")
        case dt.time():
            return value.strftime("%H:%M")
        case dt.date():
            return value.isoformat()
        case float() if value.is_integer():
            return str(int(value))
    return str(value).strip()
