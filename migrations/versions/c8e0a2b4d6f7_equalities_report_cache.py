"""equalities report cache: computed reports stored once for every app server

Revision ID: c8e0a2b4d6f7
Revises: b7d9f1a3c5e6
Create Date: 2026-12-02 09:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c8e0a2b4d6f7'
down_revision = 'b7d9f1a3c5e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('equalities_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_equalities_reports_heading_id_headings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equalities_reports')),
    sa.UniqueConstraint('heading_id', 'key', name=op.f('uq_equalities_reports_heading_id'))
    )


def downgrade():
    op.drop_table('equalities_reports')
