"""Free-text understanding of the chat: one message -> :class:`Parsed` (an intent, maybe a log's inputs).

Pure functions, standard library only; the word tables live in :mod:`carbon_credit.chat.nlu_lexicon`, and
reading amounts (numbers with units) in :mod:`carbon_credit.chat.amounts`.

    >>> parse("今天坐公交8公里").inputs
    {'mode': 'bus', 'km': '8'}

How a message is read:

* ``/command [args]`` (also ``/command@SomeBot``) and whole-message plain words ("余额", "help", "English")
  give the other intents; asking to delete one's account ("删除我的账号", "delete my account", anywhere in
  the message) is ``delete_account``; switching a consent ("关闭行程授权", "turn on photos") is ``consent``
  with args (``on``/``off``, purpose); an unknown ``/foo`` is ``unknown`` with reason ``unknown_command``.
* Otherwise the text is normalised (NFKC, so full-width digits and letters become ASCII; lower case;
  traditional characters folded; spaces between Chinese characters removed) and read for numbers with
  units (Arabic with decimals and thousands commas, "1万", "10k", Chinese numerals "十二", "八千", "两斤半",
  English "two", "a tree"), transport modes, materials and each behaviour's keywords.
* Amounts never go through float: km, kg and kWh are canonical decimal strings, steps and trees ints.
  斤 is 0.5 kg, 克 / g is 0.001 kg, 米 / m is 0.001 km, exactly. Counts ("3个易拉罐") are ignored.
* **A number without a unit is never taken as the amount** ("坐公交8" may be route 8, 8 minutes or 8 km):
  the log comes back with ``missing=("km",)`` and reason ``no_amount``, so the engine asks for the km.
* Amounts are not capped here: quantification refuses implausible ones with its own message.

A "log" is complete when ``missing`` is empty (``reason`` is then None); otherwise ``missing`` names
the inputs to ask for (in order), and ``reason`` says why an input given could not be used: ``unknown_mode``
("坐飞机800公里"), ``unknown_material`` ("回收了2公斤铀"), ``not_a_number`` ("8.5.1公里"), ``no_amount``
(a number without the right unit: "坐公交8", "卖了3个易拉罐", "walked 3 km"); plain absence ("坐公交")
has no reason. An ``unknown`` message has reason ``empty``, ``too_long`` (over :data:`MAX_TEXT`
characters), ``unknown_command``, ``no_behaviour`` or ``ambiguous`` (two behaviours, modes, materials or
amounts in one message; ``behaviour`` is set when there was only one behaviour). With ``no_behaviour``,
``inputs`` may hold a km or kg amount found on its own ("8公里"), for the engine's pending question.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field

from carbon_credit.chat import clauses
from carbon_credit.chat import nlu_lexicon as lex
from carbon_credit.chat.amounts import Quantity, amount_value, quantities, whole_numeral

MAX_TEXT = 500
"""Longer messages are not read at all (intent unknown, reason too_long)."""

DEFAULT_SCOPE = "hubei"
"""The electricity grid scope of a chat log: Xiaogan is in Hubei."""

# Asking to delete the account (anywhere in a message): answered with the web page, never done in the chat.
_DELETE_ACCOUNT = re.compile(
    r"(删除|注销|销户|删掉|删了)(我的)?(账号|帐号|账户|帐户)|(注销|删除)我自己|"
    r"\b(delete|close|remove|erase|cancel) (my )?account\b|\bdelete me\b"
)
_CONSENT = re.compile(
    r"(?:请|please )?(?P<verb>{}) ?(?:my |the |consent (?:for|to) )?(?P<purpose>{}) ?的?"
    r"(?P<word>授权|同意|许可|开关|consent|permission|switch)?".format(
        *("|".join(sorted(map(re.escape, words), key=len, reverse=True))
          for words in (lex.CONSENT_VERBS, lex.CONSENT_PURPOSES))
    )
)  # fmt: skip
_INVISIBLE = ("Zs", "Zl", "Zp", "Cc", "Cf", "Cn")
_EDGE_PUNCTUATION = " .,!?;:~'\"…()[]{}<>「」【】《》-_*"


@dataclass(frozen=True)
class Parsed:
    """What one chat message means; see the module docstring for the fields' rules."""

    intent: str  # "log" | "balance" | "history" | "rewards" | "redeem" | "stats" | "help" | "lang" | ...
    behaviour: str | None = None  # for "log": "transit" | "walking" | "recycling" | "tree_planting" | ...
    inputs: dict[str, str | int] = field(default_factory=dict)  # quantification inputs
    missing: tuple[str, ...] = ()  # inputs still to ask for, in order
    reason: str | None = None  # why not understood, or why a log cannot proceed as is
    args: tuple[str, ...] = ()  # command arguments
    text: str = ""  # the original text, trimmed


@dataclass(frozen=True, slots=True)
class _Reading:
    quantities: tuple[Quantity, ...]
    entries: tuple[tuple[str, str | None], ...]  # (kind, value) of each phrase found
    leftover: tuple[str, ...]  # words that are neither numbers, units nor known phrases


