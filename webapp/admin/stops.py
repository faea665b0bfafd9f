"""Admin: stops."""

from webapp.admin.blueprint import bp  # noqa: F401
