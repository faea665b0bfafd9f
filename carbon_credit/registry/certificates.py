"""Retirement certificates: writing one (its serial, the batches it draws from) and reading them back as
the public verification page, a resident's list and a QR code show them.

A serial is ``XGC-<year of retirement>-<certificate number, 6 digits>``: the number is the row's id, so two
retirements at the same moment can never be given the same serial (no count-then-insert race).
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.qr_images import qr_svg
from carbon_credit.platform.settings import Settings, link_base
from carbon_credit.registry.models import Batch, Certificate, CertificatePart, Event, Sale
from carbon_credit.registry.sales import tonnes_text

SERIAL = re.compile(r"XGC-\d{4}-\d{6,}")
PAGE = "/registry/certificates/"


@dataclass(frozen=True, slots=True)
class Drawn:
    """The grams a certificate takes from one batch."""

    batch_serial: str
    grams: int

    @property
    def tonnes(self) -> str:
        return tonnes_text(self.grams)


@dataclass(frozen=True, slots=True)
class CertificateView:
    """What a certificate says: quantity, the batches it draws from, beneficiary, purpose, date, and the
    event or sale it was for (None when none). ``resident_id`` is the donor, for their own list only: it is
    never shown on the public page."""

    serial: str
    kind: str
    grams: int
    beneficiary: str
    purpose: str
    retired_on: date
    drawn: list[Drawn]
    event: Event | None
    buyer: str | None
    points: int | None
    resident_id: int | None

    @property
    def tonnes(self) -> str:
        return tonnes_text(self.grams)


def write_certificate(
    session: Session,
    *,
    drawn: dict[int, int],
    idempotency_key: str,
    **values,
) -> Certificate:
    """Insert a certificate (``values``: its columns) and its parts (``drawn``: grams by batch id); the
    serial is taken from the new row's id."""
    certificate = Certificate(
        serial=f"XGC-pending-{secrets.token_hex(8)}", idempotency_key=idempotency_key, **values
    )
    session.add(certificate)
    session.flush()
    certificate.serial = f"XGC-{certificate.retired_on.year}-{certificate.id:06d}"
    session.add_all(
        CertificatePart(certificate_id=certificate.id, batch_id=batch_id, grams=grams)
        for batch_id, grams in sorted(drawn.items())
    )
    session.flush()
    return certificate


def certificate(session: Session, serial: str) -> CertificateView:
    """One certificate by serial (case and surrounding spaces forgiven); NotFound
    ``registry_certificate_not_found`` for an unknown one."""
    wanted = (serial or "").strip().upper()
    found = None
    if SERIAL.fullmatch(wanted):
        found = session.execute(select(Certificate).where(Certificate.serial == wanted)).scalar_one_or_none()
    if found is None:
        raise NotFound("registry_certificate_not_found", what="certificate", serial=wanted[:40])
    return _views(session, [found])[0]


def certificates_of(session: Session, resident_id: int) -> list[CertificateView]:
    """A resident's donation certificates, newest first."""
    query = select(Certificate).where(Certificate.resident_id == resident_id)
    return _views(session, list(session.execute(query.order_by(Certificate.id.desc())).scalars()))


def certificates_of_event(session: Session, event_id: int) -> list[CertificateView]:
    """The certificates retired for an event, newest first."""
    query = select(Certificate).where(Certificate.event_id == event_id)
    return _views(session, list(session.execute(query.order_by(Certificate.id.desc())).scalars()))


def certificate_url(settings: Settings, serial: str, request_base: str | None = None) -> str:
    """The certificate's public verification page (what its QR code opens)."""
    return f"{link_base(settings, request_base)}{PAGE}{serial}"


def certificate_qr(settings: Settings, serial: str, request_base: str | None = None) -> str:
    """Inline SVG markup of a QR code that opens the certificate's verification page."""
    return qr_svg(certificate_url(settings, serial, request_base))


def _views(session: Session, found: list[Certificate]) -> list[CertificateView]:
    """Views of certificates with their batches, events and buyers: three queries, however many."""
    ids = [c.id for c in found]
    parts = session.execute(
        select(CertificatePart.certificate_id, Batch.serial, CertificatePart.grams)
        .join(Batch, Batch.id == CertificatePart.batch_id)
        .where(CertificatePart.certificate_id.in_(ids))
        .order_by(CertificatePart.certificate_id, Batch.serial)
    )
    drawn: dict[int, list[Drawn]] = defaultdict(list)
    for certificate_id, batch_serial, grams in parts:
        drawn[certificate_id].append(Drawn(batch_serial, grams))
    event_ids = {c.event_id for c in found if c.event_id}
    events = {e.id: e for e in session.execute(select(Event).where(Event.id.in_(event_ids))).scalars()}
    sale_ids = {c.sale_id for c in found if c.sale_id}
    buyers = dict(session.execute(select(Sale.id, Sale.buyer).where(Sale.id.in_(sale_ids))).all())
    return [
        CertificateView(
            serial=c.serial,
            kind=c.kind,
            grams=c.grams,
            beneficiary=c.beneficiary,
            purpose=c.purpose,
            retired_on=c.retired_on,
            drawn=drawn[c.id],
            event=events.get(c.event_id),
            buyer=buyers.get(c.sale_id),
            points=c.points,
            resident_id=c.resident_id,
        )
        for c in found
    ]
