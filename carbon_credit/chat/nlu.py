"""Free-text understanding of the chat: one message -> :class:`Parsed` (an intent, maybe a log's inputs).

Pure functions, standard library only; the word tables live in :mod:`carbon_credit.chat.nlu_lexicon`.

    >>> parse("今天坐公交8公里").inputs
    {'mode': 'bus', 'km': '8'}

How a message is read:

* ``/command [args]`` (also ``/command@SomeBot``) and whole-message plain words ("余额", "help", "English")
  give the other intents; an unknown ``/foo`` is ``unknown`` with reason ``unknown_command``.
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

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext

from carbon_credit.chat import nlu_lexicon as lex

MAX_TEXT = 500
"""Longer messages are not read at all (intent unknown, reason too_long)."""

DEFAULT_SCOPE = "hubei"
"""The electricity grid scope of a chat log: Xiaogan is in Hubei."""

_MAX_DIGITS = 60
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
class _Quantity:
    start: int
    end: int
    value: Decimal | None  # None: malformed ("8.5.1")
    kind: str | None  # a unit kind of nlu_lexicon.UNITS, or None for a bare number


@dataclass(frozen=True, slots=True)
class _Reading:
    quantities: tuple[_Quantity, ...]
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
    plain = _plain_word(normalised)
    if plain is not None:
        return Parsed(plain[0], args=plain[1], text=original)
    return _free_text(_read(normalised), original)


def parse_amount(text: str, name: str) -> str | int | None:
    """The amount ``name`` ("km", "kg", "steps", "trees" or "kwh") in a reply to the question asking for it:
    "8", "八公里", "3斤" (-> "1.5"), "8,000"; a bare number counts here, since the question named the unit.
    None when the reply holds no such amount, a malformed one, or two different ones."""
    normalised = normalise((text or "")[:MAX_TEXT])
    whole = _whole_numeral(normalised)
    if whole is not None:
        return _amount_value(name, whole)
    kinds = {name, None} | ({"kwh_weak"} if name == "kwh" else set())
    values = {q.value for q in _read(normalised).quantities if q.kind in kinds}
    if len(values) != 1 or None in values:
        return None
    return _amount_value(name, values.pop())


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

_ARABIC = re.compile(r"(?<![a-z0-9.,])(-?)((?:\.\d|\d)[\d.,]*)")
_ARABIC_STRICT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_CN_CHARS = "".join((*lex.CN_DIGITS, *lex.CN_MULTIPLIERS))
_CN_NUMBER = re.compile(rf"[{_CN_CHARS}]+(?:点[{''.join(lex.CN_DIGITS)}]+)?|半")
_EN_WORDS = "|".join(sorted((*lex.EN_NUMBERS, *lex.EN_MULTIPLIERS), key=len, reverse=True))
_EN_NUMBER = re.compile(rf"(?<![a-z])(?:{_EN_WORDS})(?:[ -](?:{_EN_WORDS}|and))*(?![a-z])")
_UNIT_WORDS = sorted(lex.UNITS, key=len, reverse=True)
_LEFTOVER = re.compile(r"[a-z]+(?:'[a-z]+)?|[\u4e00-\u9fff]")


def _phrase_pattern(phrase: str) -> str:
    before = r"(?<![a-z0-9])" if phrase[0].isascii() and phrase[0].isalnum() else ""
    after = r"(?![a-z])" if phrase[-1].isascii() and phrase[-1].isalnum() else ""
    return before + re.escape(phrase) + after


_PHRASES = re.compile("|".join(_phrase_pattern(p) for p in sorted(lex.PHRASES, key=len, reverse=True)))


def _read(normalised: str) -> _Reading:
    """The quantities, the known phrases and the leftover words of a normalised message."""
    quantities = _quantities(normalised)
    masked = _mask(normalised, [(q.start, q.end) for q in quantities])
    matches = list(_PHRASES.finditer(masked))
    entries = tuple(lex.PHRASES[m.group()] for m in matches)
    entries += tuple(("mode", "metro") for q in quantities if q.kind == "metro_line")  # 坐2号线
    leftover = _LEFTOVER.findall(_mask(masked, [m.span() for m in matches]))
    return _Reading(tuple(quantities), entries, tuple(leftover))


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)


def _quantities(text: str) -> list[_Quantity]:
    """Every number in the text with the unit right after it (Arabic first, then Chinese, then English)."""
    found: list[_Quantity] = []
    taken: set[int] = set()
    for finder in (_arabic_quantities, _chinese_quantities, _english_quantities):
        for quantity in finder(text):
            span = set(range(quantity.start, quantity.end))
            if not span & taken:
                found.append(quantity)
                taken |= span
    return sorted(found, key=lambda q: q.start)


def _arabic_quantities(text: str) -> Iterator[_Quantity]:
    for match in _ARABIC.finditer(text):
        digits = match.group(2).rstrip(".,")
        start, end = match.start(), match.start(2) + len(digits)
        factor, end = _multiplier(text, end)
        value = _scaled(_arabic_value(match.group(1), digits), factor)
        kind, unit_factor, end = _unit(text, end)
        value, end = _and_a_half(text, value, kind, end)
        yield _Quantity(start, end, _scaled(value, unit_factor), kind)


def _arabic_value(sign: str, digits: str) -> Decimal | None:
    if len(digits) > _MAX_DIGITS or not _ARABIC_STRICT.fullmatch(digits):
        return None
    return Decimal(sign + digits.replace(",", ""))


def _multiplier(text: str, end: int) -> tuple[Decimal, int]:
    """A multiplier right after digits ("1万步", "1.5万", "8千步"), unless a unit starts there (千米)."""
    factor = Decimal(1)
    if _unit(text, end)[0] is not None:
        return factor, end
    if text[end : end + 1] == "k" and _unit(text, end + 1)[0] in lex.AMOUNT_KINDS:
        return Decimal(1000), end + 1  # "10k steps"
    while end < len(text) and text[end] in lex.CN_MULTIPLIERS and _unit(text, end)[0] is None:
        factor *= lex.CN_MULTIPLIERS[text[end]]
        end += 1
    return factor, end


def _chinese_quantities(text: str) -> Iterator[_Quantity]:
    for match in _CN_NUMBER.finditer(text):
        start, end = match.span()
        if text[end - 1] == "千" and _unit(text, end - 1)[0] is not None:  # 五千克 = 5 kg, not 5000 克
            end -= 1
        if start == end:
            continue
        kind, factor, unit_end = _unit(text, end)
        numeral = text[start:end]
        if kind is None or (kind == "steps" and not set(numeral) & set(lex.CN_MULTIPLIERS)):  # "下一步"
            continue
        value, unit_end = _and_a_half(text, _chinese_value(numeral), kind, unit_end)
        yield _Quantity(start, unit_end, _scaled(value, factor), kind)


def _english_quantities(text: str) -> Iterator[_Quantity]:
    for match in _EN_NUMBER.finditer(text):
        words = match.group().replace("-", " ").split()
        while words and words[-1] == "and":
            words.pop()
        end = match.start() + len(" ".join(words))
        kind, factor, unit_end = _unit(text, end)
        if kind in lex.AMOUNT_KINDS:
            yield _Quantity(match.start(), unit_end, _scaled(_english_value(words), factor), kind)


def _unit(text: str, end: int) -> tuple[str | None, Decimal, int]:
    """The unit word at ``end`` (after at most one space): (kind, factor, new end), or (None, 1, end)."""
    position = end + 1 if text[end : end + 1] == " " else end
    for word in _UNIT_WORDS:
        if text.startswith(word, position):
            after = position + len(word)
            if word[-1].isascii() and word[-1].isalpha() and text[after : after + 1].isalpha():
                continue  # "8 more" is not 8 m
            kind, factor = lex.UNITS[word]
            return kind, factor, after
    return None, Decimal(1), end


def _and_a_half(text: str, value: Decimal | None, kind: str | None, end: int) -> tuple[Decimal | None, int]:
    """ "两斤半" is 2.5 斤, "一公里半" 1.5 km."""
    if value is not None and kind in lex.AMOUNT_KINDS and text[end : end + 1] == "半":
        return value + Decimal("0.5"), end + 1
    return value, end


def _scaled(value: Decimal | None, factor: Decimal) -> Decimal | None:
    if value is None:
        return None
    with localcontext() as context:
        context.prec = 2 * _MAX_DIGITS
        return value * factor


def _chinese_value(numeral: str) -> Decimal | None:
    """ "十二" 12, "八千" 8000, "两千五" 2500, "一万五千" 15000, "一点五" 1.5, "半" 0.5; None if malformed."""
    if numeral == "半":
        return Decimal("0.5")
    whole, _, fraction = numeral.partition("点")
    integer = _chinese_integer(whole)
    if integer is None or not all(char in lex.CN_DIGITS for char in fraction):
        return None
    decimals = "".join(str(lex.CN_DIGITS[char]) for char in fraction)
    return Decimal(f"{integer}.{decimals}") if decimals else Decimal(integer)


def _chinese_integer(numeral: str) -> int | None:
    """Sections of 万 / 亿, each of digits times 十 百 千; a last digit right after a unit is colloquial."""
    total, section, digit = 0, 0, None
    small, big, previous = None, None, ""
    for char in numeral:
        if char in lex.CN_DIGITS:
            if previous in lex.CN_DIGITS and previous not in "零〇":
                return None  # "三四" is not a number
            digit = lex.CN_DIGITS[char]
        elif char in lex.CN_SMALL_UNITS:
            unit = lex.CN_SMALL_UNITS[char]
            if digit is None and unit == 10 and not previous:
                digit = 1  # "十二" = 12
            if digit is None or (small is not None and unit >= small):
                return None
            section, digit, small = section + digit * unit, None, unit
        else:
            unit = lex.CN_BIG_UNITS[char]
            section += digit or 0
            if not section:
                return None
            total = (total + section) * unit if big is None or unit > big else total + section * unit
            section, digit, small, big = 0, None, None, unit
        previous = char
    if digit is not None and len(numeral) > 1 and numeral[-2] in lex.CN_MULTIPLIERS:
        digit *= lex.CN_MULTIPLIERS[numeral[-2]] // 10  # colloquial "两千五" = 2500, "一万五" = 15000
    return total + section + (digit or 0)


def _english_value(words: list[str]) -> Decimal:
    total, current = 0, 0
    for word in words:
        if word in lex.EN_NUMBERS:
            current += lex.EN_NUMBERS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
    return Decimal(total + current)


def _whole_numeral(normalised: str) -> Decimal | None:
    """A reply that is only a Chinese or English numeral ("八", "twelve")."""
    if _CN_NUMBER.fullmatch(normalised):
        return _chinese_value(normalised)
    if _EN_NUMBER.fullmatch(normalised):
        return _english_value(normalised.replace("-", " ").split())
    return None


# ---- from what was read to a Parsed -------------------------------------------------------------------


def _free_text(reading: _Reading, original: str) -> Parsed:
    behaviours = _behaviours(reading)
    if not behaviours:
        return Parsed("unknown", inputs=_hints(reading), reason="no_behaviour", text=original)
    if len(behaviours) > 1:
        return Parsed("unknown", reason="ambiguous", text=original)
    return _log(behaviours.pop(), reading, original)


def _behaviours(reading: _Reading) -> set[str]:
    """Strong keywords and self-naming units, plus weak keywords backed by their amount or a second one."""
    kinds = {kind for kind, _ in reading.entries}
    units = {q.kind for q in reading.quantities}
    found = {lex.STRONG[kind] for kind in kinds if kind in lex.STRONG}
    found |= {lex.BEHAVIOUR_OF_UNIT[unit] for unit in units if unit in lex.BEHAVIOUR_OF_UNIT}
    for behaviour in set(lex.WEAK.values()) - found:
        weak = {kind for kind in kinds if lex.WEAK.get(kind) == behaviour}
        if weak and (len(weak) >= 2 or units & _amount_kinds(behaviour)):
            found.add(behaviour)
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
            hints[kind] = _amount_value(kind, values.pop())
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
        inputs[amount_name] = _amount_value(amount_name, amounts.pop())
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


def _amount_value(name: str, value: Decimal) -> str | int:
    """steps and trees as int when whole; otherwise exact decimal text ("1.50" -> "1.5", "-0" -> "0")."""
    if name in ("steps", "trees") and value == value.to_integral_value():
        try:
            return int(value)
        except (OverflowError, InvalidOperation):  # pragma: no cover - Decimal ints are unbounded
            pass
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
