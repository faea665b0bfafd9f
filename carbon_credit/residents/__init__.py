"""Residents and staff accounts: registration, sign-in, passwords, language, districts and personal API
tokens."""

from carbon_credit.residents.accounts import (
    EMAIL,
    MAX_PASSWORD,
    MIN_PASSWORD,
    MOBILE,
    authenticate,
    change_password,
    create_resident,
    district_by_code,
    districts,
    find_by_login,
    get,
    parse_login,
    register,
    set_locale,
)
from carbon_credit.residents.models import ROLES, ApiToken, District, Resident

__all__ = [
    "ROLES",
    "District",
    "Resident",
    "ApiToken",
    "MIN_PASSWORD",
    "MAX_PASSWORD",
    "MOBILE",
    "EMAIL",
    "create_resident",
    "register",
    "parse_login",
    "authenticate",
    "change_password",
    "set_locale",
    "get",
    "find_by_login",
    "districts",
    "district_by_code",
]
