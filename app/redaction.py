"""Personal data kept out of the logs: a filter that blanks what looks like a phone number,
an e-mail address or an IBAN in every record, as a second line behind never logging request
contents in the first place."""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(r"(?<![\w.:-])\+?\d[\d ()/-]{6,}\d(?![\w.:-])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses and IBANs blanked (ISO dates stay)."""
    text = _IBAN.sub(REDACTED, _EMAIL.sub(REDACTED, text))
    return _PHONE.sub(lambda m: m[0] if _DATE.fullmatch(m[0]) else REDACTED, text)


class PersonalDataFilter(logging.Filter):
    """Rewrites each record's message (arguments merged in) and exception text redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = redact(message), None
        return True
