"""users history bin

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appuser',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_login_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('appuser', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appuser_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_appuser_username'), ['username'], unique=True)

    op.create_table('changelog',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=True),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('item_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('changelog', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changelog_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_changelog_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_changelog_journey_id'), ['journey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_changelog_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_changelog_step_id'), ['step_id'], unique=False)

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sqlmodel.sql.sqltypes.AutoString(length=100), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_stage_deleted_at'), ['deleted_at'], unique=False)

    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sqlmodel.sql.sqltypes.AutoString(length=100), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_step_deleted_at'), ['deleted_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_deleted_at'))
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_deleted_at'))
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('changelog', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_changelog_step_id'))
        batch_op.drop_index(batch_op.f('ix_changelog_stage_id'))
        batch_op.drop_index(batch_op.f('ix_changelog_journey_id'))
        batch_op.drop_index(batch_op.f('ix_changelog_item_id'))
        batch_op.drop_index(batch_op.f('ix_changelog_at'))

    op.drop_table('changelog')
    with op.batch_alter_table('appuser', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appuser_username'))
        batch_op.drop_index(batch_op.f('ix_appuser_email'))

    op.drop_table('appuser')
