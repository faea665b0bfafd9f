"""Admin: audit."""

from webapp.admin.blueprint import bp  # noqa: F401
