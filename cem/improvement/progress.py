"""The monthly 30/20/10 arithmetic, on plain values (no database).

A task's progress is cumulative, 0-100 %. Its figure for a month is the
last check-in recorded for that month or, with none, the figure it had the
month before (0 before its first check-in). The month's gain is that figure
less the previous month's, so progress that goes down is a negative gain. A
task with a commitment for a month is on target when the month's gain is
at least the committed tier; without a check-in that month its gain is 0.
A commitment keeps the tier chosen when it was made, whatever the journey's
tiers become later.

Figures over several tasks are counts and plain averages, never sums of
percentages: every committed task weighs the same, the headline is how
many reached their commitment, and the average gain (not capped at the
commitment) is read against the average commitment, both in points.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Callable, Iterable

from cem.core import months

DEFAULT_TIERS = (30, 20, 10)


@dataclass(frozen=True)
class CheckInValue:
    month: str
    progress: int
    order: int  # later check-ins of the same month win (e.g. the row id)
    reason: str = ""  # why the task is behind, if someone said so


@dataclass
class TaskMonths:
    """One task's figures month by month."""

    commitments: dict[str, int] = field(default_factory=dict)  # month -> tier %
    check_ins: list[CheckInValue] = field(default_factory=list)
    # (number of check-ins it was made from, figures by month, their months in order)
    _memo: tuple[int, dict[str, int], list[str]] | None = field(default=None, repr=False, compare=False)

    def _figures(self) -> tuple[dict[str, int], list[str]]:
        """Worked out once, again only when check-ins were added."""
        if self._memo is None or self._memo[0] != len(self.check_ins):
            latest: dict[str, CheckInValue] = {}
            for value in self.check_ins:
                if value.month not in latest or value.order >= latest[value.month].order:
                    latest[value.month] = value
            figures = {month: value.progress for month, value in latest.items()}
            self._memo = (len(self.check_ins), figures, sorted(figures))
        return self._memo[1], self._memo[2]

    def recorded(self) -> dict[str, int]:
        """The month's figure where a check-in was recorded that month."""
        return dict(self._figures()[0])

    def progress_at(self, month: str) -> int:
        """Cumulative progress at the end of `month`."""
        figures, ordered = self._figures()
        index = bisect_right(ordered, month)
        return figures[ordered[index - 1]] if index else 0

    def gain(self, month: str) -> int:
        return self.progress_at(month) - self.progress_at(months.previous(month))

    def checked_in(self, month: str) -> bool:
        return month in self._figures()[0]

    def reason(self, month: str) -> str:
        """The latest reason given for the task being behind in `month` ("" without one)."""
        given = [value for value in self.check_ins if value.month == month and value.reason]
        return max(given, key=lambda value: value.order).reason if given else ""

    def on_target(self, month: str) -> bool | None:
        """True or False for a month with a commitment; None without one."""
        tier = self.commitments.get(month)
        if tier is None:
            return None
        return self.gain(month) >= tier


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class MonthFigures:
    """A month over some tasks: how many were committed and on target, the
    average commitment and the average gain of the committed tasks (points)."""

    month: str
    committed_tasks: int
    on_target: int
    average_tier: float | None
    average_gain: float | None

    @property
    def on_target_share(self) -> float | None:
        return self.on_target / self.committed_tasks if self.committed_tasks else None


def month_figures(tasks: Iterable[TaskMonths], month: str) -> MonthFigures:
    committed = [task for task in tasks if month in task.commitments]
    return MonthFigures(
        month=month,
        committed_tasks=len(committed),
        on_target=sum(1 for task in committed if task.on_target(month)),
        average_tier=mean(task.commitments[month] for task in committed),
        average_gain=mean(task.gain(month) for task in committed),
    )


def points(value: float | None, *, signed: bool = False) -> str:
    """25 -> "25", 16.666 -> "16.7", with "+" when `signed`; "–" for None."""
    if value is None:
        return "–"
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "±0" if signed and text in ("+0", "-0") else text


def headline(figures: MonthFigures, tr: Callable[..., str]) -> str:
    """"3 of 6 tasks on target; average gain 25 points against 20 committed"."""
    if not figures.committed_tasks:
        return tr("fig.headline_none")
    return tr("fig.headline", n=figures.on_target, m=figures.committed_tasks, gain=points(figures.average_gain),
              tier=points(figures.average_tier))


def parse_tiers(text: str) -> tuple[int, ...]:
    """"30, 20, 10" -> (30, 20, 10): distinct whole percentages 1-100, largest first."""
    values = []
    for part in str(text or "").replace(";", ",").split(","):
        part = part.strip().rstrip("%").strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 100:
            raise ValueError(part)
        values.append(int(part))
    if not values:
        raise ValueError(text)
    return tuple(sorted(set(values), reverse=True))
