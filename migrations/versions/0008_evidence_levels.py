"""Evidence levels and claim facts on activities (points integrity).

Every activity gets its evidence level (docs/rules.md): stop QR pairs, operator imports and the demo's
stand-in for them are ``verified``; an entry with a photo that was approved after review (or still waits for
it) is ``evidenced``; the rest is ``declared``. Points and the ledger are not touched, so every balance stays
what it was. Each new activity keeps a digest of its request, so a reused key with another request is refused
(activities recorded before have none and are compared by behaviour). The daily rollups gain the evidence
level as a dimension and are rebuilt from the activities.

On SQLite the activities table is altered in place (ADD COLUMN), never copied: tap-ins refer to it, and a
copy would break their foreign keys.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVIDENCE = "evidence IN ('verified', 'evidenced', 'declared')"
OLD_KEY = ["local_day", "behaviour", "district_id", "channel", "campaign_id"]

ASSIGN = """
UPDATE activities SET evidence = CASE
    WHEN channel IN ('qr', 'import', 'demo') THEN 'verified'
    WHEN photo IS NOT NULL AND (status = 'pending' OR (status = 'credited' AND reviewed_by IS NOT NULL))
        THEN 'evidenced'
    ELSE 'declared'
END
"""

REBUILD_ROLLUPS = """
INSERT INTO daily_rollups (local_day, behaviour, district_id, channel, campaign_id{column},
                           activities, grams, points, bonus_points)
SELECT a.local_day, a.behaviour, COALESCE(r.district_id, 0), a.channel, COALESCE(a.campaign_id, 0){value},
       COUNT(a.id), SUM(a.grams), SUM(a.points), SUM(a.bonus_points)
FROM activities a JOIN residents r ON r.id = a.resident_id
WHERE a.status = 'credited'
GROUP BY a.local_day, a.behaviour, COALESCE(r.district_id, 0), a.channel, COALESCE(a.campaign_id, 0){value}
"""


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.add_column("activities", sa.Column("request_digest", _text(64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        check = sa.CheckConstraint(EVIDENCE, name="ck_activities_evidence")
        column = sa.Column("evidence", _text(16), check, nullable=False, server_default="declared")
        op.add_column("activities", column)
        op.execute(ASSIGN)
    else:
        op.add_column("activities", sa.Column("evidence", _text(16), nullable=True))
        op.execute(ASSIGN)
        op.alter_column("activities", "evidence", existing_type=_text(16), nullable=False)
        op.create_check_constraint("ck_activities_evidence", "activities", EVIDENCE)

    op.execute("DELETE FROM daily_rollups")
    with op.batch_alter_table("daily_rollups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", _text(16), nullable=False))
        batch_op.drop_constraint("uq_daily_rollups_key", type_="unique")
        batch_op.create_unique_constraint("uq_daily_rollups_key", [*OLD_KEY, "evidence"])
    op.execute(REBUILD_ROLLUPS.format(column=", evidence", value=", a.evidence"))


def downgrade() -> None:
    op.execute("DELETE FROM daily_rollups")
    with op.batch_alter_table("daily_rollups", schema=None) as batch_op:
        batch_op.drop_constraint("uq_daily_rollups_key", type_="unique")
        batch_op.create_unique_constraint("uq_daily_rollups_key", OLD_KEY)
        batch_op.drop_column("evidence")
    op.execute(REBUILD_ROLLUPS.format(column="", value=""))

    if op.get_bind().dialect.name == "sqlite":  # in place: the column's own CHECK goes with it
        op.execute("ALTER TABLE activities DROP COLUMN evidence")
        op.execute("ALTER TABLE activities DROP COLUMN request_digest")
    else:
        op.drop_constraint("ck_activities_evidence", "activities", type_="check")
        op.drop_column("activities", "evidence")
        op.drop_column("activities", "request_digest")
