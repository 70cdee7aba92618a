"""Spreadsheets in: a CSV or Excel file read into rows for the column-mapping step."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel

from app.access import PlannerRole
from app.errors import PlanInputError
from app.tables import TableError, read_table

router = APIRouter(tags=["imports"])
MAX_BYTES = 5_000_000


class TableOut(BaseModel):
    """A file's first sheet: its header row and the rows below it, as text."""

    sheet: str | None
    headers: list[str]
    rows: list[list[str]]


@router.post("/imports/table", responses={422: {"description": "Not a readable table."}})
async def import_table(_: PlannerRole, file: Annotated[UploadFile, File()]) -> TableOut:
    """Read a .csv or .xlsx file of cases or agents. Nothing is stored: the page maps the
    columns to fields and posts the plan."""
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise PlanInputError(("file",), f"the file is larger than {MAX_BYTES} bytes")
    try:
        table = read_table(file.filename or "", content)
    except TableError as exc:
        raise PlanInputError(("file",), str(exc)) from exc
    return TableOut(sheet=table.sheet, headers=table.headers, rows=table.rows)
