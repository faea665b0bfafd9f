"""Contacts as staff see them: masked (PIPL: the least personal information a task needs). A mobile number
keeps its first three and last four digits (``138****8000``), an e-mail address its first character and its
domain (``w***@example.cn``); the full contact never reaches a staff page."""

from __future__ import annotations

from carbon_credit.residents.models import Resident

STARS = "****"


def mask_phone(phone: str) -> str:
    """``13800138000`` -> ``138****8000``; a number too short to keep anything is all stars."""
    if len(phone) < 8:
        return STARS
    return f"{phone[:3]}{STARS}{phone[-4:]}"


def mask_email(email: str) -> str:
    """``wang@example.cn`` -> ``w***@example.cn`` (the length of the name is not shown either)."""
    name, at, domain = email.partition("@")
    if not at:
        return STARS
    return f"{name[:1]}***@{domain}"


def masked_contact(resident: Resident) -> str | None:
    """The resident's mobile number, else e-mail address, masked; None when they have neither."""
    if resident.phone:
        return mask_phone(resident.phone)
    if resident.email:
        return mask_email(resident.email)
    return None
