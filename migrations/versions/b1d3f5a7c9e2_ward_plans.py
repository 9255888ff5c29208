"""ward improvement plans: priorities, outcomes, progress updates

Revision ID: b1d3f5a7c9e2
Revises: a9c1e3f5b7d8
Create Date: 2026-12-02 02:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b1d3f5a7c9e2'
down_revision = 'a9c1e3f5b7d8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('you_said_we_did', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('draft', 'consultation', 'published')", name=op.f('ck_plans_state_known')),
    sa.CheckConstraint('start_year <= end_year', name=op.f('ck_plans_period_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_plans_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ward_id'], ['wards.id'], name=op.f('fk_plans_ward_id_wards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('ward_id', 'start_year', 'end_year', name='uq_plan_ward_period'),
    )
    op.create_index(op.f('ix_plans_ward_id'), 'plans', ['ward_id'], unique=False)
    op.create_table('plan_priorities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_priorities_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_priorities')),
    )
    op.create_index(op.f('ix_plan_priorities_plan_id'), 'plan_priorities', ['plan_id'], unique=False)
    op.create_table('plan_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible', sa.String(length=200), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('dropped_reason', sa.Text(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'agreed', 'in_progress', 'delivered', 'dropped')", name=op.f('ck_plan_outcomes_status_known')),
    sa.CheckConstraint("status <> 'dropped' OR dropped_reason IS NOT NULL", name=op.f('ck_plan_outcomes_dropped_has_reason')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_outcomes_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['priority_id'], ['plan_priorities.id'], name=op.f('fk_plan_outcomes_priority_id_plan_priorities'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_outcomes')),
    )
    op.create_index(op.f('ix_plan_outcomes_plan_id'), 'plan_outcomes', ['plan_id'], unique=False)
    op.create_table('outcome_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('author_role', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=True),
    sa.CheckConstraint("author_role IN ('councillor', 'officer', 'admin')", name=op.f('ck_outcome_updates_role_known')),
    sa.ForeignKeyConstraint(['outcome_id'], ['plan_outcomes.id'], name=op.f('fk_outcome_updates_outcome_id_plan_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posted_by_id'], ['people.id'], name=op.f('fk_outcome_updates_posted_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_updates')),
    )
    op.create_index(op.f('ix_outcome_updates_outcome_id'), 'outcome_updates', ['outcome_id'], unique=False)
    op.create_table('round_priorities',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('priority_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['priority_id'], ['plan_priorities.id'], name=op.f('fk_round_priorities_priority_id_plan_priorities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_priorities_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'priority_id', name=op.f('pk_round_priorities')),
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_progress', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_proposals_delivery_progress_percent'),
            'delivery_progress IS NULL OR (delivery_progress >= 0 AND delivery_progress <= 100)')


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposals_delivery_progress_percent'), type_='check')
        batch_op.drop_column('delivery_progress')
    op.drop_table('round_priorities')
    op.drop_index(op.f('ix_outcome_updates_outcome_id'), table_name='outcome_updates')
    op.drop_table('outcome_updates')
    op.drop_index(op.f('ix_plan_outcomes_plan_id'), table_name='plan_outcomes')
    op.drop_table('plan_outcomes')
    op.drop_index(op.f('ix_plan_priorities_plan_id'), table_name='plan_priorities')
    op.drop_table('plan_priorities')
    op.drop_index(op.f('ix_plans_ward_id'), table_name='plans')
    op.drop_table('plans')
