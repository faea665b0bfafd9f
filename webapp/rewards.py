"""Rewards catalogue, redemption, vouchers and voucher verification."""

from flask import Blueprint

bp = Blueprint("rewards", __name__)
