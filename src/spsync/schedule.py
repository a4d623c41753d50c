"""Schedule facts without a scheduler: cron fields, DST hours, fire times and report periods.

Pure functions over plain values (the caller passes ``now``), so the config can refuse a bad
schedule, the daemon can decide a catch-up and ``/healthz`` can tell a quiet night from a stalled
daemon, all with the same APScheduler ``CronTrigger`` arithmetic the scheduler itself uses.

Why nothing may run between 02:00 and 03:00 in Europe/Amsterdam: on the spring change those
wall-clock times do not exist (a 02:30 job fires at 03:30), on the autumn change they happen twice
(a 02:30 job fires twice) - APScheduler 3.x calls this cron "wall clock" behaviour, not a bug.
The forbidden window is derived from the zone's own transitions, so another zone gets its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

__all__ = [
    "cron_problem",
    "dst_problem",
    "dst_windows",
    "iso_week_label",
    "latest_fire_time",
    "make_trigger",
    "next_fire_times",
    "period_window_start",
    "report_period",
    "times_of_day",
]

#: The years scanned for a zone's DST transitions (tzdata rules rarely change within them).
_SCAN_YEARS = range(2020, 2041)
#: How far back ``latest_fire_time`` looks, tried in turn (short first: cheap for 2 s schedules).
_LOOKBACKS = (timedelta(minutes=10), timedelta(hours=2), timedelta(days=1), timedelta(days=8),
              timedelta(days=32), timedelta(days=400))


def cron_problem(fields: Mapping[str, str]) -> str | None:
    """A Dutch sentence when APScheduler cannot parse ``fields``, else None."""
    try:
        CronTrigger(**dict(fields), timezone=UTC)
    except (ValueError, TypeError) as exc:
        shown = ", ".join(f"{k} = \"{v}\"" for k, v in fields.items())
        return f"ongeldig schema ({shown}); APScheduler meldt: {exc}"
    return None


@lru_cache(maxsize=32)
def dst_windows(zone: str) -> tuple[tuple[time, time], ...]:
    """Local wall-clock windows ``[start, end)`` that are skipped or repeated at the zone's DST
    changes, merged; e.g. ``((02:00, 03:00),)`` for Europe/Amsterdam, ``()`` for UTC."""
    tz = ZoneInfo(zone)
    found: set[tuple[time, time]] = set()
    day = datetime(_SCAN_YEARS.start, 1, 1, tzinfo=UTC)
    end = datetime(_SCAN_YEARS.stop, 1, 1, tzinfo=UTC)
    while day < end:
        nxt = day + timedelta(days=1)
        before, after = day.astimezone(tz).utcoffset(), nxt.astimezone(tz).utcoffset()
        if before != after:
            lo, hi = day, nxt  # bisect to the minute of the change
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            walls = sorted(((hi + before).replace(tzinfo=None), (hi + after).replace(tzinfo=None)))
            found.add((walls[0].time().replace(second=0, microsecond=0),
                       walls[1].time().replace(second=0, microsecond=0)))
        day = nxt
    return tuple(sorted(found))


def times_of_day(fields: Mapping[str, str]) -> list[time]:
    """Every minute of the day (hh:mm) on which the hour and minute fields can fire."""
    trigger = CronTrigger(hour=fields.get("hour", "*"), minute=fields.get("minute", "*"),
                          second=0, timezone=UTC)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    found, fire = [], trigger.get_next_fire_time(None, start)
    while fire is not None and fire < start + timedelta(days=1):
        found.append(fire.time())
        fire = trigger.get_next_fire_time(fire, fire + timedelta(minutes=1))
    return found


def dst_problem(fields: Mapping[str, str], zone: str, jitter: int = 0) -> str | None:
    """A Dutch sentence when the schedule can fire (plus ``jitter``) in a DST window of ``zone``."""
    windows = dst_windows(zone)
    if not windows:
        return None
    for moment in times_of_day(fields):
        first = datetime.combine(date(2000, 1, 3), moment)
        # The last second the job can start: its minute, any second field, plus the jitter.
        last = first + timedelta(seconds=59 + jitter)
        for lo, hi in windows:
            w_lo, w_hi = (datetime.combine(date(2000, 1, 3), t) for t in (lo, hi))
            if first < w_hi and last >= w_lo:
                return (f"kan om {moment:%H:%M} starten, in het uur van de zomer-/wintertijd "
                        f"({lo:%H:%M}-{hi:%H:%M} in {zone}); die tijd bestaat dan niet of komt "
                        "twee keer voor. Kies een tijd buiten dat uur, bijvoorbeeld "
                        "hour = \"7\".")
    return None


def make_trigger(fields: Mapping[str, str], zone: str, jitter: int = 0) -> CronTrigger:
    """The scheduler's trigger for a job's cron fields in ``zone``."""
    return CronTrigger(**dict(fields), timezone=ZoneInfo(zone), jitter=jitter or None)


def next_fire_times(trigger: CronTrigger, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times strictly after ``after`` (aware)."""
    times: list[datetime] = []
    prev, now = None, after + timedelta(microseconds=1)
    while len(times) < count:
        fire = trigger.get_next_fire_time(prev, now)
        if fire is None:
            break
        times.append(fire)
        prev, now = fire, fire + timedelta(microseconds=1)
    return times


