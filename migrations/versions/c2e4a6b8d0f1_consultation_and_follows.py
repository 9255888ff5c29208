"""consultation and follows

Revision ID: c2e4a6b8d0f1
Revises: b1d3f5a7c9e2
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c2e4a6b8d0f1'
down_revision = 'b1d3f5a7c9e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ward_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("channel IN ('sms', 'email')", name=op.f('ck_ward_follows_channel_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_ward_follows_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ward_id'], ['wards.id'], name=op.f('fk_ward_follows_ward_id_wards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_follows')),
    sa.UniqueConstraint('person_id', 'ward_id', 'channel', name='uq_follow_once')
    )
    with op.batch_alter_table('ward_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_follows_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_follows_ward_id'), ['ward_id'], unique=False)

    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('premoderated', sa.Boolean(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('opens_on <= closes_on', name=op.f('ck_consultations_dates_in_order')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['people.id'], name=op.f('fk_consultations_opened_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_consultations_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    sa.UniqueConstraint('plan_id', name=op.f('uq_consultations_plan_id'))
    )
    op.create_table('follow_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['follow_id'], ['ward_follows.id'], name=op.f('fk_follow_notifications_follow_id_ward_follows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_notifications'))
    )
    with op.batch_alter_table('follow_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_notifications_follow_id'), ['follow_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_notifications_sent_at'), ['sent_at'], unique=False)

    op.create_table('consultation_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'text')", name=op.f('ck_consultation_questions_kind_known')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_questions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_questions'))
    )
    with op.batch_alter_table('consultation_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_questions_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_responses_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_consultation_responses_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_responses')),
    sa.UniqueConstraint('consultation_id', 'person_id', name='uq_one_response_each')
    )
    with op.batch_alter_table('consultation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_responses_person_id'), ['person_id'], unique=False)

    op.create_table('consultation_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('moderated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state <> 'hidden' OR hidden_reason IS NOT NULL", name=op.f('ck_consultation_comments_hidden_has_reason')),
    sa.CheckConstraint("state IN ('pending', 'shown', 'hidden')", name=op.f('ck_consultation_comments_state_known')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_comments_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['people.id'], name=op.f('fk_consultation_comments_moderated_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['priority_id'], ['plan_priorities.id'], name=op.f('fk_consultation_comments_priority_id_plan_priorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_responses.id'], name=op.f('fk_consultation_comments_response_id_consultation_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_comments'))
    )
    with op.batch_alter_table('consultation_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_comments_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_comments_response_id'), ['response_id'], unique=False)

    op.create_table('priority_ratings',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=10), nullable=True),
    sa.Column('top_three', sa.Boolean(), nullable=False),
    sa.CheckConstraint("rating IS NULL OR rating IN ('support', 'neutral', 'oppose')", name=op.f('ck_priority_ratings_rating_known')),
    sa.ForeignKeyConstraint(['priority_id'], ['plan_priorities.id'], name=op.f('fk_priority_ratings_priority_id_plan_priorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_responses.id'], name=op.f('fk_priority_ratings_response_id_consultation_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'priority_id', name=op.f('pk_priority_ratings'))
    )
    op.create_table('question_answers',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['consultation_questions.id'], name=op.f('fk_question_answers_question_id_consultation_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_responses.id'], name=op.f('fk_question_answers_response_id_consultation_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_question_answers'))
    )
    op.create_table('comment_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['consultation_comments.id'], name=op.f('fk_comment_reports_comment_id_consultation_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_comment_reports_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_reports')),
    sa.UniqueConstraint('comment_id', 'person_id', name='uq_report_once')
    )



def downgrade():
    op.drop_table('comment_reports')
    op.drop_table('question_answers')
    op.drop_table('priority_ratings')
    with op.batch_alter_table('consultation_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_comments_response_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_comments_consultation_id'))

    op.drop_table('consultation_comments')
    with op.batch_alter_table('consultation_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_responses_person_id'))

    op.drop_table('consultation_responses')
    with op.batch_alter_table('consultation_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_questions_consultation_id'))

    op.drop_table('consultation_questions')
    with op.batch_alter_table('follow_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_notifications_sent_at'))
        batch_op.drop_index(batch_op.f('ix_follow_notifications_follow_id'))

    op.drop_table('follow_notifications')
    op.drop_table('consultations')
    with op.batch_alter_table('ward_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_follows_ward_id'))
        batch_op.drop_index(batch_op.f('ix_ward_follows_person_id'))

    op.drop_table('ward_follows')