def parse(text: str) -> Parsed:
    """Understand one chat message (never raises; see the module docstring)."""
    original = (text or "").strip()
    if not any(unicodedata.category(char) not in _INVISIBLE for char in original):
        return Parsed("unknown", reason="empty", text=original)
    if len(original) > MAX_TEXT:
        return Parsed("unknown", reason="too_long", text=original)
    if original.startswith("/"):
        return _command(original)
    normalised = normalise(original)
    if _DELETE_ACCOUNT.search(normalised):
        return Parsed("delete_account", text=original)
    switched = _CONSENT.fullmatch(normalised.strip(_EDGE_PUNCTUATION))
    if switched and (switched["word"] or switched["verb"] not in lex.AMBIGUOUS_VERBS):
        verb, purpose = lex.CONSENT_VERBS[switched["verb"]], lex.CONSENT_PURPOSES[switched["purpose"]]
        return Parsed("consent", args=(verb, purpose), text=original)
    plain = _plain_word(normalised)
    if plain is not None:
        return Parsed(plain[0], args=plain[1], text=original)
    return _free_text(normalised, original)


def parse_amount(text: str, name: str) -> str | int | None:
    """The amount ``name`` ("km", "kg", "steps", "trees" or "kwh") in a reply to the question asking for it:
    "8", "八公里", "3斤" (-> "1.5"), "8,000"; a bare number counts here, since the question named the unit.
    None when the reply holds no such amount, a malformed one, or two different ones."""
    normalised = normalise((text or "")[:MAX_TEXT])
    whole = whole_numeral(normalised)
    if whole is not None:
        return amount_value(name, whole)
    kinds = {name, None} | ({"kwh_weak"} if name == "kwh" else set())
    values = {q.value for q in _read(normalised).quantities if q.kind in kinds}
    if len(values) != 1 or None in values:
        return None
    return amount_value(name, values.pop())


def normalise(text: str) -> str:
    """NFKC, lower case, traditional characters folded, single spaces, none between Chinese characters."""
    text = text.replace("，", ", ").replace("、", ", ").replace("。", ". ").replace("’", "'")
    text = unicodedata.normalize("NFKC", text).lower().translate(lex.TRADITIONAL)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text).strip()


# ---- commands and plain words ------------------------------------------------------------------------


def _command(original: str) -> Parsed:
    """``/name[@Bot] args...``: a known command's intent, else unknown_command."""
    name, *args = original.split()
    name = name[1:].split("@", 1)[0].lower()
    intent = lex.COMMANDS.get(name)
    if intent is None:
        return Parsed("unknown", reason="unknown_command", args=tuple(args), text=original)
    if intent == "lang":
        args = [lex.LANGUAGES.get(arg.lower(), arg) for arg in args]
    return Parsed(intent, args=tuple(args), text=original)


def _plain_word(normalised: str) -> tuple[str, tuple[str, ...]] | None:
    """A whole message that is a plain word for an intent: "余额", "help", "?" , "English"."""
    if set(normalised) <= {"?", " "}:
        return ("help", ())
    return lex.PLAIN_WORDS.get(normalised.strip(_EDGE_PUNCTUATION))


# ---- reading numbers, units and phrases ---------------------------------------------------------------
_LEFTOVER = re.compile(r"[a-z]+(?:'[a-z]+)?|[\u4e00-\u9fff]")


def _phrase_pattern(phrase: str) -> str:
    before = r"(?<![a-z0-9])" if phrase[0].isascii() and phrase[0].isalnum() else ""
    after = r"(?![a-z])" if phrase[-1].isascii() and phrase[-1].isalnum() else ""
    return before + re.escape(phrase) + after


_PHRASES = re.compile("|".join(_phrase_pattern(p) for p in sorted(lex.PHRASES, key=len, reverse=True)))


def _read(normalised: str) -> _Reading:
    """The quantities, the known phrases and the leftover words of a normalised message."""
    found = [_temperature(normalised, q) for q in quantities(normalised)]
    masked = _mask(normalised, [(q.start, q.end) for q in found])
    matches = list(_PHRASES.finditer(masked))
    entries = tuple(lex.PHRASES[m.group()] for m in matches)
    entries += tuple(("mode", "metro") for q in found if q.kind == "metro_line")  # 坐2号线
    leftover = _LEFTOVER.findall(_mask(masked, [m.span() for m in matches]))
    return _Reading(tuple(found), entries, tuple(leftover))


def _temperature(normalised: str, quantity: Quantity) -> Quantity:
    """ "今天32度" is a temperature, not 32 kWh: a number of no amount kind."""
    if quantity.kind == "kwh_weak" and clauses.is_temperature(normalised, quantity.start, quantity.end):
        return dataclasses.replace(quantity, kind="other")
    return quantity


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)


# ---- from what was read to a Parsed -------------------------------------------------------------------


