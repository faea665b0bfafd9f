"""Notifications: the outbox of messages for residents (review outcomes, campaign announcements, the weekly
summary, the yearly tree-year reminder), written in the transaction of the change they report, sent by the
bot, shown on the web."""

from carbon_credit.notifications.campaigns import announce_campaigns
from carbon_credit.notifications.models import Notification
from carbon_credit.notifications.outbox import mark_sent, notify, pending, recent_for, render
from carbon_credit.notifications.tree_years import remind_tree_years
from carbon_credit.notifications.weekly import last_week, queue_summaries

__all__ = [
    "Notification",
    "announce_campaigns",
    "last_week",
    "mark_sent",
    "notify",
    "pending",
    "queue_summaries",
    "recent_for",
    "remind_tree_years",
    "render",
]
