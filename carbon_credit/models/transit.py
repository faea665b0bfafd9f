"""Transit tables: stops with their QR token version, routes with distances, tap-ins and rejections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from carbon_credit.models.core import in_values, utcnow

TRANSIT_MODES = ("bus", "metro")  # modes a stop can serve; they are quantification's transit modes
TAP_IN_STATUSES = ("open", "completed", "cancelled", "expired", "rejected")


class Stop(SQLModel, table=True):
    """A stop with a QR poster. ``token_version`` is signed into its token: rotating it voids old posters."""

    __tablename__ = "stops"
    __table_args__ = (CheckConstraint(in_values("mode", TRANSIT_MODES), name="ck_stops_mode"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=64)
    district_id: int | None = Field(default=None, foreign_key="districts.id")
    latitude: float
    longitude: float
    mode: str = Field(default="bus", max_length=16)
    token_version: int = Field(default=1)
    is_active: bool = Field(default=True)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Route(SQLModel, table=True):
    """A bus or metro line; its stops are ordered with distances along the route."""

    __tablename__ = "routes"
    __table_args__ = (CheckConstraint(in_values("mode", TRANSIT_MODES), name="ck_routes_mode"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=64)
    mode: str = Field(default="bus", max_length=16)
    is_active: bool = Field(default=True)
    is_demo: bool = Field(default=False)


class RouteStop(SQLModel, table=True):
    """A stop's place on a route: its order and its distance from the route's first stop, in metres."""

    __tablename__ = "route_stops"
    __table_args__ = (
        UniqueConstraint("route_id", "position", name="uq_route_stops_position"),
        UniqueConstraint("route_id", "stop_id", name="uq_route_stops_stop"),
        CheckConstraint("metres_from_start >= 0", name="ck_route_stops_metres"),
    )
    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="routes.id")
    stop_id: int = Field(foreign_key="stops.id", index=True)
    position: int
    metres_from_start: int


class TapIn(SQLModel, table=True):
    """A resident's scan at a stop, waiting for the tap-out that makes it a trip. At most one is open."""

    __tablename__ = "tap_ins"
    __table_args__ = (
        CheckConstraint(in_values("status", TAP_IN_STATUSES), name="ck_tap_ins_status"),
        Index(
            "uq_tap_ins_one_open",
            "resident_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_tap_ins_resident_time", "resident_id", "tapped_in_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    stop_id: int = Field(foreign_key="stops.id")
    tapped_in_at: datetime
    status: str = Field(default="open", max_length=16)
    tap_out_stop_id: int | None = Field(default=None, foreign_key="stops.id")
    closed_at: datetime | None = None
    metres: int | None = None
    activity_id: int | None = Field(default=None, foreign_key="activities.id")
    reason: str | None = Field(default=None, max_length=64)


class TransitRejection(SQLModel, table=True):
    """Every refused scan, with its reason code and evidence, for residents and the review queue."""

    __tablename__ = "transit_rejections"
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", index=True)
    stop_id: int | None = Field(default=None, foreign_key="stops.id")
    tap_in_id: int | None = Field(default=None, foreign_key="tap_ins.id")
    reason: str = Field(max_length=64)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
