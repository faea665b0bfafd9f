"""Rewards in the chat: the list with a Redeem button per affordable reward, the confirmation, and the
voucher (its code as text and its QR code as a PNG photo). Every rule is :mod:`carbon_credit.rewards`'s."""

from __future__ import annotations

from carbon_credit import rewards
from carbon_credit.chat import replies
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Reply
from carbon_credit.platform.qr_images import qr_png

SHOWN = 10  # rewards listed in one message


def catalogue(turn: Turn) -> list[Reply]:
    """``/rewards`` and ``/redeem``: open rewards, cheapest first, and a button for each affordable one."""
    listed = rewards.catalogue(session=turn.db, now=turn.now)[:SHOWN]
    if not listed:
        return [turn.with_menu("chat_rewards_empty")]
    balance = rewards.points_balance(session=turn.db, resident_id=turn.resident.id)
    lines = [turn.t("chat_rewards_head", balance=balance)]
    lines += [turn.t("chat_reward_line", name=_name(turn, r), cost=r.cost, stock=r.stock) for r in listed]
    affordable = [r for r in listed if r.cost <= balance and r.stock > 0]
    if not affordable:
        lines.append(turn.t("chat_rewards_none_affordable"))
    made = [
        replies.button(turn.t("chat_btn_redeem", name=_name(turn, r)), f"redeem:{r.id}") for r in affordable
    ]
    return [Reply("\n".join(lines), replies.rows(made, per_row=1))]


def choose(turn: Turn, reward_id: str) -> list[Reply]:
    """``redeem:<reward id>`` pressed: ask to confirm spending the points (an id that is not plain ASCII
    digits, "²" or "٣", is a button this chat never made)."""
    if not (reward_id.isascii() and reward_id.isdigit()):
        return [turn.with_menu("chat_bad_button")]
    reward = rewards.get_reward(session=turn.db, reward_id=int(reward_id))
    turn.clear()
    pending = turn.new_pending(kind="redeem", reward_id=reward.id, previewed_at=turn.now.isoformat())
    turn.state = "confirm"
    text = turn.t("chat_confirm_redeem", name=_name(turn, reward), cost=reward.cost)
    return [Reply(text, replies.confirm_buttons(turn.locale, pending["id"]))]


def redeem_confirmed(turn: Turn, action: dict, *, first: bool) -> list[Reply]:
    """Redeem with the pending action's id as idempotency key: a second press returns the same voucher."""
    voucher = rewards.redeem(
        session=turn.db,
        settings=turn.settings,
        resident_id=turn.resident.id,
        reward_id=action["reward_id"],
        idempotency_key=f"chat-{action['id']}",
        now=turn.now,
    )
    if not first:
        return [Reply(turn.t("chat_already_redeemed", voucher=voucher.code), photo=qr_png(voucher.code))]
    reward = rewards.get_reward(session=turn.db, reward_id=voucher.reward_id)
    text = turn.t("chat_redeemed", name=_name(turn, reward), voucher=voucher.code)
    return [Reply(text, replies.menu(turn.locale), photo=qr_png(voucher.code))]


def _name(turn: Turn, reward) -> str:
    return reward.name_en if turn.locale == "en" else reward.name_zh
