"""Notifications: the outbox of messages for residents and the weekly summary."""

from carbon_credit.notifications.models import Notification
from carbon_credit.notifications.outbox import mark_sent, notify, pending, recent_for, render

__all__ = ["Notification", "notify", "pending", "mark_sent", "recent_for", "render"]
