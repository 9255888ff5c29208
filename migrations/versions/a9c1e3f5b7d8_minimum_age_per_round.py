"""a minimum and maximum age per round, declared on the roll

Revision ID: a9c1e3f5b7d8
Revises: f6b8d0f2a4c5
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c1e3f5b7d8'
down_revision = 'f6b8d0f2a4c5'
branch_labels = None
depends_on = None


MIN_AGE_CHECK = "min_age IS NULL OR (min_age >= 0 AND min_age <= 120)"
MAX_AGE_CHECK = ("max_age IS NULL OR (max_age >= 0 AND max_age <= 120 AND "
                 "(min_age IS NULL OR max_age >= min_age))")


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _sqlite():
        # SQLite adds a column with its CHECK in place. A batch rebuild of `rounds` would drop
        # the table, and with foreign keys on that deletes every heading and proposal.
        op.execute("ALTER TABLE rounds ADD COLUMN min_age INTEGER "
                   f"CONSTRAINT ck_rounds_min_age_range CHECK ({MIN_AGE_CHECK})")
        op.execute("ALTER TABLE rounds ADD COLUMN max_age INTEGER "
                   f"CONSTRAINT ck_rounds_max_age_range CHECK ({MAX_AGE_CHECK})")
    else:
        op.add_column('rounds', sa.Column('min_age', sa.Integer(), nullable=True))
        op.add_column('rounds', sa.Column('max_age', sa.Integer(), nullable=True))
        op.create_check_constraint(op.f('ck_rounds_min_age_range'), 'rounds', MIN_AGE_CHECK)
        op.create_check_constraint(op.f('ck_rounds_max_age_range'), 'rounds', MAX_AGE_CHECK)
    op.add_column('roll_entries', sa.Column('age_declared', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))


def downgrade():
    if _sqlite():
        # SQLite (3.35+) drops a column in place; max_age first, its CHECK names min_age
        op.execute("ALTER TABLE roll_entries DROP COLUMN age_declared")
        op.execute("ALTER TABLE rounds DROP COLUMN max_age")
        op.execute("ALTER TABLE rounds DROP COLUMN min_age")
    else:
        op.drop_column('roll_entries', 'age_declared')
        op.drop_constraint(op.f('ck_rounds_max_age_range'), 'rounds', type_='check')
        op.drop_constraint(op.f('ck_rounds_min_age_range'), 'rounds', type_='check')
        op.drop_column('rounds', 'max_age')
        op.drop_column('rounds', 'min_age')
