"""Residents and staff accounts: registration with a points account, sign-in (with a per-account back-off),
passwords (refused when easy to guess), session versions (logout, password change and an administrator's
lock end every session; the lock is audited with its reason), language, districts, the list of accounts
staff see (contacts masked), personal API tokens (created, listed, revoked, checked), the versioned privacy
notice and consent records (the notice accepted, a switch per optional or sensitive use).
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
from carbon_credit.residents.activity import mark_active
from carbon_credit.residents.attempts import LoginAttempts
from carbon_credit.residents.consents import (
    MIN_AGE,
    SENSITIVE,
    SWITCHES,
    Consents,
    accepted_notice,
    consent_expression,
    consenting,
    consents_of,
    has_consent,
    needs_notice,
    require_consent,
    set_consent,
)
from carbon_credit.residents.contacts import mask_email, mask_phone, masked_contact
from carbon_credit.residents.correction import ProfileChange, update_profile, verify_password
from carbon_credit.residents.directory import ResidentPage, ResidentRow, directory, profile
from carbon_credit.residents.models import (
    CONSENT_CHANNELS,
    CONSENT_PURPOSES,
    ROLES,
    ApiToken,
    ConsentRecord,
    District,
    Resident,
)
from carbon_credit.residents.notices import Notice, NoticeText, current_notice, notice_versions
from carbon_credit.residents.passwords import MAX_PASSWORD, MIN_PASSWORD
from carbon_credit.residents.record_access import (
    RECORD_OPENED,
    RECORD_REASON_MAX,
    FullRecord,
    open_full_record,
)
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
    "CONSENT_CHANNELS",
    "CONSENT_PURPOSES",
    "EMAIL",
    "LOCK_REASON_MAX",
    "MAX_ACTIVE_TOKENS",
    "MAX_NAME",
    "MAX_PASSWORD",
    "MIN_AGE",
    "MIN_PASSWORD",
    "MOBILE",
    "ROLES",
    "SENSITIVE",
    "SWITCHES",
    "TOKEN_PREFIX",
    "ApiToken",
    "ConsentRecord",
    "Consents",
    "District",
    "LoginAttempts",
    "Notice",
    "NoticeText",
    "Resident",
    "ResidentPage",
    "ProfileChange",
    "ResidentRow",
    "TokenOwner",
    "accepted_notice",
    "authenticate",
    "change_password",
    "consent_expression",
    "consenting",
    "consents_of",
    "create_resident",
    "create_token",
    "current_notice",
    "directory",
    "district_by_code",
    "districts",
    "end_sessions",
    "find_by_login",
    "get",
    "has_consent",
    "hash_token",
    "mask_email",
    "mask_phone",
    "masked_contact",
    "needs_notice",
    "notice_versions",
    "owner_of_token",
    "parse_login",
    "profile",
    "record_use",
    "register",
    "revoke_all_tokens",
    "revoke_token",
    "set_active",
    "set_consent",
    "set_locale",
    "signed_in",
    "tokens_of",
    "update_profile",
    "verify_password",
]
__all__ += ["RECORD_OPENED", "RECORD_REASON_MAX", "FullRecord", "open_full_record"]  # full record
__all__ += ["mark_active"]  # last activity (inactive accounts)
__all__ += ["require_consent"]  # the one consent check (refuses with the purpose's message)
