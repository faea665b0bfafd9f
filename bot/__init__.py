"""Telegram adapter over ``carbon_credit`` (the dialogue itself lives in ``carbon_credit``)."""
