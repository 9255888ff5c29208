"""equalities releases

Revision ID: a6c8e0f2b4d5
Revises: f5b7d9e1a3c4
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a6c8e0f2b4d5'
down_revision = 'f5b7d9e1a3c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('equalities_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('counts', sa.Text(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_equalities_releases_heading_id_headings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equalities_releases')),
    sa.UniqueConstraint('heading_id', 'number', name=op.f('uq_equalities_releases_heading_id'))
    )
    with op.batch_alter_table('equalities_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equalities_releases_heading_id'), ['heading_id'], unique=False)


def downgrade():
    with op.batch_alter_table('equalities_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equalities_releases_heading_id'))
    op.drop_table('equalities_releases')
