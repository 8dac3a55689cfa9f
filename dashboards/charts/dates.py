"""Dates as the charts, their tables and the pages around them word them."""

from __future__ import annotations

import datetime

# Our own month names, not strftime("%b"): that follows the server's locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(day: datetime.date) -> str:
    """"5 Feb 2024", the same in any server locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
