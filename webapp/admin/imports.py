"""Admin: imports."""

from webapp.admin.blueprint import bp  # noqa: F401
