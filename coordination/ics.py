"""iCalendar (RFC 5545) text for meetings, written by hand: escaping, CRLF line ends and 75-octet folding.

A series is one VEVENT with an RRULE (its first meeting's UID stands for the series), so calendar apps
show the occurrences without the feed repeating them; single meetings are one VEVENT each. Times are in
UTC ("Z"): every calendar app converts them, and no VTIMEZONE block has to be kept in step with tzdata.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from .choices import MeetingStatus, Recurrence
from .models import Meeting

PRODID = "-//Gongjian//Coordination//ZH"


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never splitting a UTF-8 character."""
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
            limit = 74  # continuation lines start with one space
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(meeting: Meeting) -> str:
    host = getattr(settings, "ICS_UID_DOMAIN", "gongjian.local")
    return f"meeting-{meeting.pk}@{host}"


def _event(meeting: Meeting, url: str, *, rrule: str = "", method: str = "") -> list[str]:
    location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    description = "\n".join(x for x in (meeting.description, url) if x)
    status = "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(meeting)}",
        f"DTSTAMP:{_stamp(meeting.updated_at or timezone.now())}",
        f"DTSTART:{_stamp(meeting.starts_at)}",
        f"DTEND:{_stamp(meeting.ends_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"SUMMARY:{escape(meeting.title)}",
        f"STATUS:{status}",
        f"ORGANIZER;CN={escape(str(meeting.organizer))}:mailto:noreply@{getattr(settings, 'ICS_UID_DOMAIN', 'gongjian.local')}",
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    if url:
        lines.append(f"URL:{url}")
    if rrule:
        lines.append(f"RRULE:{rrule}")
    lines.append("END:VEVENT")
    return lines


def rrule_for(meeting: Meeting) -> str:
    series = meeting.series
    if series is None:
        return ""
    freq = "WEEKLY" if series.recurrence == Recurrence.WEEKLY else "MONTHLY"
    return f"FREQ={freq};COUNT={series.occurrences}"


def calendar(meetings: Iterable[Meeting], url_for: Any, *, name: str = "", method: str = "PUBLISH") -> str:
    """A VCALENDAR of the meetings; of a series only the first occurrence is written, with its RRULE."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    seen_series: set[int] = set()
    for meeting in meetings:
        rrule = ""
        if meeting.series_id is not None:
            if meeting.series_id in seen_series:
                continue
            seen_series.add(meeting.series_id)
            rrule = rrule_for(meeting)
        lines.extend(_event(meeting, url_for(meeting), rrule=rrule))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
