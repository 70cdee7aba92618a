"""Splitting an address into street, house number, postcode and town.

Free text comes in many layouts: "Städtle 43, 9490 Vaduz", "Städtle 43 9490 Vaduz", "Städtle
43", "350 5th Avenue, New York, NY 10014". Commas, where given, separate the street from the
locality. Without them, where the street ends and the town begins is found with the index's
vocabulary of known street and town keys, when one is supplied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from geo.geocoding.model import StructuredAddress
from geo.geocoding.normalize import street_key, town_key

_NUMBER_TAIL = r"(?:\s?[-\u2013]\s?\d{1,6}[a-zA-Z]?)?(?:\s[13]/[24])?(?:\s(?i:rear)(?:-[a-zA-Z])?)?"
_NUMBER = rf"\d{{1,6}}(?:\s?[a-zA-Z](?=[\s,]|$))?{_NUMBER_TAIL}"
_NUMBER_GLUED = rf"\d{{1,6}}(?:[a-zA-Z](?=[\s,]|$))?{_NUMBER_TAIL}"
"""A house number written first: a letter after a space is a direction ("132 W 10th St")."""
_NUMBER_FIRST = re.compile(rf"^(?P<number>{_NUMBER_GLUED})\s+(?P<words>.*\S)$")
_PRIME_AFTER_DIGIT = re.compile(r"(?<=\d)['\u2019]")
_NUMBER_AFTER = re.compile(rf"^(?P<street>\D.*?)\s+(?P<number>{_NUMBER})(?:\s+(?P<rest>.*))?$")
_POSTCODE = re.compile(r"(?<![\w-])(?:[a-zA-Z]{1,2}-)?(?P<code>\d{4,5})(?:-\d{4})?(?!\w)")
_POSTCODE_LIKE = re.compile(r"^\d{4,5}$")


@dataclass(frozen=True, slots=True)
class AddressQuery:
    """The parts of "street housenumber, postcode town"; any may be missing."""

    street: str | None
    housenumber: str | None
    postcode: str | None
    town: str | None


class Vocabulary(Protocol):
    """The names a region knows, by matching key (see :mod:`geo.geocoding.normalize`)."""

    def is_street(self, key: str) -> bool:
        """Whether a street of the region has this key."""
        ...

    def is_town(self, key: str) -> bool:
        """Whether a town, village or municipality of the region has this key."""
        ...


def parse_address(query: str, vocabulary: Vocabulary | None = None) -> AddressQuery | None:
    """Split a free-text address into its parts.

    Parameters
    ----------
    query
        The address as typed, European ("street number, postcode town") or US ("number
        street, town, state postcode") order, with or without commas.
    vocabulary
        The region's known names. Without it, text without commas is all street.

    Returns
    -------
    AddressQuery or None
        ``None`` if ``query`` is blank.
    """
    parts = [" ".join(part.split()) for part in _PRIME_AFTER_DIGIT.sub("", query).split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return None
    head, tail = parts[0], " ".join(parts[1:])
    number_first = _NUMBER_FIRST.match(head)
    number_after = _NUMBER_AFTER.match(head)
    if number_first is not None and not _POSTCODE_LIKE.match(head.split()[0]):
        number, words, rest = number_first["number"], number_first["words"], ""
    elif number_after is not None:
        number, words, rest = number_after["number"], number_after["street"], number_after["rest"]
    elif number_first is not None:
        # "9490 Vaduz": a postcode first; the words may still be a street ("9490 Städtle 43").
        number, words, rest = number_first["number"], number_first["words"], ""
    else:
        number, words, rest = None, head, ""
    postcode, town = _locality(" ".join(p for p in (rest or "", tail) if p))
    only_postcode = _POSTCODE.fullmatch(words) if number is None else None
    if only_postcode is not None:
        # "9490" or "9490, Vaduz": a postcode, no street.
        return AddressQuery(None, None, only_postcode["code"], town)
    if tail or rest:
        street: str | None = words
    else:
        street, town_in_words, postcode_in_words = _split_street_and_town(words, vocabulary)
        town = town or town_in_words
        postcode = postcode or postcode_in_words
    number_is_postcode = number is not None and _POSTCODE_LIKE.match(number) is not None
    if (
        street is not None
        and vocabulary is not None
        and (number is None or number_is_postcode)
        and _is_only_a_town(street, vocabulary)
    ):
        # "Vaduz", "9490 Vaduz", "Schaan 9494": a place, no street.
        town = town or street
        street = None
        if number is not None:
            postcode, number = postcode or number, None
    return AddressQuery(street=street, housenumber=number, postcode=postcode, town=town)


def _is_only_a_town(words: str, vocabulary: Vocabulary) -> bool:
    key = town_key(words)
    return vocabulary.is_town(key) and not vocabulary.is_street(street_key(words))


def _locality(text: str) -> tuple[str | None, str | None]:
    """Postcode and town of "9490 Vaduz", "Vaduz", "NY 10014", "FL-9490 Vaduz"."""
    postcode = _POSTCODE.search(text)
    if postcode is None:
        return None, " ".join(text.split()) or None
    town = " ".join((text[: postcode.start()] + " " + text[postcode.end() :]).split())
    return postcode["code"], town or None


def _split_street_and_town(
    words: str, vocabulary: Vocabulary | None
) -> tuple[str, str | None, str | None]:
    """Street, town and postcode of comma-less words: "5th Avenue New York NY 10014"."""
    postcode: str | None = None
    tokens = words.split()
    if len(tokens) > 1 and _POSTCODE.fullmatch(tokens[-1]):
        postcode = _POSTCODE.fullmatch(tokens[-1])["code"]  # type: ignore[index]
        tokens = tokens[:-1]
    if vocabulary is None or len(tokens) < 2:
        return " ".join(tokens), None, postcode
    for end in range(len(tokens), 0, -1):
        if vocabulary.is_street(street_key(" ".join(tokens[:end]))):
            return " ".join(tokens[:end]), " ".join(tokens[end:]) or None, postcode
    for start in range(1, len(tokens)):
        if vocabulary.is_town(town_key(" ".join(tokens[start:]))):
            return " ".join(tokens[:start]), " ".join(tokens[start:]), postcode
    return " ".join(tokens), None, postcode


def from_structured(address: StructuredAddress) -> AddressQuery | None:
    """The query of an address given by parts; ``None`` if every part is blank.

    A street that carries its number ("Städtle 43") with no separate number is split.
    """
    street = _blank_to_none(address.street)
    number = _blank_to_none(address.housenumber)
    if street is not None and number is None:
        split = _NUMBER_AFTER.match(street)
        if split is not None and not split["rest"]:
            street, number = split["street"], split["number"]
    postcode = _blank_to_none(address.postcode)
    if postcode is not None:
        found = _POSTCODE.search(postcode)
        postcode = found["code"] if found else postcode
    city = _blank_to_none(address.city)
    if street is None and number is None and postcode is None and city is None:
        return None
    return AddressQuery(street=street, housenumber=number, postcode=postcode, town=city)


def _blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(text.split()) or None
