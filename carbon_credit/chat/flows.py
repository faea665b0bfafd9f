"""Logging an action in the chat, guided by buttons or from free text, always confirmed before credit.

Guided: ``log`` -> behaviour (``log:<behaviour>``) -> mode, material or grid scope (``mode:bus``...) ->
the amount as the next typed message -> preview -> ``ok:<pending id>`` or ``no``. Free text starts from what
the parser understood and asks only for what is missing. The preview is activities admission
(``activities.preview``): the grams and the points that will be credited, the daily cap's cut, the campaign
bonus, or the review hold; a refused amount is explained at once and asked again, any other refusal
(a DomainError of admission) is shown as its message. Confirming records through
``activities.record_activity`` (channel "bot"), the same admission, with the pending action's id as
idempotency key: pressing Confirm twice credits once. A preview older than :data:`PREVIEW_MINUTES` or from
another Beijing day is worked out again and confirmed again; a Confirm button whose action is gone (another
action started since) says so. The same Confirm turns on a sensitive consent (pending kind "consent",
``privacy_chat``). Transit is never offered: trips come from evidence (``transit_chat``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from carbon_credit import campaigns
from carbon_credit.activities import RESIDENT_BEHAVIOURS, ActivityInput, Admission, preview, record_activity
from carbon_credit.chat import privacy_chat, registry_chat, replies, rewards_chat, transit_chat
from carbon_credit.chat.nlu import parse_amount
from carbon_credit.chat.replies import AMOUNT_FIELD, CHOICE_FIELD, button
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Reply
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, InvalidActivity
from carbon_credit.platform.i18n import co2_text, message

BEHAVIOUR_ALIASES = {"trees": "tree_planting", "tree": "tree_planting"}
CHOOSING, AMOUNT, CONFIRM = "log_choice", "log_amount", "confirm"
OFFERED = tuple(b for b in RESIDENT_BEHAVIOURS if b != "transit")
"""What a resident may log in the chat: trips come only from evidence, so transit is explained instead."""
PREVIEW_MINUTES = 30
"""A preview older than this (or from another Beijing day) is worked out again before it can be confirmed."""


def start(turn: Turn, prefix: list[Reply] | None = None) -> list[Reply]:
    """Ask which behaviour to log (one button per behaviour)."""
    turn.clear()
    turn.state = "log_behaviour"
    made = [button(turn.t(f"behaviour.{b}"), f"log:{b}") for b in OFFERED]
    return [*(prefix or []), turn.say("chat_choose_behaviour", replies.rows(made))]


def choose_behaviour(turn: Turn, behaviour: str) -> list[Reply]:
    """``log:<behaviour>`` pressed: start a new entry of that behaviour (transit: how trips are credited)."""
    if behaviour == "transit":
        return transit_chat.explain(turn)
    if behaviour not in OFFERED:
        return [turn.with_menu("chat_bad_button")]
    turn.new_pending(kind="log", behaviour=behaviour, inputs={})
    return advance(turn)


def choose(turn: Turn, field: str, key: str) -> list[Reply]:
    """``material:pet``, ``scope:hubei`` pressed for the entry being built (``mode:bus``: how trips are
    credited)."""
    if field == "mode":
        return transit_chat.explain(turn)
    pending = turn.pending
    if not pending or pending["kind"] != "log" or CHOICE_FIELD.get(pending["behaviour"]) != field:
        return [turn.say("chat_expired")]
    pending["inputs"][field] = key
    return advance(turn)


def amount(turn: Turn, text: str) -> list[Reply]:
    """The typed answer to "how many?" ("8", "8公里", "八千", "3斤"), read by the parser for that field."""
    pending = turn.pending
    if not pending or pending["kind"] != "log":
        turn.clear()
        return [turn.say("chat_expired")]
    field = AMOUNT_FIELD[pending["behaviour"]]
    value = parse_amount(text, field)
    if value is None:
        return [turn.say("chat_not_a_number")]
    pending["inputs"][field] = str(value)
    return advance(turn)


def free_text(turn: Turn, behaviour: str | None, inputs: dict, reason: str | None) -> list[Reply]:
    """What the parser understood from a sentence: ask for what is missing, else preview."""
    behaviour = BEHAVIOUR_ALIASES.get(behaviour or "", behaviour)
    if behaviour == "transit":
        return transit_chat.explain(turn)
    if behaviour not in OFFERED:
        return start(turn)
    turn.clear()
    kept = {k: str(v) if not isinstance(v, list | dict) else v for k, v in inputs.items() if v is not None}
    turn.new_pending(kind="log", behaviour=behaviour, inputs=kept)
    prefix = []
    field = CHOICE_FIELD.get(behaviour)
    if field and reason in ("unknown_mode", "unknown_material", "unknown_scope"):
        kept.pop(field, None)
        prefix.append(turn.say("chat_unknown_choice"))
    elif reason == "not_a_number":
        kept.pop(AMOUNT_FIELD[behaviour], None)
        prefix.append(turn.say("chat_not_a_number"))
    return advance(turn, prefix)


def advance(turn: Turn, prefix: list[Reply] | None = None) -> list[Reply]:
    """Ask for the next missing detail of the pending entry, or show the preview to confirm."""
    prefix = list(prefix or [])
    pending = turn.pending
    behaviour, inputs = pending["behaviour"], pending["inputs"]
    if behaviour not in OFFERED:  # an entry of transit left from before trips came only from evidence
        return transit_chat.explain(turn)
    field = CHOICE_FIELD.get(behaviour)
    if "legs" not in inputs and field and field not in inputs:
        turn.state = CHOOSING
        return [*prefix, turn.say(f"chat_choose_{field}", replies.choice_buttons(behaviour, turn.locale))]
    needed = AMOUNT_FIELD[behaviour]
    if "legs" not in inputs and needed not in inputs:
        turn.state = AMOUNT
        return [*prefix, turn.say(f"chat_ask_{needed}")]
    return prefix + _preview(turn, pending)


def _preview(turn: Turn, pending: dict) -> list[Reply]:
    behaviour, inputs = pending["behaviour"], pending["inputs"]
    try:
        decided = preview(
            session=turn.db,
            settings=turn.settings,
            resident_id=turn.resident.id,
            behaviour=behaviour,
            inputs=inputs,
            now=turn.now,
        )
    except DomainError as error:
        return _refused(turn, behaviour, inputs, error)
    turn.state = CONFIRM
    pending["previewed_at"] = turn.now.isoformat()
    return [Reply(_preview_text(turn, decided), replies.confirm_buttons(turn.locale, pending["id"]))]


def _refused(turn: Turn, behaviour: str, inputs: dict, error: DomainError) -> list[Reply]:
    """A refused amount or choice is explained and asked again; any other refusal of admission (the claim
    window, an evidence rule...) is shown as its message and ends the entry."""
    explained = Reply(message(error, turn.locale))
    name = error.params.get("name")
    asked_again = isinstance(error, InvalidActivity)
    if asked_again and name in inputs and name in (CHOICE_FIELD.get(behaviour), AMOUNT_FIELD[behaviour]):
        inputs.pop(name)
        return advance(turn, [explained])
    turn.clear()
    return [explained, turn.with_menu("chat_help")]


def _preview_text(turn: Turn, decided: Admission) -> str:
    """What will be credited: the points (what the entry is worth, when it waits for review), then why
    fewer are credited (review, daily cap) and the campaign bonus, as recording will credit them."""
    shown = decided.points_quantified if decided.review else decided.points
    text = turn.t(
        "chat_confirm_log",
        what=replies.describe(decided.behaviour, decided.result.inputs, turn.locale),
        co2=co2_text(decided.result.grams),
        points=shown,
    )
    if decided.review:
        text += " " + turn.t("chat_will_be_reviewed", reason=turn.t(decided.review))
    if decided.cap:
        text += " " + turn.t("chat_will_be_capped", cap=decided.cap, cut=decided.capped_points)
    if decided.bonus_points:
        text += " " + turn.t(
            "chat_campaign_bonus", bonus=decided.bonus_points, name=_campaign_name(turn, decided)
        )
    return text


def _campaign_name(turn: Turn, decided: Admission) -> str:
    campaign = campaigns.get_campaign(session=turn.db, campaign_id=decided.campaign_id)
    return campaign.name_en if turn.locale == "en" else campaign.name_zh


def confirm(turn: Turn, pending_id: str) -> list[Reply]:
    """``ok:<id>`` pressed: carry out the pending action once; a second press answers "already done"; an
    expired preview is worked out again; a confirmation whose action is gone says so and offers the menu."""
    pending = turn.pending
    if pending and pending["id"] == pending_id and turn.state == CONFIRM:
        if expired(turn, pending):
            return _again(turn, pending)
        return _execute(turn, turn.consume(), first=True)
    done = turn.done(pending_id)
    if done is not None:
        return _execute(turn, done, first=False)
    return [turn.with_menu("chat_confirm_expired")]


def expired(turn: Turn, pending: dict) -> bool:
    """Whether a preview is too old to confirm as shown: over :data:`PREVIEW_MINUTES`, or another day."""
    shown = pending.get("previewed_at")
    if shown is None:
        return True
    then = datetime.fromisoformat(shown)
    late = turn.now - then > timedelta(minutes=PREVIEW_MINUTES)
    return late or clock.local_day(then) != clock.local_day(turn.now)


def _again(turn: Turn, pending: dict) -> list[Reply]:
    """An expired preview said so, then shown again as admission decides now, under a new Confirm button."""
    said = turn.say("chat_preview_expired", minutes=PREVIEW_MINUTES)
    if pending["kind"] == "redeem":
        return [said, *rewards_chat.choose(turn, str(pending["reward_id"]))]
    if pending["kind"] == "donate":
        return [said, *registry_chat.again(turn, pending)]
    if pending["kind"] == "consent":
        expired_consent = turn.say("chat_consent_expired", minutes=PREVIEW_MINUTES)
        return privacy_chat.ask(turn, pending["purpose"], [expired_consent])
    turn.new_pending(kind="log", behaviour=pending["behaviour"], inputs=dict(pending["inputs"]))
    return advance(turn, [said])


def _execute(turn: Turn, action: dict, *, first: bool) -> list[Reply]:
    if action["kind"] == "redeem":
        return rewards_chat.redeem_confirmed(turn, action, first=first)
    if action["kind"] == "consent":
        return privacy_chat.confirmed(turn, action, first=first)
    if action["kind"] == "donate":
        return registry_chat.donated(turn, action, first=first)
    item = ActivityInput(
        resident_id=turn.resident.id,
        behaviour=action["behaviour"],
        inputs=action["inputs"],
        channel="bot",
        idempotency_key=f"chat-{action['id']}",
    )
    activity = record_activity(session=turn.db, settings=turn.settings, item=item, now=turn.now)
    if not first:
        return [turn.with_menu("chat_already_recorded", points=activity.points)]
    if activity.status == "pending":
        return [turn.with_menu("chat_recorded_pending", reason=turn.t(activity.note))]
    text = turn.t("chat_recorded", points=activity.points)
    if activity.note and activity.note.startswith("daily_cap:"):
        text += " " + turn.t("activity_note.daily_cap", cap=activity.note.split(":", 1)[1])
    if activity.bonus_points:
        text += " " + turn.t("chat_recorded_bonus", bonus=activity.bonus_points)
    return [Reply(text, replies.menu(turn.locale))]
