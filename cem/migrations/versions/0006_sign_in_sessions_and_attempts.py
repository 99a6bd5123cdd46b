"""sign-in sessions and attempts, instead of a lock on the account

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signinattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signinattempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signinattempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signinattempt_username'), ['username'], unique=False)

    op.create_table('signinsession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('handoff_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('handoff_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('handoff_hash'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('signinsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signinsession_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signinsession_username'), ['username'], unique=False)

    with op.batch_alter_table('appuser', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade() -> None:
    with op.batch_alter_table('appuser', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.drop_table('signinsession')
    op.drop_table('signinattempt')
