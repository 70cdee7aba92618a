"""An agent's day in the formats people take with them: CSV, iCalendar, a printable page.
Each names the borrower (and phone) of a stop when the case gives one: personal data, for
the agent's own use."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import icalendar

from app.schemas import ItineraryOut, PlanResponse

CSV_COLUMNS = (
    "order", "case_id", "address", "lat", "lon", "arrival", "service_start", "service_end",
    "travel_seconds", "distance_meters", "visit_id", "borrower_name", "borrower_phone",
)  # fmt: skip
"""New columns go at the end: readers that take columns by position keep working."""
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PRINT_STYLE = (
    "body{font:14px sans-serif;margin:2em}table{border-collapse:collapse;width:100%}\n"
    "td,th{border:1px solid #999;padding:4px 6px;text-align:left}"
)
"""The printable page's one stylesheet, inline. The pages open that page from a Blob, where
their Content-Security-Policy applies: it allows this text by its hash (app/routes/pages.py)."""


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def day_csv(itinerary: ItineraryOut) -> str:
    """One row per stop, in visiting order; times local with offset."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for order, stop in enumerate(itinerary.stops, start=1):
        row = (
            order, stop.case_id, stop.address, stop.location.lat, stop.location.lon,
            stop.arrival.isoformat(), stop.service_start.isoformat(),
            stop.service_end.isoformat(), stop.travel_seconds, stop.distance_meters,
            stop.visit_id, stop.borrower_name, stop.borrower_phone,
        )  # fmt: skip
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def day_ics(itinerary: ItineraryOut) -> bytes:
    """One event per visit, from service start to end, with the address as location and
    the borrower, if known, in the summary and description."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Doorstep//home visits//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{itinerary.agent_id} {itinerary.date.isoformat()}")
    stamp = dt.datetime.now(dt.UTC)
    for stop in itinerary.stops:
        event = icalendar.Event()
        event.add("uid", f"{stop.visit_id}@doorstep")
        event.add("dtstamp", stamp)
        event.add("dtstart", stop.service_start.astimezone(dt.UTC))
        event.add("dtend", stop.service_end.astimezone(dt.UTC))
        who = f", {stop.borrower_name}" if stop.borrower_name else ""
        event.add("summary", f"Visit {stop.case_id}{who}")
        contact = [
            f"{label}: {value}"
            for label, value in (("Borrower", stop.borrower_name), ("Phone", stop.borrower_phone))
            if value
        ]
        if contact:
            event.add("description", "\n".join(contact))
        if stop.address:
            event.add("location", stop.address)
        event.add("geo", (stop.location.lat, stop.location.lon))
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def day_page(plan: PlanResponse, itinerary: ItineraryOut) -> str:
    """A printable page: the day's stops with times, addresses and borrowers, and the
    checklist."""

    def hhmm(instant: dt.datetime) -> str:
        return instant.strftime("%H:%M")

    rows = "\n".join(
        f"<tr><td>{n}</td><td>{hhmm(s.service_start)}-{hhmm(s.service_end)}</td>"
        f"<td>{html.escape(s.case_id)}</td><td>{html.escape(s.borrower_name or '')}</td>"
        f"<td>{html.escape(s.borrower_phone or '')}</td><td>{html.escape(s.address or '')}</td>"
        f"<td>{s.location.lat:.5f}, {s.location.lon:.5f}</td></tr>"
        for n, s in enumerate(itinerary.stops, start=1)
    )
    checklist = "".join(f"<li>{html.escape(item)}</li>" for item in plan.compliance.conduct)
    title = html.escape(f"{itinerary.agent_id}, {itinerary.date.isoformat()}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Day of {title}</title>
<style>{PRINT_STYLE}</style></head>
<body><h1>Day of {title}</h1>
<p>From {hhmm(itinerary.start_time)} to {hhmm(itinerary.end_time)},
{len(itinerary.stops)} visits, {itinerary.total_distance_meters / 1000:.1f} km.</p>
<table><thead><tr><th>#</th><th>Time</th><th>Case</th><th>Borrower</th><th>Phone</th>
<th>Address</th><th>Point</th></tr>
</thead><tbody>
{rows}
</tbody></table>
<h2>Conduct</h2><ul>{checklist}</ul>
</body></html>
"""
