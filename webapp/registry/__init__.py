"""The public registry of pooled reductions (``registry`` blueprint): every batch, a batch, a certificate's
verification page, neutralisation events with residents' donations, and a resident's certificates. The
administrator's pages are in webapp.admin.registry; every rule is carbon_credit.registry's."""

from webapp.registry import donate  # noqa: F401 - adds the donation views to the blueprint
from webapp.registry.public import bp

__all__ = ["bp"]
