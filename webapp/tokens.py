"""Personal API token pages: list, create (shown once), revoke."""

from flask import Blueprint

bp = Blueprint("tokens", __name__)
