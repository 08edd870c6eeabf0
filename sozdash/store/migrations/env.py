"""Alembic environment: runs on the connection handed over by ``sozdash.store.bootstrap``, or on DATABASE_URL."""

from alembic import context

from sozdash.store.db import get_engine
from sozdash.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    with get_engine().begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
