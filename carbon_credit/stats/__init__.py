"""Statistics: public totals, campaign figures, the administrators' dashboard and charts."""

from carbon_credit.stats.public import CREDITED, Totals, totals

__all__ = ["CREDITED", "Totals", "totals"]
