"""Every feature's tables, imported so that ``SQLModel.metadata`` is complete (Alembic, tests)."""

import carbon_credit.activities.models  # noqa: F401
import carbon_credit.campaigns.models  # noqa: F401
import carbon_credit.chat.models  # noqa: F401
import carbon_credit.exports.models  # noqa: F401
import carbon_credit.jobs.models  # noqa: F401
import carbon_credit.ledger.models  # noqa: F401
import carbon_credit.notifications.models  # noqa: F401
import carbon_credit.platform.models  # noqa: F401
import carbon_credit.registry.models  # noqa: F401
import carbon_credit.residents.models  # noqa: F401
import carbon_credit.review.models  # noqa: F401
import carbon_credit.rewards.models  # noqa: F401
import carbon_credit.stops.models  # noqa: F401
import carbon_credit.transit.models  # noqa: F401
