"""Alembic environment: runs on the connection cem.core.db.migrate hands over,
or on sqlalchemy.url when called from the alembic command line."""
from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import cem.core.models  # noqa: F401  (registers the tables)
from cem.kb import outside_the_models

config = context.config
target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=outside_the_models,  # the knowledge base's search indexes (migration 0011)
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        run(conn)
