"""The resident's own figures in the chat (balance, latest entries, statistics), the language choice, and
where to delete the account (the web page)."""

from __future__ import annotations

from carbon_credit import residents, stats
from carbon_credit.activities import activity_history, home_summary
from carbon_credit.chat import replies
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Reply
from carbon_credit.platform.i18n import LOCALES, co2_text, normalise_locale

HISTORY_SHOWN = 5
DELETE_PAGE = "/account/delete"  # webapp.residents.account_edit


def balance(turn: Turn) -> list[Reply]:
    """``/balance``: the points balance."""
    figures = home_summary(session=turn.db, resident_id=turn.resident.id)
    return [turn.with_menu("chat_balance", points=figures.balance)]


def latest(turn: Turn) -> list[Reply]:
    """``/history``: the last five entries with grams, points and status."""
    page = activity_history(session=turn.db, resident_id=turn.resident.id, per_page=HISTORY_SHOWN)
    if not page.items:
        return [turn.with_menu("chat_history_empty")]
    lines = [turn.t("chat_history_head")]
    for activity in page.items:
        lines.append(
            turn.t(
                "chat_history_line",
                day=activity.local_day.isoformat(),
                what=replies.describe(activity.behaviour, activity.inputs, turn.locale),
                co2=co2_text(activity.grams),
                points=activity.points,
                status=turn.t(f"activity_status.{activity.status}"),
            )
        )
    return [Reply("\n".join(lines), replies.menu(turn.locale))]


def statistics(turn: Turn) -> list[Reply]:
    """``/stats``: the resident's own totals and the platform's."""
    mine = home_summary(session=turn.db, resident_id=turn.resident.id)
    everyone = stats.totals(session=turn.db)
    return [
        turn.with_menu(
            "chat_stats",
            my_co2=co2_text(mine.grams),
            my_count=mine.activities,
            points=mine.balance,
            co2=co2_text(everyone.grams),
            people=everyone.participants,
            count=everyone.activities,
        )
    ]


def deletion_page(turn: Turn) -> list[Reply]:
    """Asked "删除我的账号" / "delete my account": where to do it (the web page, password and a typed word);
    nothing is deleted from a chat message, whoever is asking."""
    url = f"{turn.settings.public_base_url}{DELETE_PAGE}"
    return [turn.with_menu("chat_delete_account", url=url)]


def ask_language(turn: Turn) -> list[Reply]:
    """``/lang``: buttons 中文 / English."""
    made = tuple(replies.button(label, f"lang:{code}") for code, label in replies.LANGUAGES)
    return [turn.say("chat_choose_language", (made,))]


def set_language(turn: Turn, choice: str) -> list[Reply]:
    """``lang:<locale>``: kept on the chat session and, when linked, on the resident's account."""
    locale = normalise_locale(choice)
    if choice not in LOCALES and locale == "zh_Hans" and not choice.lower().startswith("zh"):
        return ask_language(turn)
    turn.chat.locale = locale
    turn.locale = locale
    if turn.resident is not None:
        residents.set_locale(session=turn.db, resident_id=turn.resident.id, locale=locale)
    return [turn.with_menu("chat_language_set")]
