"""Alembic environment of the run store: always given a connection by :func:`rnn_lab.store.migrate.upgrade`."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
