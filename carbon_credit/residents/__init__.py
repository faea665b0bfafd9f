"""Residents and staff accounts: registration with a points account, sign-in (with a per-account back-off),
passwords (refused when easy to guess), session versions (logout, password change and an administrator's
lock end every session; the lock is audited with its reason), language, districts, the list of accounts
staff see (contacts masked), and personal API tokens (created, listed, revoked, checked).
The other features read residents through the names exported here."""

from carbon_credit.residents.accounts import (
    EMAIL,
    LOCK_REASON_MAX,
    MOBILE,
    authenticate,
    change_password,
    create_resident,
    district_by_code,
    districts,
    end_sessions,
    find_by_login,
    get,
    parse_login,
    register,
    set_active,
    set_locale,
    signed_in,
)
from carbon_credit.residents.attempts import LoginAttempts
from carbon_credit.residents.contacts import mask_email, mask_phone, masked_contact
from carbon_credit.residents.directory import ResidentPage, ResidentRow, directory, profile
from carbon_credit.residents.models import ROLES, ApiToken, District, Resident
from carbon_credit.residents.passwords import MAX_PASSWORD, MIN_PASSWORD
from carbon_credit.residents.tokens import (
    MAX_ACTIVE_TOKENS,
    MAX_NAME,
    TOKEN_PREFIX,
    TokenOwner,
    create_token,
    hash_token,
    owner_of_token,
    record_use,
    revoke_all_tokens,
    revoke_token,
    tokens_of,
)

__all__ = [
    "EMAIL",
    "LOCK_REASON_MAX",
    "MAX_ACTIVE_TOKENS",
    "MAX_NAME",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "MOBILE",
    "ROLES",
    "TOKEN_PREFIX",
    "ApiToken",
    "District",
    "LoginAttempts",
    "Resident",
    "ResidentPage",
    "ResidentRow",
    "TokenOwner",
    "authenticate",
    "change_password",
    "create_resident",
    "create_token",
    "directory",
    "district_by_code",
    "districts",
    "end_sessions",
    "find_by_login",
    "get",
    "hash_token",
    "mask_email",
    "mask_phone",
    "masked_contact",
    "owner_of_token",
    "parse_login",
    "profile",
    "record_use",
    "register",
    "revoke_all_tokens",
    "revoke_token",
    "set_active",
    "set_locale",
    "signed_in",
    "tokens_of",
]
