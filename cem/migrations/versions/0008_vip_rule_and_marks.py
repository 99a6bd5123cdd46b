"""VIP rule and marks

Revision ID: 0008
Revises: 0007

"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vip', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('vip_hand', sqlmodel.sql.sqltypes.AutoString(length=3), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_customer_vip'), ['vip'], unique=False)
    op.create_table('customersettings',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vip_rule', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('vip_value', sa.Float(), nullable=False),
    sa.Column('a_limit', sa.Float(), nullable=False),
    sa.Column('b_limit', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('vipchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('vip', sa.Boolean(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('vipchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vipchange_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('vipchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vipchange_customer_id'))
    op.drop_table('vipchange')
    op.drop_table('customersettings')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_vip'))
        batch_op.drop_column('vip_hand')
        batch_op.drop_column('vip')