def latest_fire_time(trigger: CronTrigger, at_or_before: datetime) -> datetime | None:
    """The last fire time ``<= at_or_before`` within about a year, else None.

    APScheduler only answers "next"; so step forward from increasingly distant starting points
    (a jitter-free copy is expected: jitter would make the answer random)."""
    for lookback in _LOOKBACKS:
        latest, prev, now = None, None, at_or_before - lookback
        fire = trigger.get_next_fire_time(prev, now)
        while fire is not None and fire <= at_or_before:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        if latest is not None:
            return latest
    return None


def iso_week_label(day: date) -> str:
    """``2026-W20``: the ISO week (``%G-W%V``) the weekly report is keyed by."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def report_period(kind: str, day: date, planjaar_mode: str = "schooljaar") -> str:
    """The period a report made on ``day`` covers: ``weekly`` its ISO week; ``tertiaal`` the last
    tertiaal that ended before ``day`` (``2025-2026-M8`` in a schooljaar, ``2026-M4`` in a
    kalenderjaar); ``annual`` the planjaar that ended before ``day`` (``2025-2026`` or
    ``2026``)."""
    from spsync.checks.planjaar import planjaar

    if kind == "weekly":
        return iso_week_label(day)
    mode = "kalenderjaar" if planjaar_mode == "kalenderjaar" else "schooljaar"
    if kind == "tertiaal":
        # Tertialen count from the planjaar's start: in a schooljaar M4 ends in November.
        from spsync.report.periods import TERTIALEN, period_bounds, planjaar_start

        this = planjaar(day, mode)
        before = planjaar(planjaar_start(this, mode) - timedelta(days=1), mode)  # type: ignore[arg-type]
        ended = [(end, f"{pj}-{code}") for pj in (before, this) for code in TERTIALEN
                 for end in (period_bounds(pj, mode, code)[1],) if end < day]  # type: ignore[arg-type]
        return max(ended)[1]
    if kind == "annual":
        first_year = int(planjaar(day, mode)[:4])  # type: ignore[arg-type]
        return str(first_year - 1) if mode == "kalenderjaar" else f"{first_year - 1}-{first_year}"
    raise ValueError(f"onbekende rapportsoort '{kind}'")


def period_window_start(kind: str, now_local: datetime) -> datetime:
    """From when a missed run of ``kind`` still counts for catch-up: the start of this ISO week
    for the weekly report (last week's is history), 31 days back for the others."""
    if kind == "weekly":
        monday = now_local.date() - timedelta(days=now_local.weekday())
        return datetime.combine(monday, time(), now_local.tzinfo)
    return now_local - timedelta(days=31)
