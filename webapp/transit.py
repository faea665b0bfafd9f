"""QR check-in at transit stops."""

from flask import Blueprint

bp = Blueprint("transit", __name__)
