"""Privacy in the chat: the resident's consent switches listed ("隐私设置", "我的授权", /privacy) and switched
("关闭行程授权", "turn on photos", or a button ``consent:<on|off>-<purpose>``).

Every change is :func:`carbon_credit.residents.set_consent` with channel "chat", the operation behind
/account/privacy, so it takes effect at once and is listed there. Turning a switch off needs no
confirmation (withdrawing is as easy as granting, PIPL Art. 15): ``card`` unlinks the transit card and
``chat`` the Telegram account; withdrawn from Telegram itself, the dialogue ends with the reply. Turning on
a sensitive purpose (``trips``: 行踪轨迹, Art. 28-29) first says what it allows, links the privacy notice and
waits for Confirm (``ok:<id>``, pending kind "consent"); a second press of that Confirm changes nothing.
"""

from __future__ import annotations

from carbon_credit import residents
from carbon_credit.chat import replies
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Button, Reply

CHANNEL = "chat"
CONFIRM = "confirm"  # carbon_credit.chat.flows.CONFIRM: the engine reads a "yes" typed in this state
PAGE = "/account/privacy"  # webapp.residents.privacy
NOTICE = "/privacy"
MARKS = {True: "✅", False: "⬜"}


def overview(turn: Turn) -> list[Reply]:
    """``/privacy``, "隐私设置": each switch with its state, a button to flip it and the privacy page."""
    state = residents.consents_of(session=turn.db, resident_id=turn.resident.id).state
    lines = [turn.t("chat_privacy_head")]
    for purpose, on in state.items():
        lines.append(
            turn.t("chat_privacy_line", mark=MARKS[on], name=_name(turn, purpose), state=_state(turn, on))
        )
    lines.append(turn.t("chat_privacy_foot", url=_url(turn, PAGE)))
    flips = [_flip_button(turn, purpose, on) for purpose, on in state.items()]
    page = (replies.link(turn.t("chat_btn_privacy_page"), _url(turn, PAGE)),)
    return [Reply("\n".join(lines), (*replies.rows(flips), page))]


def pressed(turn: Turn, arg: str) -> list[Reply]:
    """``consent:<on|off>-<purpose>`` pressed (anything else is a button this chat never made)."""
    verb, _, purpose = arg.partition("-")
    if verb not in ("on", "off") or purpose not in residents.SWITCHES:
        return [turn.with_menu("chat_bad_button")]
    return switch(turn, verb, purpose)


def switch(turn: Turn, verb: str, purpose: str) -> list[Reply]:
    """Turn ``purpose`` on or off; a sensitive one that is off is only turned on after confirmation."""
    turn.clear()
    if verb == "off":
        return _turn_off(turn, purpose)
    sensitive = purpose in residents.SENSITIVE
    if sensitive and not residents.has_consent(
        session=turn.db, resident_id=turn.resident.id, purpose=purpose
    ):
        return ask(turn, purpose)
    return _turn_on(turn, purpose)


def ask(turn: Turn, purpose: str, prefix: list[Reply] | None = None) -> list[Reply]:
    """What turning on ``purpose`` allows, with the notice's link, under Confirm / Cancel."""
    turn.clear()
    pending = turn.new_pending(kind="consent", purpose=purpose, previewed_at=turn.now.isoformat())
    turn.state = CONFIRM
    url = _url(turn, NOTICE)
    allows = turn.t(f"consent_allows.{purpose}")
    text = turn.t("chat_consent_confirm_on", name=_name(turn, purpose), allows=allows, url=url)
    notice = (replies.link(turn.t("chat_btn_privacy_notice"), url),)
    return [*(prefix or []), Reply(text, (*replies.confirm_buttons(turn.locale, pending["id"]), notice))]


def confirmed(turn: Turn, action: dict, *, first: bool) -> list[Reply]:
    """Confirm pressed (or "确认" typed) on a pending consent: turn it on; pressed again later, it changes
    nothing (the resident may have turned it off since) and says how the switch stands."""
    purpose = action["purpose"]
    if first:
        return _turn_on(turn, purpose)
    on = residents.has_consent(session=turn.db, resident_id=turn.resident.id, purpose=purpose)
    return [turn.with_menu("chat_consent_confirm_done", name=_name(turn, purpose), state=_state(turn, on))]


def _turn_on(turn: Turn, purpose: str) -> list[Reply]:
    record = _set(turn, purpose, granted=True)
    code = "chat_consent_turned_on" if record is not None else "chat_consent_already_on"
    return [turn.with_menu(code, name=_name(turn, purpose))]


def _turn_off(turn: Turn, purpose: str) -> list[Reply]:
    """Withdraw at once, saying what that undid (the card, the Telegram link, trips no longer credited)."""
    resident = turn.resident
    had_card, telegram = resident.transit_card is not None, resident.telegram_id
    record = _set(turn, purpose, granted=False)
    code = "chat_consent_turned_off" if record is not None else "chat_consent_already_off"
    said = [turn.t(code, name=_name(turn, purpose))]
    if purpose == "trips":
        said.append(turn.t("chat_consent_trips_off"))
    if purpose == "card" and had_card:
        said.append(turn.t("chat_consent_card_unlinked"))
    if purpose == "chat" and telegram is not None and _here(turn, telegram):
        said.append(turn.t("chat_consent_chat_unlinked_here"))
        _end(turn)
        return [Reply(_joined(turn, said))]
    if purpose == "chat" and telegram is not None:
        said.append(turn.t("chat_consent_chat_unlinked"))
    return [Reply(_joined(turn, said), replies.menu(turn.locale))]


def _set(turn: Turn, purpose: str, *, granted: bool) -> residents.ConsentRecord | None:
    return residents.set_consent(
        session=turn.db, resident_id=turn.resident.id, purpose=purpose, granted=granted, channel=CHANNEL
    )


def _here(turn: Turn, telegram: int) -> bool:
    """Whether this conversation is the Telegram account that was linked."""
    return turn.incoming.channel == "telegram" and turn.incoming.external_id == str(telegram)


def _end(turn: Turn) -> None:
    """The Telegram account is no longer the resident's: forget who they were and the dialogue so far."""
    turn.clear()
    turn.data = {}
    turn.resident = None
    turn.chat.resident_id = None


def _flip_button(turn: Turn, purpose: str, on: bool) -> Button:
    verb = "off" if on else "on"
    return replies.button(
        turn.t(f"chat_btn_consent_{verb}", name=_name(turn, purpose)), f"consent:{verb}-{purpose}"
    )


def _joined(turn: Turn, sentences: list[str]) -> str:
    return ("" if turn.locale == "zh_Hans" else " ").join(sentences)


def _name(turn: Turn, purpose: str) -> str:
    return turn.t(f"consent_purpose.{purpose}")


def _state(turn: Turn, on: bool) -> str:
    return turn.t("chat_consent_state_on" if on else "chat_consent_state_off")


def _url(turn: Turn, path: str) -> str:
    return f"{turn.settings.public_base_url}{path}"
