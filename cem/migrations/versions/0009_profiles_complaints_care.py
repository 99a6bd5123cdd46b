"""customer profiles, contacts, complaints, care actions

Revision ID: 0009
Revises: 0008

"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def audited() -> list:
    return [sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
            sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
            sa.Column('version', sa.Integer(), nullable=False)]


def text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def link(name: str, target: str, ondelete: str, nullable: bool = True) -> list:
    return [sa.Column(name, sa.Integer(), nullable=nullable),
            sa.ForeignKeyConstraint([name], [f'{target}.id'], ondelete=ondelete)]


def indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_style', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('service_tags', sqlmodel.sql.sqltypes.AutoString(length=500),
                                      server_default='', nullable=False))
    with op.batch_alter_table('customersettings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_days', sa.JSON(), server_default='{}', nullable=False))
    op.create_table('contact', *audited(),
                    sa.Column('id', sa.Integer(), nullable=False),
                    *link('customer_id', 'customer', 'CASCADE', nullable=False),
                    text('name', 200), text('position', 200), text('office_phone', 50), text('mobile', 50),
                    text('email', 200), text('line_id', 100),
                    sa.Column('decision_maker', sa.Boolean(), nullable=False),
                    text('channel', 10), text('contact_time', 100), text('notes', 1000),
                    sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    indexes('contact', 'customer_id')
    op.create_table('complaint', *audited(),
                    sa.Column('id', sa.Integer(), nullable=False),
                    *link('customer_id', 'customer', 'SET NULL'),
                    sa.Column('received', sa.Date(), nullable=False),
                    text('channel', 10), text('text', 2000),
                    sa.Column('severity', sa.Integer(), nullable=False),
                    *link('journey_id', 'journey', 'SET NULL'),
                    *link('step_id', 'step', 'SET NULL'),
                    *link('pain_point_id', 'painpoint', 'SET NULL'),
                    *link('owner_id', 'person', 'SET NULL'),
                    text('status', 12), text('resolution', 2000),
                    sa.Column('resolved_on', sa.Date(), nullable=True),
                    sa.Column('due', sa.Date(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    indexes('complaint', 'customer_id', 'journey_id', 'owner_id', 'pain_point_id', 'step_id')
    op.create_table('careaction', *audited(),
                    sa.Column('id', sa.Integer(), nullable=False),
                    *link('customer_id', 'customer', 'CASCADE', nullable=False),
                    text('month', 7),
                    sa.Column('day', sa.Date(), nullable=True),
                    text('kind', 10),
                    *link('person_id', 'person', 'SET NULL'),
                    text('note', 500),
                    sa.Column('done_on', sa.Date(), nullable=True),
                    *link('task_id', 'task', 'SET NULL'),
                    sa.PrimaryKeyConstraint('id'))
    indexes('careaction', 'customer_id', 'month', 'person_id', 'task_id')


def downgrade() -> None:
    op.drop_table('careaction')
    op.drop_table('complaint')
    op.drop_table('contact')
    with op.batch_alter_table('customersettings', schema=None) as batch_op:
        batch_op.drop_column('sla_days')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('service_tags')
        batch_op.drop_column('service_style')
