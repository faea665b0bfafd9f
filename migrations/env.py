"""Alembic environment on SQLModel.metadata, for SQLite (batch mode) and PostgreSQL.

The engine comes from ``config.attributes["engine"]`` when called through
``carbon_credit.platform.database.migrate``, else from the settings in the environment
(``DATABASE_URL``), so ``alembic upgrade head`` works too.
"""

from alembic import context
from sqlmodel import SQLModel

import carbon_credit.tables  # noqa: F401 - registers the tables on SQLModel.metadata
from carbon_credit.platform.database import make_engine
from carbon_credit.platform.settings import Settings

target_metadata = SQLModel.metadata


def _engine():
    engine = context.config.attributes.get("engine")
    return engine if engine is not None else make_engine(Settings.from_env().database_url)


def run_migrations_offline() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
