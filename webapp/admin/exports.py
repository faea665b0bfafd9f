"""Admin: exports."""

from webapp.admin.blueprint import bp  # noqa: F401
