"""Stops with their QR token version, and routes with distances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

TRANSIT_MODES = ("bus", "metro")  # modes a stop can serve; they are quantification's transit modes


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
    created_at: datetime = Field(default_factory=clock.now)


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
