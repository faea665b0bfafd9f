"""The web chat page: the same dialogue as the Telegram bot, for residents who cannot reach Telegram."""

from flask import Blueprint

bp = Blueprint("chat", __name__)
