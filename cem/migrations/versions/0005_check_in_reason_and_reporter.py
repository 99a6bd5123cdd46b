"""check-in: why behind, and who reported it

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('behind_reason', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('reported_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_checkin_reported_by_id_person', 'person', ['reported_by_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_checkin_reported_by_id'), ['reported_by_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_reported_by_id'))
        batch_op.drop_constraint('fk_checkin_reported_by_id_person', type_='foreignkey')
        batch_op.drop_column('reported_by_id')
        batch_op.drop_column('behind_reason')
