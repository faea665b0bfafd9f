"""Reading amounts in chat text: numbers with the unit right after them, in Arabic digits ("8", "1,000",
"1.5万"), Chinese numerals ("十二", "八千", "两斤半") and English words ("two", "a tree"), as exact Decimals
scaled to the unit's kind (km, kg, steps, trees, kWh); and an amount's canonical form for quantification.

Pure functions, standard library only; the word tables live in :mod:`carbon_credit.chat.nlu_lexicon`.
Amounts never go through float: 斤 is 0.5 kg, 克 / g is 0.001 kg, 米 / m is 0.001 km, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from carbon_credit.chat import nlu_lexicon as lex

_MAX_DIGITS = 60


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number found in the text: its span, its value scaled to the unit, and the unit's kind."""

    start: int
    end: int
    value: Decimal | None  # None: malformed ("8.5.1")
    kind: str | None  # a unit kind of nlu_lexicon.UNITS, or None for a bare number


_ARABIC = re.compile(r"(?<![a-z0-9.,])(-?)((?:\.\d|\d)[\d.,]*)")
_ARABIC_STRICT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_CN_CHARS = "".join((*lex.CN_DIGITS, *lex.CN_MULTIPLIERS))
_CN_NUMBER = re.compile(rf"[{_CN_CHARS}]+(?:点[{''.join(lex.CN_DIGITS)}]+)?|半")
_EN_WORDS = "|".join(sorted((*lex.EN_NUMBERS, *lex.EN_MULTIPLIERS), key=len, reverse=True))
_EN_NUMBER = re.compile(rf"(?<![a-z])(?:{_EN_WORDS})(?:[ -](?:{_EN_WORDS}|and))*(?![a-z])")
_UNIT_WORDS = sorted(lex.UNITS, key=len, reverse=True)


def quantities(text: str) -> list[Quantity]:
    """Every number in the text with the unit right after it (Arabic first, then Chinese, then English)."""
    found: list[Quantity] = []
    taken: set[int] = set()
    for finder in (_arabic_quantities, _chinese_quantities, _english_quantities):
        for quantity in finder(text):
            span = set(range(quantity.start, quantity.end))
            if not span & taken:
                found.append(quantity)
                taken |= span
    return sorted(found, key=lambda q: q.start)


def _arabic_quantities(text: str) -> Iterator[Quantity]:
    for match in _ARABIC.finditer(text):
        digits = match.group(2).rstrip(".,")
        start, end = match.start(), match.start(2) + len(digits)
        factor, end = _multiplier(text, end)
        value = _scaled(_arabic_value(match.group(1), digits), factor)
        kind, unit_factor, end = _unit(text, end)
        value, end = _and_a_half(text, value, kind, end)
        yield Quantity(start, end, _scaled(value, unit_factor), kind)


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


def _chinese_quantities(text: str) -> Iterator[Quantity]:
    for match in _CN_NUMBER.finditer(text):
        start, end = match.span()
        if text[end - 1] == "千" and _unit(text, end - 1)[0] is not None:  # 五千克 = 5 kg, not 5000 克
            end -= 1
        elif text[end - 1] == "两" and end - start > 1 and _unit(text, end)[0] is None:
            end -= 1  # 三两 = 3 两 (150 g), 一两 = 50 g; 两斤 stays 2 斤
        if start == end:
            continue
        kind, factor, unit_end = _unit(text, end)
        numeral = text[start:end]
        if kind is None or (kind == "steps" and not set(numeral) & set(lex.CN_MULTIPLIERS)):  # "下一步"
            continue
        value, unit_end = _and_a_half(text, _chinese_value(numeral), kind, unit_end)
        yield Quantity(start, unit_end, _scaled(value, factor), kind)


def _english_quantities(text: str) -> Iterator[Quantity]:
    for match in _EN_NUMBER.finditer(text):
        words = match.group().replace("-", " ").split()
        while words and words[-1] == "and":
            words.pop()
        end = match.start() + len(" ".join(words))
        kind, factor, unit_end = _unit(text, end)
        if kind in lex.AMOUNT_KINDS:
            yield Quantity(match.start(), unit_end, _scaled(_english_value(words), factor), kind)


def _unit(text: str, end: int) -> tuple[str | None, Decimal, int]:
    """The unit word at ``end`` (after at most one space, or 多 / 余: "八千多步" counts 8000): (kind, factor,
    new end), or (None, 1, end)."""
    position = end + 1 if text[end : end + 1] in (" ", "多", "余") else end
    for word in _UNIT_WORDS:
        if text.startswith(word, position):
            after = position + len(word)
            following = text[after : after + 1]
            if word[-1].isascii() and word[-1].isalpha() and following.isascii() and following.isalpha():
                continue  # "8 more" is not 8 m; "5kg塑料瓶" is 5 kg
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


def whole_numeral(normalised: str) -> Decimal | None:
    """A reply that is only a Chinese or English numeral ("八", "twelve")."""
    if _CN_NUMBER.fullmatch(normalised):
        return _chinese_value(normalised)
    if _EN_NUMBER.fullmatch(normalised):
        return _english_value(normalised.replace("-", " ").split())
    return None


def amount_value(name: str, value: Decimal) -> str | int:
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
