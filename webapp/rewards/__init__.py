"""Rewards pages: catalogue, redemption, vouchers and voucher verification (``rewards`` blueprint)."""

from webapp.rewards.views import bp

__all__ = ["bp"]
