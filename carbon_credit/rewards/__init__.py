"""Rewards: the catalogue, redeeming points for vouchers (all or nothing, once per key) and marking a voucher
used exactly once; voiding unused vouchers after a clawback (refund, stock back)."""

from carbon_credit.rewards.models import VOUCHER_STATUSES, Reward, Voucher
from carbon_credit.rewards.operations import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_ID,
    MAX_KEY_LENGTH,
    STAFF_ROLES,
    CataloguePage,
    can_verify,
    catalogue,
    catalogue_page,
    get_reward,
    is_open,
    new_code,
    normalise_code,
    points_balance,
    redeem,
    use_voucher,
    voucher_for,
    vouchers_of,
)
from carbon_credit.rewards.voids import HeldVoucher, unused_vouchers, void_vouchers

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_ID",
    "MAX_KEY_LENGTH",
    "STAFF_ROLES",
    "VOUCHER_STATUSES",
    "CataloguePage",
    "HeldVoucher",
    "Reward",
    "Voucher",
    "can_verify",
    "catalogue",
    "catalogue_page",
    "get_reward",
    "is_open",
    "new_code",
    "normalise_code",
    "points_balance",
    "redeem",
    "use_voucher",
    "voucher_for",
    "unused_vouchers",
    "void_vouchers",
    "vouchers_of",
]
