"""``flask export ...``: the administrators' Excel exports from the command line, with a progress bar.

    flask --app webapp export campaign-report --campaign 3 --out report.xlsx
    flask --app webapp export auditor --from 2026-11-01 --to 2026-11-30 --out audit.xlsx [--lang en]

Both call :func:`carbon_credit.exports.export_to_file`, the function the background jobs run.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from carbon_credit import exports
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.context import engine

export_group = click.Group("export", help="Excel exports (campaign report, auditor export).")
LANG = click.option("--lang", type=click.Choice(["zh_Hans", "en"]), default="zh_Hans", show_default=True)
OUT = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)


def _run(kind: str, params: dict, out: Path, lang: str) -> None:
    with click.progressbar(length=1, label=f"{kind} -> {out}") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            rows = exports.export_to_file(
                engine=engine(),
                kind=kind,
                params={**params, "locale": lang},
                path=out,
                progress=progress,
            )
        except DomainError as error:
            raise click.ClickException(message(error, lang)) from error
    click.echo(f"{rows} rows written to {out}")


@export_group.command("campaign-report")
@click.option("--campaign", "campaign_id", type=int, required=True, help="Campaign id.")
@OUT
@LANG
@with_appcontext
def campaign_report(campaign_id: int, out: Path, lang: str) -> None:
    """One campaign's report: totals, by district, by behaviour, by day, methodologies and factors."""
    _run("campaign_report", {"campaign_id": campaign_id}, out, lang)


@export_group.command("auditor")
@click.option("--from", "day_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "day_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
@OUT
@LANG
@with_appcontext
def auditor(day_from, day_to, out: Path, lang: str) -> None:
    """Every activity and ledger entry of the period (Beijing time days, both included)."""
    _run("auditor", {"day_from": day_from.date(), "day_to": day_to.date()}, out, lang)
