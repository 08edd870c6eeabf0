"""one version per table instead of one for all: a write invalidates only the cached queries that read what it changed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None



def upgrade() -> None:
    # no rows: a table's first write adds its row (version 1); a missing row is version 0
    op.create_table(
        'table_versions',
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('table_name', name=op.f('pk_table_versions')),
    )
    op.drop_table('data_version')


def downgrade() -> None:
    conn = op.get_bind()
    total = conn.execute(sa.text("SELECT COALESCE(SUM(version), 0) FROM table_versions")).scalar()
    data_version = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(data_version, [{"id": 1, "version": total}])
    op.drop_table('table_versions')
