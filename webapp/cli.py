"""Flask commands; each is one call into ``carbon_credit``."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from carbon_credit.demo import demo_checkin_urls, seed_demo
from carbon_credit.platform import backup
from carbon_credit.platform.database import migrate, read_session, session_scope
from webapp.cli_export import export_group
from webapp.context import engine, settings


def init_app(app: Flask) -> None:
    """Register the commands: init-db, seed-demo, export, backup, restore."""
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(export_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


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
        served_at = f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
        stops = demo_checkin_urls(session=session, settings=settings(), served_at=served_at)
    click.echo("Demo logins / 演示账号:")
    for login in logins:
        click.echo(f"  {login.role:<9} {login.login:<32} password: {login.password}")
    click.echo("Try a bus trip: open the first stop's QR link, then the second's / 扫码乘车体验:")
    for name, url in stops:
        click.echo(f"  {name}: {url}")
    click.echo("  (a ride faster than a bus is refused: wait about 4 minutes / 两次扫码间隔约 4 分钟)")
    click.echo("What the demo holds, page by page / 演示数据说明: docs/demo.md")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to the new file PATH while the platform keeps running (SQLite: the online
    backup API; PostgreSQL: pg_dump --format=custom). See docs/backup.md."""
    try:
        made = backup.backup(settings().database_url, path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"备份完成 / backup written: {made.path} ({made.size} bytes, schema revision {made.revision})")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup PATH (checked first). Stop web, bot and scheduler before."""
    url = settings().database_url
    try:
        revision = backup.check(path, url)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    shown = engine().url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(
            f"用备份 {path}（版本 {revision}）覆盖数据库 {shown}？请先停止 web、bot 和 scheduler。\n"
            f"Replace the database {shown} with {path} (revision {revision})? Stop web, bot and scheduler "
            "first.",
            abort=True,
        )
    engine().dispose()  # this process holds no connection while the database is replaced
    try:
        done = backup.restore(path, url)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"恢复完成 / restored: schema revision {done.revision}")
    if done.previous:
        click.echo(f"原数据库已保留 / the replaced database was kept at: {done.previous}")
    if done.needs_upgrade:
        click.echo(
            "请运行 flask init-db 升级数据库 / run `flask init-db` to upgrade the schema to this version"
        )
