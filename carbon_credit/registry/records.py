"""A batch's records for the verifier, streamed (CSV) or written in a write-only workbook (XLSX): memory stays
flat however many records a batch holds.

Each row: the resident's pseudonymous id (``P`` + 12 hex characters of an HMAC-SHA256 of the resident id
keyed with the platform's secret: stable across batches, so the verifier can sample one resident's records,
but not reversible without the key; never a name or contact), the activity id, its Beijing day, behaviour,
methodology id and version, evidence level, grams CO2e and the published sources of the factors used
(``activities.factor_sources``)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import IO

from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.activities import Activity, factor_sources
from carbon_credit.platform.i18n import normalise_locale, translate
from carbon_credit.platform.settings import Settings
from carbon_credit.registry.locking import batch_row
from carbon_credit.registry.models import BatchRecord
from quantification import QuantificationError

CHUNK_ROWS = 2_000
EXPORT_COLUMNS = (
    "resident",
    "activity_id",
    "day",
    "behaviour",
    "methodology_id",
    "methodology_version",
    "evidence",
    "grams",
    "factor_sources",
)


def pseudonym(settings: Settings, resident_id: int) -> str:
    """``P3f9a0c21b7de``: the resident's id in the verifier's files (see the module)."""
    digest = hmac.new(settings.secret_key.encode(), str(resident_id).encode(), hashlib.sha256)
    return f"P{digest.hexdigest()[:12]}"


def record_rows(*, session: Session, settings: Settings, batch_id: int) -> Iterator[tuple]:
    """The batch's records in activity id order, as tuples of :data:`EXPORT_COLUMNS`, fetched in chunks."""
    batch_row(session, batch_id)  # NotFound for an unknown batch
    r = BatchRecord
    query = (
        select(r.resident_id, r.activity_id, r.local_day, r.behaviour, r.methodology_id)
        .add_columns(r.methodology_version, r.evidence, r.grams, Activity.factors)
        .join(Activity, Activity.id == r.activity_id)
        .where(r.batch_id == batch_id)
        .order_by(r.activity_id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    for row in session.execute(query):
        sources = _sources(row[4], row[5], json.dumps(row[8], sort_keys=True))
        yield (pseudonym(settings, row[0]), *row[1:8], sources)


def headers(locale: str | None = None) -> list[str]:
    """The column titles in ``locale`` (zh_Hans by default)."""
    return [translate(f"registry.column.{name}", normalise_locale(locale)) for name in EXPORT_COLUMNS]


def records_csv(
    *, session: Session, settings: Settings, batch_id: int, locale: str | None = None
) -> Iterator[str]:
    """The batch's records as UTF-8 CSV text pieces (a BOM first, so Excel reads the Chinese headers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(locale))
    yield "\ufeff" + _drain(buffer)
    for count, row in enumerate(record_rows(session=session, settings=settings, batch_id=batch_id), 1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def records_xlsx(
    *,
    session: Session,
    settings: Settings,
    batch_id: int,
    file: str | Path | IO[bytes],
    locale: str | None = None,
) -> int:
    """Write the batch's records to ``file`` (a path or a binary file) as a workbook; returns the rows."""
    batch = batch_row(session, batch_id)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(batch.serial)
    ws.append(headers(locale))
    count = 0
    for row in record_rows(session=session, settings=settings, batch_id=batch_id):
        ws.append(row)
        count += 1
    wb.save(file)
    return count


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


@lru_cache(maxsize=1024)
def _sources(methodology_id: str, version: str, factors: str) -> str:
    """``key = value unit: issuer, document (year) url`` for each factor, joined by "; " (cached: a batch
    repeats a few factor sets a million times)."""
    stored = SimpleNamespace(methodology_id=methodology_id, methodology_version=version)
    stored.factors = json.loads(factors)
    try:
        trail = factor_sources(stored)
    except QuantificationError:  # a methodology no longer shipped: the stored factors alone
        trail = [{**f, "source": {}} for f in stored.factors]
    return "; ".join(_cite(f) for f in trail)


def _cite(factor: dict) -> str:
    source = factor.get("source") or {}
    year = f" ({source['year']})" if source.get("year") else ""
    where = ", ".join(p for p in (source.get("issuer"), source.get("document")) if p) + year
    url = f" {source['url']}" if source.get("url") else ""
    return f"{factor.get('key')} = {factor.get('value')} {factor.get('unit', '')}: {where}{url}".strip()
