"""Building the chat's replies: texts in the person's language, button rows, quantities, and the JSON form
of replies kept for replaying a retried update and for the web page's transcript."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from carbon_credit.chat.types import MAX_BUTTON_DATA, Button, Reply
from carbon_credit.platform.i18n import MESSAGES, normalise_locale, translate
from quantification import choices

MENU = (("log", "balance"), ("history", "rewards"), ("stats", "lang"))
LANGUAGES = (("zh_Hans", "中文"), ("en", "English"))
# The field a behaviour asks by buttons (from quantification.choices) and the amount it asks as text.
CHOICE_FIELD = {"transit": "mode", "recycling": "material", "electricity": "scope"}
AMOUNT_FIELD = {
    "transit": "km",
    "walking": "steps",
    "recycling": "kg",
    "tree_planting": "trees",
    "electricity": "kwh",
}


def button(label: str, data: str) -> Button:
    """A button; its data must fit Telegram's callback_data (64 bytes)."""
    if len(data.encode()) > MAX_BUTTON_DATA:
        raise ValueError(f"button data longer than {MAX_BUTTON_DATA} bytes: {data!r}")
    return Button(label, data)


def link(label: str, url: str) -> Button:
    """A button opening a page (``url``), e.g. the transit card page; its data names it for the transcript."""
    return Button(label, "link", url)


def menu(locale: str) -> tuple[tuple[Button, ...], ...]:
    """The main menu: log, balance, history, rewards, statistics, language."""
    return tuple(tuple(button(translate(f"chat_btn_{d}", locale), d) for d in row) for row in MENU)


def greeting(locale: str) -> Reply:
    """The welcome with the main menu (the web page shows it before the first message)."""
    return Reply(translate("chat_welcome", locale), menu(locale))


def confirm_buttons(locale: str, pending_id: str) -> tuple[tuple[Button, ...], ...]:
    return ((button(translate("chat_btn_confirm", locale), f"ok:{pending_id}"),
             button(translate("chat_btn_cancel", locale), "no")),)  # fmt: skip


def rows(buttons: Iterable[Button], per_row: int = 2) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out ``per_row`` to a row."""
    items = list(buttons)
    return tuple(tuple(items[i : i + per_row]) for i in range(0, len(items), per_row))


def choice_label(behaviour: str, key: str, locale: str) -> str:
    """A mode, material or grid scope in the person's language (the key itself if unknown)."""
    for choice in choices(behaviour):
        if choice.key == key:
            return choice.label_en if locale == "en" else choice.label_zh
    return key


def choice_buttons(behaviour: str, locale: str) -> tuple[tuple[Button, ...], ...]:
    """One button per choice of the behaviour, data ``<field>:<key>`` (e.g. ``mode:bus``)."""
    field = CHOICE_FIELD[behaviour]
    made = [button(choice_label(behaviour, c.key, locale), f"{field}:{c.key}") for c in choices(behaviour)]
    return rows(made)


def describe(behaviour: str, inputs: Mapping[str, Any], locale: str) -> str:
    """``bus 8 km``, ``recycling PET plastic 2 kg``... from quantified (normalised) inputs."""
    values = {name: str(value) for name, value in inputs.items()}
    field = CHOICE_FIELD.get(behaviour)
    if field and field in inputs:
        values[field] = choice_label(behaviour, str(inputs[field]), locale)
    if behaviour == "transit" and "legs" in inputs:
        return " + ".join(describe("transit", leg, locale) for leg in inputs["legs"])
    template = MESSAGES.get(f"chat_what_{behaviour}")
    try:
        return template[normalise_locale(locale)].format(**values)
    except (TypeError, KeyError, IndexError):  # no template, or inputs of another shape: the behaviour's name
        return translate(f"behaviour.{behaviour}", locale)


def to_json(reply: Reply) -> dict[str, Any]:
    """A reply as JSON (the photo as base64), for the idempotency record and the transcript."""
    return {
        "text": reply.text,
        "buttons": [[_button_json(b) for b in row] for row in reply.buttons],
        "photo": base64.b64encode(reply.photo).decode() if reply.photo else None,
    }


def from_json(stored: Mapping[str, Any]) -> Reply:
    """The reply back from :func:`to_json`."""
    photo = stored.get("photo")
    return Reply(
        text=stored["text"],
        buttons=tuple(
            tuple(Button(b["label"], b["data"], b.get("url")) for b in row)
            for row in stored.get("buttons", ())
        ),
        photo=base64.b64decode(photo) if photo else None,
    )


def _button_json(pressed: Button) -> dict[str, Any]:
    made = {"label": pressed.label, "data": pressed.data}
    return made | ({"url": pressed.url} if pressed.url else {})
