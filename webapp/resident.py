"""Resident pages: home, logging actions, history, activity detail, account."""

from flask import Blueprint

bp = Blueprint("resident", __name__)
