"""A small fake Nominatim for tests, served on 127.0.0.1: a house, a street, nothing, or a
server error, depending on the query."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOUSE = {
    "place_id": 1,
    "lat": "47.1381654",
    "lon": "9.5227332",
    "display_name": "43, Städtle, Vaduz, 9490, Liechtenstein",
    "class": "building",
    "type": "house",
    "place_rank": 30,
    "importance": 0.2,
    "address": {"house_number": "43", "road": "Städtle", "postcode": "9490"},
}
STREET = {**HOUSE, "class": "highway", "type": "residential", "place_rank": 26, "address": {}}


class Requests:
    """What the fake server was asked, with the monotonic time of each request."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, dict[str, list[str]]]] = []
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.seen)


def _handler(requests: Requests) -> type[BaseHTTPRequestHandler]:
    class FakeNominatim(BaseHTTPRequestHandler):
        """Answers /search like Nominatim: a house, a street, nothing, or a server error."""

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = parse_qs(url.query)
            with requests.lock:
                requests.seen.append((time.monotonic(), url.path, params))
            query = " ".join(params.get("q", params.get("street", [""])))
            if url.path != "/search":
                self._send(404, [])
            elif "boom" in query:
                self._send(500, {"error": "internal"})
            elif "nowhere" in query:
                self._send(200, [])
            else:
                self._send(200, [STREET if "street only" in query else HOUSE])

        def _send(self, status: int, body: object) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    return FakeNominatim


@contextmanager
def fake_nominatim() -> Iterator[tuple[str, Requests]]:
    """A fake Nominatim on a free port of 127.0.0.1; yields its URL and its request log."""
    requests = Requests()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(requests))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
