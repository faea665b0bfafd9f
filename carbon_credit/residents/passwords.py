"""Password rules and hashing: 8 to 128 characters that are not easy to guess.

"Easy to guess" is judged by zxcvbn (Dropbox's estimator, run locally, no network lookup): it knows common
passwords, words, names, keyboard walks, dates and sequences such as ``12345678``, and the resident's own
login and display name. A password must reach :data:`MIN_SCORE` (zxcvbn's 0-4 scale; 2 = "somewhat
guessable", more than 10^6 guesses, beyond an online attacker held back by the login limits).
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.security import generate_password_hash

from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings

MIN_PASSWORD = 8
MAX_PASSWORD = 128
MIN_SCORE = 2
# A hash to compare against when the login is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASHES: dict[str, str] = {}


def check_password_rules(password: str, user_inputs: Iterable[str | None] = ()) -> None:
    """Refuse a password that is too short or long (``weak_password``) or easy to guess
    (``easy_password``), counting the resident's own login and name as easy."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise DomainError("weak_password", min=MIN_PASSWORD, max=MAX_PASSWORD)
    known = [value for value in user_inputs if value]
    from zxcvbn import zxcvbn  # loaded on first use: about 20 MB that most processes never need

    if zxcvbn(password, user_inputs=known)["score"] < MIN_SCORE:
        raise DomainError("easy_password")


def hash_password(password: str, settings: Settings) -> str:
    """The stored form of a password (``PASSWORD_HASH_METHOD``, scrypt by default)."""
    return generate_password_hash(password, method=settings.password_hash_method)


def dummy_hash(settings: Settings) -> str:
    """A hash of no one's password, to spend the same work on an unknown login as on a wrong password."""
    method = settings.password_hash_method
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY_HASHES[method]
