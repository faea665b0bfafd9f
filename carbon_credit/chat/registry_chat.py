"""Donating points to a carbon-neutral event in the chat ("捐赠积分", "donate points", ``/donate``): the
events taking donations with their progress and a button per amount the resident can afford
(``give:<event id>-<points>``), the confirmation (pending kind "donate", Confirm ``ok:<id>`` as for a
redemption), then the donation through :func:`carbon_credit.registry.donate` with the pending action's id as
idempotency key: a second press of Confirm returns the same certificate. Every rule (the balance, a debt, a
closed event, the tonnes available) is the registry's; its refusal is shown as its message."""

from __future__ import annotations

from carbon_credit import registry, rewards
from carbon_credit.chat import replies
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Reply
from carbon_credit.platform.i18n import co2_text
from carbon_credit.platform.settings import link_base

AMOUNTS = (100, 500, 1000)  # the points offered as buttons
SHOWN = 3  # events listed in one message
CONFIRM = "confirm"  # carbon_credit.chat.flows.CONFIRM: the engine reads a "yes" typed in this state


def offer(turn: Turn) -> list[Reply]:
    """The events taking donations, each with its progress, and a button per affordable amount."""
    open_events = [view for view in registry.events(turn.db) if view.accepting][:SHOWN]
    if not open_events:
        return [turn.with_menu("chat_donate_none")]
    balance = rewards.points_balance(session=turn.db, resident_id=turn.resident.id)
    lines = [turn.t("chat_donate_head", balance=balance)]
    lines += [
        turn.t("chat_donate_event", name=_name(turn, v.event), percent=v.percent, target=v.target)
        for v in open_events
    ]
    made = [
        replies.button(
            turn.t("chat_btn_donate", name=_name(turn, v.event), points=points), f"give:{v.event.id}-{points}"
        )
        for v in open_events
        for points in AMOUNTS
        if points <= balance
    ]
    if not made:
        lines.append(turn.t("chat_donate_none_affordable"))
    return [Reply("\n".join(lines), replies.rows(made, per_row=1))]


def choose(turn: Turn, arg: str) -> list[Reply]:
    """``give:<event id>-<points>`` pressed: what the donation retires, under Confirm / Cancel."""
    event_id, _, points = arg.partition("-")
    if not all(part.isascii() and part.isdigit() for part in (event_id, points)):
        return [turn.with_menu("chat_bad_button")]
    view = next((v for v in registry.events(turn.db) if v.event.id == int(event_id) and v.accepting), None)
    if view is None:
        return [turn.with_menu("chat_donate_closed")]
    grams = registry.grams_for_points(turn.settings, int(points))
    turn.clear()
    pending = turn.new_pending(
        kind="donate", event_id=view.event.id, points=int(points), previewed_at=turn.now.isoformat()
    )
    turn.state = CONFIRM
    name, co2 = _name(turn, view.event), co2_text(grams, turn.locale)
    text = turn.t("chat_confirm_donate", points=int(points), name=name, co2=co2)
    return [Reply(text, replies.confirm_buttons(turn.locale, pending["id"]))]


def again(turn: Turn, pending: dict) -> list[Reply]:
    """An expired confirmation shown again as the registry stands now."""
    return choose(turn, f"{pending['event_id']}-{pending['points']}")


def donated(turn: Turn, action: dict, *, first: bool) -> list[Reply]:
    """Confirm pressed (or "确认" typed): donate once; pressed again, the same certificate."""
    made = registry.donate(
        session=turn.db,
        settings=turn.settings,
        resident_id=turn.resident.id,
        event_id=action["event_id"],
        points=action["points"],
        idempotency_key=f"chat-{action['id']}",
    )
    code = "chat_donated" if first else "chat_already_donated"
    text = turn.t(code, points=made.points, co2=co2_text(made.grams, turn.locale), serial=made.serial)
    page: tuple = ()
    if link_base(turn.settings):  # a link only where the site's public address is known
        url = registry.certificate_url(turn.settings, made.serial)
        page = ((replies.link(turn.t("chat_btn_certificate"), url),),)
    return [Reply(text, (*page, *replies.menu(turn.locale)))]


def _name(turn: Turn, event) -> str:
    return event.name_en if turn.locale == "en" else event.name_zh
