"""observations indexed by (indicator, period): one indicator in one year without reading its other years

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:00:00
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index('ix_observations_indicator_id_period', ['indicator_id', 'period'], unique=False)
        batch_op.drop_index('ix_observations_indicator_id')


def downgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index('ix_observations_indicator_id', ['indicator_id'], unique=False)
        batch_op.drop_index('ix_observations_indicator_id_period')
