"""The points ledger: the ONLY writer of ledger entries and account balances (post, reverse, balance,
discrepancies, debt after a clawback). Imports no feature."""

from carbon_credit.ledger.debt import Debt, debt_of
from carbon_credit.ledger.expiry import expire_points
from carbon_credit.ledger.models import LEDGER_KINDS, Account, LedgerEntry
from carbon_credit.ledger.operations import (
    MAX_POINTS_PER_ENTRY,
    SIGNS,
    Posting,
    account_id_for,
    balance,
    discrepancies,
    entries,
    lock_accounts,
    locked_balance,
    open_account,
    post,
    post_many,
    reverse,
)
from carbon_credit.ledger.statements import entry_ctes, entry_params, loaded, post_rows

__all__ = [
    "LEDGER_KINDS",
    "Account",
    "LedgerEntry",
    "Debt",
    "debt_of",
    "MAX_POINTS_PER_ENTRY",
    "SIGNS",
    "Posting",
    "open_account",
    "account_id_for",
    "lock_accounts",
    "locked_balance",
    "entry_ctes",
    "entry_params",
    "post_rows",
    "loaded",
    "balance",
    "post",
    "post_many",
    "reverse",
    "entries",
    "discrepancies",
    "expire_points",
]
