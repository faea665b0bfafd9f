"""Reference data: Xiaogan's seven county-level districts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DISTRICTS = [
    ("xiaonan", "孝南区", "Xiaonan District"),
    ("hanchuan", "汉川市", "Hanchuan City"),
    ("yingcheng", "应城市", "Yingcheng City"),
    ("anlu", "安陆市", "Anlu City"),
    ("yunmeng", "云梦县", "Yunmeng County"),
    ("dawu", "大悟县", "Dawu County"),
    ("xiaochang", "孝昌县", "Xiaochang County"),
]

districts = sa.table("districts", sa.column("code", sa.String), sa.column("name_zh", sa.String), sa.column("name_en", sa.String))


def upgrade() -> None:
    op.bulk_insert(districts, [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en in DISTRICTS])


def downgrade() -> None:
    op.execute(districts.delete().where(districts.c.code.in_([c for c, _, _ in DISTRICTS])))
