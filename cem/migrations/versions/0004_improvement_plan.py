"""improvement plan

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_username'), ['username'], unique=False)

    op.create_table('journeymember',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('journeymember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journeymember_journey_id'), ['journey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journeymember_person_id'), ['person_id'], unique=False)

    op.create_table('meeting',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('agenda', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('decisions', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_journey_id'), ['journey_id'], unique=False)

    op.create_table('meetingattendee',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'person_id')
    )
    op.create_table('task',
    sa.Column('deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('deleted_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('start_month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('due_month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_journey_id'), ['journey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_step_id'), ['step_id'], unique=False)

    op.create_table('checkin',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_task_id'), ['task_id'], unique=False)

    op.create_table('commitment',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('journey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tiers', sqlmodel.sql.sqltypes.AutoString(length=50), server_default='30,20,10', nullable=False))

    with op.batch_alter_table('painpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('painpoint', schema=None) as batch_op:
        batch_op.drop_column('resolved_at')

    with op.batch_alter_table('journey', schema=None) as batch_op:
        batch_op.drop_column('tiers')

    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_task_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_month'))

    op.drop_table('commitment')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_task_id'))
        batch_op.drop_index(batch_op.f('ix_checkin_month'))
        batch_op.drop_index(batch_op.f('ix_checkin_meeting_id'))

    op.drop_table('checkin')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_step_id'))
        batch_op.drop_index(batch_op.f('ix_task_owner_id'))
        batch_op.drop_index(batch_op.f('ix_task_measure_id'))
        batch_op.drop_index(batch_op.f('ix_task_journey_id'))
        batch_op.drop_index(batch_op.f('ix_task_idea_id'))
        batch_op.drop_index(batch_op.f('ix_task_deleted_at'))

    op.drop_table('task')
    op.drop_table('meetingattendee')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_journey_id'))

    op.drop_table('meeting')
    with op.batch_alter_table('journeymember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journeymember_person_id'))
        batch_op.drop_index(batch_op.f('ix_journeymember_journey_id'))

    op.drop_table('journeymember')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_username'))

    op.drop_table('person')
