"""The rows of a transit operator's trip file (docs/operations-jobs.md): a header naming five columns, in
any order and by any of their names (English or Chinese, see :data:`COLUMNS`), and each row as a
:class:`Trip` or a row problem. Times without a zone are Beijing local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from carbon_credit.platform import clock, spreadsheets
from carbon_credit.transit.cards import CARD

# Canonical column name -> accepted header names (compared lower-cased, spaces as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "card_number": ("card_number", "card", "card_no", "卡号"),
    "boarding_stop": ("boarding_stop", "boarding_stop_code", "from_stop", "上车站点", "上车站点编码"),
    "alighting_stop": ("alighting_stop", "alighting_stop_code", "to_stop", "下车站点", "下车站点编码"),
    "boarding_time": ("boarding_time", "boarded_at", "上车时间"),
    "alighting_time": ("alighting_time", "alighted_at", "下车时间"),
}
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}

Row = tuple[int, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Trip:
    """One row's trip: the card that tapped, its stop codes and its (aware) boarding and alighting times."""

    row: int  # the row number the administrator sees in the file (the header is row 1)
    card: str
    from_code: str
    to_code: str
    boarded_at: datetime
    alighted_at: datetime

    @property
    def key(self) -> str:
        """The trip's idempotency key: importing the same trip again credits nothing."""
        boarded = self.boarded_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"op:{self.card}:{boarded}:{self.from_code}:{self.to_code}"


def trip_rows(sheet: spreadsheets.Sheet) -> list[Row]:
    """The sheet's data rows as (row number, {canonical column: text}); SpreadsheetError for a missing
    column (other columns are ignored)."""
    names = [_ALIASES.get(cell.strip().lower().replace(" ", "_")) for cell in sheet.header]
    spreadsheets.require_columns((n for n in names if n), COLUMNS)
    positions = {name: names.index(name) for name in COLUMNS}
    return [
        (number, {name: (cells[i] if i < len(cells) else "") for name, i in positions.items()})
        for number, cells in sheet.rows
    ]


def parse_row(row: int, values: dict[str, str]) -> tuple[Trip | None, dict[str, Any] | None]:
    """One row's values -> (Trip, None), (None, problem), or (None, None) for a row without trip values."""
    if all(not (v or "").strip() for v in values.values()):
        return None, None
    card = _compact(values.get("card_number"))
    if not CARD.match(card) or not card.isascii():
        return None, problem(row, "card_number", "invalid_transit_card")
    codes = [_compact(values.get(column)) for column in ("boarding_stop", "alighting_stop")]
    for column, code in zip(("boarding_stop", "alighting_stop"), codes, strict=True):
        if not code or len(code) > 32:
            return None, problem(row, column, "import_missing_value", name=column)
    moments = [_moment(values.get(column)) for column in ("boarding_time", "alighting_time")]
    for column, moment in zip(("boarding_time", "alighting_time"), moments, strict=True):
        if moment is None:
            return None, problem(row, column, "import_bad_time", name=column)
    if moments[1] <= moments[0]:
        return None, problem(row, "alighting_time", "import_alighting_before_boarding")
    return Trip(row, card, codes[0], codes[1], moments[0], moments[1]), None


def problem(row: int | None, column: str | None, reason: str, /, skipped: bool = False, **params) -> dict:
    """A row problem as stored on the batch: ``reason`` is a message code, ``params`` fill its message."""
    return {"row": row, "column": column, "reason": reason, "params": params, "skipped": skipped}


def _compact(value: str | None) -> str:
    """A cell without any spaces (a card number or stop code)."""
    return "".join((value or "").split())


def _moment(value: str | None) -> datetime | None:
    """ISO-like text (``2026-03-12 08:15:00``, ``2026/03/12 08:15``, with or without an offset) as an aware
    time; without a zone, Beijing local time."""
    text = (value or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("/", "-")) if text else None
    except ValueError:
        return None
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=clock.BEIJING)
