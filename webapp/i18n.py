"""Language: which locale a request uses, template helpers, and compiling the catalogues.

Simplified Chinese (``zh_Hans``) is the default. A signed-in resident's choice is stored on the account;
visitors' choice is kept in a ``lang`` cookie; else the browser's Accept-Language decides.
Template strings are English msgids translated in ``translations/zh_Hans/LC_MESSAGES/*.po`` (one file per
blueprint); ``python -m webapp.i18n`` merges and compiles them into ``messages.mo`` (run by the install step
in scripts/dev.py, never by hand). Domain errors come from ``carbon_credit.platform.i18n``, shared with
the bot.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from carbon_credit.platform import clock
from carbon_credit.platform.i18n import co2_text, message, normalise_locale, translate

CATALOGUE_DIR = Path(__file__).parent / "translations" / "zh_Hans" / "LC_MESSAGES"


def select_locale() -> str:
    """The request's locale: the resident's, else the ``lang`` cookie, else Accept-Language, else zh_Hans."""
    if current_user.is_authenticated:
        return current_user.locale
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen:
        return normalise_locale(chosen)
    return normalise_locale(request.accept_languages.best_match(["zh", "en"]))


def current_locale() -> str:
    """The locale of the current request (``zh_Hans`` or ``en``)."""
    return normalise_locale(str(get_locale()))


def local_date(moment) -> str:
    """An aware datetime as its Beijing date, ``YYYY-MM-DD``."""
    return clock.local_day(moment).isoformat() if moment else ""


def co2_for_people(grams: int, locale: str | None = None) -> str:
    """Grams CO2e in the request's words (克/千克/吨 in Chinese, g/kg/t in English)."""
    return co2_text(grams, locale or current_locale())


def local_time(moment) -> str:
    """An aware datetime as Beijing time for people, ``YYYY-MM-DD HH:MM`` (the one format pages show; ISO-8601
    with its offset is only for the API and exports)."""
    return clock.local_text(moment)


def init_app(app: Flask) -> None:
    """Template filters (co2, localdate, localtime) and globals (navigation, admin menu, messages, locale)."""
    app.add_template_filter(co2_for_people, "co2")
    app.add_template_filter(local_date, "localdate")
    app.add_template_filter(local_time, "localtime")
    from webapp.nav import admin_sections, nav_links

    app.jinja_env.globals.update(
        nav_links=nav_links,
        admin_sections=admin_sections,
        domain_message=lambda error: message(error, current_locale()),
        t=lambda code, **params: translate(code, current_locale(), **params),
        current_locale=current_locale,
    )


def compile_catalogues(directory: Path = CATALOGUE_DIR) -> Path:
    """Merge every ``*.po`` in ``directory`` into one catalogue and write ``messages.mo`` beside them."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = Catalog(locale="zh_Hans")
    origin: dict[object, str] = {}
    for path in sorted(directory.glob("*.po")):
        with path.open("rb") as handle:
            for entry in read_po(handle, locale="zh_Hans"):
                if not (entry.id and entry.string and not entry.fuzzy):
                    continue
                known = merged.get(entry.id, context=entry.context)
                if known is not None and known.string != entry.string:
                    raise ValueError(
                        f"{entry.id!r} is translated differently in {origin[entry.id]} and {path.name}: "
                        "use one translation, or a msgctxt"
                    )
                merged.add(entry.id, entry.string, context=entry.context)
                origin.setdefault(entry.id, path.name)
    target = directory / "messages.mo"
    with target.open("wb") as handle:
        write_mo(handle, merged)
    return target


if __name__ == "__main__":
    print(f"compiled {compile_catalogues()}")
