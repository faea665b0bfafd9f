"""Flask commands; each is one call into ``carbon_credit``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from carbon_credit.db import migrate, read_session, session_scope
from carbon_credit.demo import seed_demo
from carbon_credit.demo_transit import demo_checkin_urls
from webapp.cli_export import export_group
from webapp.context import engine, settings


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(export_group)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    migrate(engine())
    click.echo(f"database ready: {engine().url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo data once (idempotent) and print the demo logins."""
    with session_scope(engine()) as session:
        logins = seed_demo(session=session, settings=settings())
    with read_session(engine()) as session:
        stops = demo_checkin_urls(session=session, settings=settings())
    click.echo("Demo logins / 演示账号:")
    for login in logins:
        click.echo(f"  {login.role:<9} {login.login:<32} password: {login.password}")
    click.echo("Try a bus trip: open the first stop's QR link, then the second's / 扫码乘车体验:")
    for name, url in stops:
        click.echo(f"  {name}: {url}")
    click.echo("  (a ride faster than a bus is refused: wait about 4 minutes / 两次扫码间隔约 4 分钟)")