def _free_text(normalised: str, original: str) -> Parsed:
    """Read the clauses said as done; a message whose action is only denied, planned or asked about is no
    log (reason: the mood, see :mod:`carbon_credit.chat.clauses`)."""
    done, moods = [], []
    for clause in clauses.split(normalised):
        mood = clauses.mood(clause)
        if mood:
            moods.append((mood, clause))
        else:
            done.append(clause)
    reading = _read(" ".join(done))
    behaviours = _behaviours(reading)
    if not behaviours:
        not_done = _not_done(moods, original)
        return not_done or Parsed("unknown", inputs=_hints(reading), reason="no_behaviour", text=original)
    if len(behaviours) > 1:
        return Parsed("unknown", reason="ambiguous", text=original)
    return _log(behaviours.pop(), reading, original)


def _not_done(moods: list[tuple[str, str]], original: str) -> Parsed | None:
    """No log: the mood of the first clause naming an action ("没骑车": negated); None without one."""
    for mood, clause in moods:
        behaviours = _behaviours(_read(clause))
        if len(behaviours) == 1:
            return Parsed("unknown", behaviours.pop(), reason=mood, text=original)
    return None


def _behaviours(reading: _Reading) -> set[str]:
    """Strong keywords and self-naming units, plus weak keywords backed by their amount or a second one."""
    kinds = {kind for kind, _ in reading.entries}
    units = {q.kind for q in reading.quantities}
    found = {lex.STRONG[kind] for kind in kinds if kind in lex.STRONG}
    found |= {lex.BEHAVIOUR_OF_UNIT[unit] for unit in units if unit in lex.BEHAVIOUR_OF_UNIT}
    for behaviour in set(lex.WEAK.values()) - found:
        weak = {kind for kind in kinds if lex.WEAK.get(kind) == behaviour}
        backing = _amount_kinds(behaviour) | set(lex.SUPPORT_OF.get(behaviour, ()))
        if weak and (len(weak) >= 2 or units & backing):
            found.add(behaviour)
    if "not_tree" in kinds and not kinds & {"tree", "plant"}:  # 种了3盆花, 种了3棵花: not trees
        found.discard("tree_planting")
    return found


def _amount_kinds(behaviour: str) -> set[str | None]:
    amount = lex.AMOUNT_OF[behaviour]
    return {amount, "kwh_weak"} if amount == "kwh" else {amount}


def _hints(reading: _Reading) -> dict[str, str | int]:
    """A km or kg amount alone ("8公里"), for the engine's pending question."""
    hints: dict[str, str | int] = {}
    for kind in ("km", "kg"):
        values = {q.value for q in reading.quantities if q.kind == kind}
        if len(values) == 1 and None not in values:
            hints[kind] = amount_value(kind, values.pop())
    return hints


_CHOICE_KIND = {"transit": "mode", "recycling": "material"}
"""The behaviours with a menu, and the input (and lexicon entry kind) naming the choice."""


def _log(behaviour: str, reading: _Reading, original: str) -> Parsed:
    """A log of one behaviour: its choice (mode, material), its amount, what is missing and why."""
    choice_name = _CHOICE_KIND.get(behaviour)
    choices = {value for kind, value in reading.entries if kind == _CHOICE_KIND.get(behaviour)}
    amount_name = lex.AMOUNT_OF[behaviour]
    own = [q for q in reading.quantities if q.kind in _amount_kinds(behaviour)]
    amounts = {q.value for q in own if q.value is not None}
    if len(choices) > 1 or len(amounts) > 1:
        return Parsed("unknown", behaviour=behaviour, reason="ambiguous", text=original)
    inputs: dict[str, str | int] = {}
    missing: list[str] = []
    if choice_name is not None:
        if choices:
            inputs[choice_name] = choices.pop()
        else:
            missing.append(choice_name)
    if amounts:
        inputs[amount_name] = amount_value(amount_name, amounts.pop())
    else:
        missing.append(amount_name)
    if behaviour == "electricity":
        inputs["scope"] = DEFAULT_SCOPE
    reason = _why(behaviour, reading, missing, malformed=bool(own))
    return Parsed("log", behaviour, inputs, tuple(missing), reason, text=original)


def _why(behaviour: str, reading: _Reading, missing: list[str], *, malformed: bool) -> str | None:
    """Why a missing input was not taken from the text (None when the text simply lacks it)."""
    kinds = {kind for kind, _ in reading.entries}
    if "mode" in missing and "bad_mode" in kinds:
        return "unknown_mode"
    if "material" in missing and "kg" not in missing and reading.leftover:  # "回收了2公斤铀"
        return "unknown_material"
    if lex.AMOUNT_OF[behaviour] in missing:
        if malformed:  # the amount's unit was there, its number was not readable
            return "not_a_number"
        if any(q.kind != "metro_line" for q in reading.quantities):  # "8", "20分钟", "3个", "3公里" walking
            return "no_amount"
    return None
