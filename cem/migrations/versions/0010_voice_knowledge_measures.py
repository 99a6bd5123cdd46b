"""voice of the customer, follow-ups, the team's own words, the knowledge base,
measures at four levels, effort and impact of pain points and ideas

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:23:56.240503
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedbackimport',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('items_added', sa.Integer(), nullable=False),
    sa.Column('items_skipped', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('kbmiss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kbmiss', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kbmiss_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kbmiss_query'), ['query'], unique=False)

    op.create_table('textword',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('word', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('word')
    )
    op.create_table('indicator',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_owner_id'), ['owner_id'], unique=False)

    op.create_table('kbquestion',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('phrasings', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('tags', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('search_text', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kbquestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kbquestion_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_kbquestion_owner_id'), ['owner_id'], unique=False)

    op.create_table('indicatorvalue',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('indicator_id', 'month')
    )
    with op.batch_alter_table('indicatorvalue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicatorvalue_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('kbasked',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['kbquestion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kbasked', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kbasked_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_kbasked_question_id'), ['question_id'], unique=False)

    op.create_table('kbvote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('user', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['kbquestion.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kbvote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kbvote_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kbvote_question_id'), ['question_id'], unique=False)

    op.create_table('kbquestionstep',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['kbquestion.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'step_id')
    )
    op.create_table('feedback',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
    sa.Column('sentiment', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('sentiment_by_hand', sa.Boolean(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('received', sa.Date(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('journey_id', sa.Integer(), nullable=True),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('ces', sa.Integer(), nullable=True),
    sa.Column('pain_point_id', sa.Integer(), nullable=True),
    sa.Column('kb_question_id', sa.Integer(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_id'], ['feedbackimport.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kb_question_id'], ['kbquestion.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pain_point_id'], ['painpoint.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stage_id'], ['stage.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_journey_id'), ['journey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_kb_question_id'), ['kb_question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_pain_point_id'), ['pain_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_received'), ['received'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_step_id'), ['step_id'], unique=False)

    op.create_table('followup',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=True),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_feedback_id'), ['feedback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kb_question_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_complaint_kb_question_id'), ['kb_question_id'], unique=False)
        batch_op.create_foreign_key('fk_complaint_kb_question_id', 'kbquestion', ['kb_question_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effort', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('impact_by_hand', sa.Integer(), nullable=True))

    with op.batch_alter_table('painpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effort', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('impact_by_hand', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('painpoint', schema=None) as batch_op:
        batch_op.drop_column('impact_by_hand')
        batch_op.drop_column('effort')

    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_column('impact_by_hand')
        batch_op.drop_column('effort')

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint('fk_complaint_kb_question_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_complaint_kb_question_id'))
        batch_op.drop_column('kb_question_id')

    with op.batch_alter_table('followup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_owner_id'))
        batch_op.drop_index(batch_op.f('ix_followup_feedback_id'))
        batch_op.drop_index(batch_op.f('ix_followup_complaint_id'))

    op.drop_table('followup')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_step_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_stage_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_received'))
        batch_op.drop_index(batch_op.f('ix_feedback_pain_point_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_kb_question_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_journey_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_import_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_customer_id'))

    op.drop_table('feedback')
    op.drop_table('kbquestionstep')
    with op.batch_alter_table('kbvote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kbvote_question_id'))
        batch_op.drop_index(batch_op.f('ix_kbvote_at'))

    op.drop_table('kbvote')
    with op.batch_alter_table('kbasked', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kbasked_question_id'))
        batch_op.drop_index(batch_op.f('ix_kbasked_day'))

    op.drop_table('kbasked')
    with op.batch_alter_table('indicatorvalue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicatorvalue_indicator_id'))

    op.drop_table('indicatorvalue')
    with op.batch_alter_table('kbquestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kbquestion_owner_id'))
        batch_op.drop_index(batch_op.f('ix_kbquestion_category'))

    op.drop_table('kbquestion')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_owner_id'))

    op.drop_table('indicator')
    op.drop_table('textword')
    with op.batch_alter_table('kbmiss', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kbmiss_query'))
        batch_op.drop_index(batch_op.f('ix_kbmiss_at'))

    op.drop_table('kbmiss')
    op.drop_table('feedbackimport')
