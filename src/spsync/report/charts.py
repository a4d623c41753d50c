"""The report's charts, drawn with matplotlib (Agg, no GUI) as PNG at print resolution.

Pure: records in, PNG bytes out (no files, no global pyplot state: every chart has its own
``Figure``). Labels are Dutch; colours are few and mean the same in every chart (blue budget,
dark blue used, red over, grey not yet due).
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from spsync.checks.records import BookingResult, ProjectResult, SlotResult
from spsync.checks.vocab import (
    ANDER_OVERLEG,
    BINNENKORT,
    GEMIST,
    GEPLAND,
    IN_BESPREEKPERIODE,
    OVERSCHREDEN,
    RISICO,
    TE_LAAT,
    TE_VROEG,
    VOLGENS_JAARKALENDER,
)
from spsync.report.formatting import getal, kort, text
from spsync.report.rich import Chart

__all__ = ["DPI", "burn_up", "indicatoren_grafiek", "kalender_per_overleg",
           "uren_per_hoofdlijn"]

DPI = 200
WIDTH_MM = 165
BUDGET, GEBRUIKT, OVER, GRIJS, GROEN, ORANJE = ("#9DB9E0", "#1F3A5F", "#C0392B", "#BFBFBF",
                                               "#2E8B57", "#E67E22")
MAX_BURN_UP = 4
#: More bars than this would not be readable at print size.
MAX_BARS = 12


@lru_cache(maxsize=1)
def _font() -> str:
    """Carlito (the report's font) when installed, else matplotlib's DejaVu Sans."""
    try:
        font_manager.findfont("Carlito", fallback_to_default=False)
        return "Carlito"
    except ValueError:
        return "DejaVu Sans"


def _figure(height_mm: float, width_mm: float = WIDTH_MM) -> Figure:
    """One figure with its own canvas; constrained layout fits labels in one drawing pass."""
    fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _style(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", color="#E0E0E0", linewidth=0.5)
    ax.set_axisbelow(True)


def _png(fig: Figure, width_mm: float, alt: str) -> Chart:
    for text_obj in fig.findobj(match=lambda o: hasattr(o, "set_fontfamily")):
        text_obj.set_fontfamily(_font())
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph the font lacks (an emoji in a title) is skipped
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None},
                    pil_kwargs={"compress_level": 1})  # fast; Word re-compresses anyway
    return Chart(buffer.getvalue(), width_mm, alt)


def _uren(value: float, _pos: int = 0) -> str:
    return getal(value, 0)


def _wrap(label: str, width: int = 34) -> str:
    """A label on lines of ``width``; characters outside the BMP (emoji) have no glyph."""
    plain = "".join(ch for ch in kort(label, 70) if ord(ch) < 0x10000)
    return "\n".join(textwrap.wrap(plain, width)) or "–"


def uren_per_hoofdlijn(groups: Sequence[tuple[str, Sequence[ProjectResult]]]) -> Chart | None:
    """Toegekend vs geboekt per hoofdlijn (horizontal bars; red where over the budget)."""
    if not groups:
        return None
    names = [_wrap(n) for n, _ in groups][::-1]
    toegekend = [sum(p.toegekend or 0.0 for p in ps) for _, ps in groups][::-1]
    geboekt = [sum(p.geboekt for p in ps) for _, ps in groups][::-1]
    fig = _figure(18 + 11 * len(groups))
    ax = fig.add_subplot()
    pos = range(len(names))
    ax.barh([y + 0.2 for y in pos], toegekend, height=0.38, color=BUDGET, label="Toegekend")
    ax.barh([y - 0.2 for y in pos], geboekt, height=0.38,
            color=[OVER if g > t else GEBRUIKT for g, t in zip(geboekt, toegekend)],
            label="Geboekt")
    for y, g in zip(pos, geboekt):
        ax.text(g, y - 0.2, f" {getal(g, 0)}", va="center", fontsize=6.5)
    ax.set_yticks(list(pos), names, fontsize=7)
    ax.xaxis.set_major_formatter(FuncFormatter(_uren))
    ax.set_xlabel("uren", fontsize=7)
    ax.set_title("Uren per hoofdlijn: toegekend en geboekt", fontsize=9, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    _style(ax)
    return _png(fig, WIDTH_MM, "Staafdiagram van toegekende en geboekte uren per hoofdlijn")


#: Jaarkalender statuses in the chart's stack, with their legend word and colour.
_KALENDER_STAPELS = (
    ((VOLGENS_JAARKALENDER,), "volgens jaarkalender", GROEN),
    ((TE_LAAT, TE_VROEG, ANDER_OVERLEG), "te laat, te vroeg of ander overleg", ORANJE),
    ((GEMIST,), "gemist", OVER),
    ((IN_BESPREEKPERIODE, BINNENKORT, GEPLAND), "nog te bespreken", GRIJS),
)


def kalender_per_overleg(slots: Sequence[SlotResult]) -> Chart | None:
    """Per overleg: how many documents were discussed on plan, off plan, missed, still to come."""
    counts: dict[str, dict[str, int]] = {}
    for s in slots:
        if s.overleg:
            per = counts.setdefault(text(s.overleg), {})
            per[s.status] = per.get(s.status, 0) + 1
    overleggen = sorted(o for o, per in counts.items()
                        if any(st in per for sts, _, _ in _KALENDER_STAPELS for st in sts))[
                            :MAX_BARS]
    if not overleggen:
        return None
    fig = _figure(22 + 8 * len(overleggen))
    ax = fig.add_subplot()
    left = [0] * len(overleggen)
    labels = overleggen[::-1]
    for statuses, label, colour in _KALENDER_STAPELS:
        n = [sum(counts[o].get(st, 0) for st in statuses) for o in labels]
        ax.barh(labels, n, left=left, color=colour, label=label, height=0.6)
        for y, (c, x) in enumerate(zip(n, left)):
            if c:
                ax.text(x + c / 2, y, str(c), ha="center", va="center", fontsize=6.5,
                        color="white" if colour != GRIJS else "black")
        left = [a + b for a, b in zip(left, n)]
    ax.set_xlabel("aantal documenten", fontsize=7)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Jaarkalender per overleg", fontsize=9, loc="left")
    fig.legend(fontsize=6.5, frameon=False, ncol=4, loc="outside lower center")
    _style(ax)
    return _png(fig, WIDTH_MM, "Gestapeld staafdiagram van de jaarkalenderstatus per overleg")


def riskiest(projects: Sequence[ProjectResult], n: int = MAX_BURN_UP) -> list[ProjectResult]:
    """Projects over their hours first (most over first), then those at risk."""
    candidates = [p for p in projects if p.uren_status in (OVERSCHREDEN, RISICO) and p.toegekend]
    candidates.sort(key=lambda p: (p.uren_status != OVERSCHREDEN, -(p.verbruik_pct or 0),
                                   p.code))
    return candidates[:n]


def burn_up(projects: Sequence[ProjectResult], bookings: Sequence[BookingResult],
            controledatum: date) -> Chart | None:
    """Cumulative valid hours of the riskiest projects against their budget line."""
    chosen = riskiest(projects)
    if not chosen:
        return None
    wanted = {p.item_id for p in chosen}
    per: dict[int | None, dict[date, float]] = {i: {} for i in wanted}
    for b in bookings:
        if b.valid and b.project_id in wanted and b.datum is not None and b.uren is not None:
            days = per[b.project_id]
            days[b.datum] = days.get(b.datum, 0.0) + b.uren
    cols = 2 if len(chosen) > 1 else 1
    rows_n = (len(chosen) + cols - 1) // cols
    fig = _figure(8 + 52 * rows_n)
    for n, p in enumerate(chosen, start=1):
        ax = fig.add_subplot(rows_n, cols, n)
        days = sorted(per[p.item_id].items())
        xs, ys, total = [], [], 0.0
        start = p.start or (days[0][0] if days else controledatum)
        xs.append(start)
        ys.append(0.0)
        for d, u in days:
            total += u
            xs.append(d)
            ys.append(total)
        end = p.end or controledatum
        ax.step(xs, ys, where="post", color=OVER if p.uren_status == OVERSCHREDEN else GEBRUIKT,
                linewidth=1.2, label="geboekt")
        ax.plot([start, max(end, start + timedelta(days=1))], [p.toegekend, p.toegekend],
                color=BUDGET, linewidth=1.2, linestyle="--", label="toegekend")
        ax.axvline(controledatum, color=GRIJS, linewidth=0.6)
        ax.set_title(_wrap(f"{p.code} {text(p.title)}", 44), fontsize=7, loc="left")
        ax.xaxis.set_major_formatter(DateFormatter("%m-%y"))
        ax.yaxis.set_major_formatter(FuncFormatter(_uren))
        ax.set_ylim(0, max(p.toegekend or 0, total) * 1.12 or 1)
        _style(ax)
        ax.tick_params(labelsize=6)
        if n == 1:
            ax.legend(fontsize=6, frameon=False, loc="upper left")
    fig.suptitle("Verloop van de geboekte uren (projecten met de meeste risico)", fontsize=9,
                 x=0.01, ha="left")
    return _png(fig, WIDTH_MM, "Burn-up van de geboekte uren tegen de toegekende uren")


def indicatoren_grafiek(kerncijfers: Sequence[dict[str, Any]]) -> Chart | None:
    """Percentage kerncijfers as bars with their target as a marker."""
    rows = [k for k in kerncijfers if k["percentage"] and k["_waarde"] is not None]
    rows = rows[:MAX_BARS]
    if not rows:
        return None
    rows = rows[::-1]
    fig = _figure(16 + 10 * len(rows))
    ax = fig.add_subplot()
    labels = [_wrap(r["naam"], 40) for r in rows]
    values = [r["_waarde"] for r in rows]
    colours = [GROEN if r["status"] == "Behaald" else OVER for r in rows]
    ax.barh(labels, values, color=colours, height=0.55)
    for y, r in enumerate(rows):
        if r["_streef"] is not None:
            ax.plot([r["_streef"]] * 2, [y - 0.38, y + 0.38], color="black", linewidth=1.4)
        ax.text(r["_waarde"] + 1, y, r["waarde"], va="center", fontsize=6.5)
    ax.set_xlim(0, 110)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}%"))
    ax.set_title("Kerncijfers tegen de streefwaarde (zwarte streep)", fontsize=9, loc="left")
    _style(ax)
    return _png(fig, WIDTH_MM, "Staafdiagram van de kerncijfers met hun streefwaarde")
