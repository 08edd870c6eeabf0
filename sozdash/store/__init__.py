"""The database: connections, models, migrations, cached queries, seed, dump, integrity and first-start bootstrap."""
