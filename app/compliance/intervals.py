"""Sets of closed integer intervals, as sorted disjoint tuples."""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[int, int]
Intervals = tuple[Interval, ...]


def normalized(intervals: Iterable[Interval]) -> Intervals:
    """Sorted, merged, without empty intervals."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] <= i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def intersect(first: Intervals, second: Intervals) -> Intervals:
    """Points in both."""
    return normalized(
        (max(a, c), min(b, d)) for a, b in first for c, d in second if max(a, c) <= min(b, d)
    )


def remove_open(intervals: Intervals, start: int, end: int) -> Intervals:
    """``intervals`` without the open interval (start, end): its bounds stay allowed."""
    pieces: list[Interval] = []
    for a, b in intervals:
        pieces += [(a, min(b, start)), (max(a, end), b)] if start < b and end > a else [(a, b)]
    return normalized(pieces)
