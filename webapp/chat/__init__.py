"""The web chat page (``chat`` blueprint): the same dialogue as the Telegram bot."""

from webapp.chat.views import bp

__all__ = ["bp"]
