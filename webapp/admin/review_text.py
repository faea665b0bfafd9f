"""Admin: the review pages' words. An entry's are its activity page's (``activities.explain``: what was
done in one phrase, "回收玻璃 25 公斤", and its inputs and details as facts); a refused transit scan keeps
no activity, only its evidence (the leg as measured: metres, mode, basis, elapsed_s; the last scan's time;
ids and the message's params), put in words by the same formatter (``activities.facts_in_words``). A
fact with no words for people (an id, a code) is ``technical``: the pages show it only in the collapsed
technical details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carbon_credit import activities
from webapp.i18n import current_locale


def in_words(activity: activities.Activity) -> activities.Explanation:
    """The entry in the reviewer's language: ``what`` (one phrase) and its ``facts``."""
    return activities.explain(activity, current_locale())


def evidence_facts(evidence: Mapping[str, Any] | None) -> tuple[activities.Fact, ...]:
    """A refused scan's evidence as facts in the reviewer's language (a mode's words need no methodology)."""
    return activities.facts_in_words(evidence, current_locale())
