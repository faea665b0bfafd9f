"""Statistics (reads only): public totals, campaign figures and leaderboard, the administrators' dashboard
(from the daily rollups), its periods and redemption figures, and the one chart module (SVG, no script)."""

from carbon_credit.stats.campaigns import (
    LEADERBOARD_SIZE,
    MAX_SERIES_DAYS,
    Breakdown,
    CampaignTotals,
    Leader,
    leaderboard,
    privacy,
    public_campaigns,
    set_privacy,
)
from carbon_credit.stats.campaigns import totals as campaign_totals
from carbon_credit.stats.charts import bar_chart, line_chart_svg
from carbon_credit.stats.dashboard import (
    ACTIVE_CACHE_SECONDS,
    Dashboard,
    Row,
    Sums,
    active_residents,
    dashboard_figures,
    forget_active_residents,
)
from carbon_credit.stats.periods import (
    DEFAULT_RANGE_DAYS,
    GRANULARITIES,
    MAX_RANGE_DAYS,
    check_range,
    day_bounds,
    default_range,
    period_label,
    period_start,
    period_starts,
)
from carbon_credit.stats.public import CREDITED, Totals, totals
from carbon_credit.stats.redemptions import Redemptions, RewardStock, redemptions_by_period, reward_stock

__all__ = [
    "ACTIVE_CACHE_SECONDS",
    "CREDITED",
    "DEFAULT_RANGE_DAYS",
    "GRANULARITIES",
    "LEADERBOARD_SIZE",
    "MAX_RANGE_DAYS",
    "MAX_SERIES_DAYS",
    "Breakdown",
    "CampaignTotals",
    "Dashboard",
    "Leader",
    "Redemptions",
    "RewardStock",
    "Row",
    "Sums",
    "Totals",
    "active_residents",
    "bar_chart",
    "campaign_totals",
    "check_range",
    "dashboard_figures",
    "day_bounds",
    "default_range",
    "forget_active_residents",
    "leaderboard",
    "line_chart_svg",
    "period_label",
    "period_start",
    "period_starts",
    "privacy",
    "public_campaigns",
    "redemptions_by_period",
    "reward_stock",
    "set_privacy",
    "totals",
]
