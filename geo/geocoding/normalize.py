"""Matching keys for names and house numbers, so that spellings of one name meet.

A key is what two spellings of a name have in common once case, accents, umlauts, punctuation,
spacing and common abbreviations are taken out: "Dominik Banzer-Strasse", "dominik
banzerstr." and "DOMINIK-BANZER-STRASSE" share one key. Keys are internal (never shown); the
index keeps the names as mapped for labels. Both the extract's names and the queries go
through the same functions, so a folding that merges two real names (ä, ae and a are one)
costs at most an ambiguity, never a miss.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PARENTHESISED = re.compile(r"\([^)]*\)")
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
"""German umlauts written without the dots ("Aeule" for "Äule") fold like the dotted ones."""

_ANY_POSITION = {
    "str": "strasse",
    "ave": "avenue",
    "av": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "ln": "lane",
    "pkwy": "parkway",
    "hwy": "highway",
    "sq": "square",
    "ter": "terrace",
    "pl": "place",
    "ct": "court",
    "cir": "circle",
    "expy": "expressway",
    "tpke": "turnpike",
    "hts": "heights",
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "sankt": "saint",
}
"""Abbreviations with one meaning wherever they stand in a street name."""

_LAST_POSITION = {"st": "street", "dr": "drive"}
"""Abbreviations that are a street type at the end and a title at the start ("St. Martins",
"Dr. Josef Hoop-Str.")."""

_FIRST_POSITION = {"st": "saint"}

_ORDINAL_WORDS = {
    word: f"{n}{_suffix}"
    for n, word, _suffix in (
        (1, "first", "st"),
        (2, "second", "nd"),
        (3, "third", "rd"),
        (4, "fourth", "th"),
        (5, "fifth", "th"),
        (6, "sixth", "th"),
        (7, "seventh", "th"),
        (8, "eighth", "th"),
        (9, "ninth", "th"),
        (10, "tenth", "th"),
        (11, "eleventh", "th"),
        (12, "twelfth", "th"),
    )
}

_GLUED_STRASSE = "str"
"""A word ending in "str" is an abbreviated "-strasse" ("Landstr." is "Landstrasse")."""


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text``, accents and ß spelt out.

    "Städtle" -> "stadtle", "Straße" -> "strasse", "Crème" -> "creme"; anything that is not a
    letter or digit becomes a space.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_ALNUM.sub(" ", stripped).split())


def _fold_digraphs(token: str) -> str:
    for digraph, letter in _DIGRAPHS:
        token = token.replace(digraph, letter)
    return token


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _expand(token: str, position: int, count: int) -> str:
    if count > 1 and position == count - 1 and token in _LAST_POSITION:
        return _LAST_POSITION[token]
    if count > 1 and position == 0 and token in _FIRST_POSITION:
        return _FIRST_POSITION[token]
    if token in _ANY_POSITION and (count > 1 or len(token) > 1):
        return _ANY_POSITION[token]
    if token in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[token]
    if token.isdigit() and count > 1:
        # "W 11 St" is "West 11th Street"; only US street names carry bare numbers.
        return _ordinal(int(token))
    if len(token) > len(_GLUED_STRASSE) and token.endswith(_GLUED_STRASSE):
        return token + "asse"
    return token


def street_key(name: str) -> str:
    """The matching key of a street name: folded, abbreviations spelt out, no spaces.

    Examples
    --------
    >>> street_key("Dominik Banzer-Str.") == street_key("dominik banzerstrasse")
    True
    >>> street_key("W 11th St") == street_key("West 11th Street")
    True
    """
    tokens = fold(name).split()
    return "".join(
        _fold_digraphs(_expand(token, idx, len(tokens))) for idx, token in enumerate(tokens)
    )


def spelling_key(name: str) -> str:
    """A street name's key for forgiving typos: like :func:`street_key`, but "ae", "oe" and
    "ue" are kept, so a typo next to them ("Avence" for "Avenue") stays one edit."""
    tokens = fold(name).split()
    return "".join(_expand(token, idx, len(tokens)) for idx, token in enumerate(tokens))


def literal_key(name: str) -> str:
    """A street name's folded letters as written, abbreviations unexpanded ("stmartinsring"),
    so a typo in an abbreviation ("Vt. Martins-Ring") is still one edit away."""
    return "".join(fold(name).split())


def town_key(name: str) -> str:
    """The matching key of a town name; a bracketed note ("Balzers (FL)") is dropped."""
    return "".join(_fold_digraphs(token) for token in fold(_PARENTHESISED.sub(" ", name)).split())


def town_words(text: str) -> list[str]:
    """The folded words of a town text, each a key, for finding a known town among them."""
    return [_fold_digraphs(token) for token in fold(_PARENTHESISED.sub(" ", text)).split()]


@dataclass(frozen=True, slots=True, order=True)
class HouseNumber:
    """A house number as matched: the number and a suffix ("14a" is 14 and "a").

    A range ("71-75") keeps its last number in ``last``; a single number has ``last`` equal
    to ``number``.
    """

    number: int
    suffix: str = ""
    last: int | None = None

    @property
    def key(self) -> tuple[int, str]:
        """What two spellings of one house number share ("71-75" keeps its range)."""
        return (self.number, self.suffix if self.last is None else f"-{self.last}")

    def numbers_of_range(self) -> list[int]:
        """Every number a range stands for, on its side of the street when both ends are.

        "3-7" is 3, 5 and 7 (one side); "4-7" is 4 to 7. A single number is itself.
        """
        if self.last is None or self.last <= self.number:
            return [self.number]
        step = 2 if (self.last - self.number) % 2 == 0 else 1
        return list(range(self.number, self.last + 1, step))[:MAX_RANGE_NUMBERS]


MAX_RANGE_NUMBERS = 12
"""A range longer than this is taken as a data error beyond its first numbers."""

_HOUSE_NUMBER = re.compile(
    r"^(?P<number>\d{1,6})\s*(?:(?P<fraction>1/2|1/4|3/4)|(?P<suffix>[a-z]{1,6})?"
    r"(?:\s*[-/]\s*(?P<tail>\d{1,6}|[a-z]{1,2}))?)\s*$"
)


def parse_housenumber(text: str) -> HouseNumber | None:
    """Read one house number: "14", "14a", "14 A", "71-75", "78 1/2", "693 Rear".

    Returns
    -------
    HouseNumber or None
        ``None`` if ``text`` does not start with a number.
    """
    cleaned = " ".join(unicodedata.normalize("NFKC", text).casefold().replace("'", "").split())
    match = _HOUSE_NUMBER.match(cleaned)
    if match is None:
        leading = re.match(r"^(\d{1,6})\s*(.*)$", cleaned)
        if leading is None:
            return None
        # Anything after the number ("693 REAR-A") is kept as a suffix without punctuation.
        return HouseNumber(int(leading[1]), _NON_ALNUM.sub("", leading[2]))
    number = int(match["number"])
    if match["fraction"]:
        return HouseNumber(number, match["fraction"])
    suffix = match["suffix"] or ""
    tail = match["tail"]
    if tail is None:
        return HouseNumber(number, suffix)
    if tail.isdigit():
        last = int(tail)
        if last > number and not suffix:
            return HouseNumber(number, "", last)
        return HouseNumber(number, suffix)
    return HouseNumber(number, suffix + tail)


def parse_housenumbers(text: str) -> list[HouseNumber]:
    """The house numbers a mapped ``addr:housenumber`` value lists ("76, 76a, 76b").

    A range ("3-7") stays one :class:`HouseNumber`; see :meth:`HouseNumber.numbers_of_range`.
    """
    parsed = (parse_housenumber(part) for part in re.split(r"[,;]", text))
    return list(dict.fromkeys(number for number in parsed if number is not None))
