"""Residents' data rights under PIPL (个人信息保护法): a copy of everything the platform holds about a
resident (access and portability, Art. 44-45) and the erasure of an account (Art. 47), over every feature's
tables. Consent itself lives with the resident (carbon_credit.residents), below the features it gates."""

from __future__ import annotations

__all__: list[str] = []
