"""content translations

Revision ID: d3f5b7c9e1a2
Revises: c2e4a6b8d0f1
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd3f5b7c9e1a2'
down_revision = 'c2e4a6b8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('translated_by_id', sa.Integer(), nullable=True),
    sa.Column('translated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['translated_by_id'], ['people.id'], name=op.f('fk_content_translations_translated_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translations')),
    sa.UniqueConstraint('kind', 'object_id', 'field', 'locale', name=op.f('uq_content_translations_kind')),
    )
    op.create_index('ix_content_translations_locale_kind', 'content_translations', ['locale', 'kind', 'object_id'], unique=False)
    for table in ('rounds', 'proposals', 'plans'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('original_locale', sa.String(length=5), server_default='en', nullable=False))


def downgrade():
    for table in ('plans', 'proposals', 'rounds'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('original_locale')
    op.drop_index('ix_content_translations_locale_kind', table_name='content_translations')
    op.drop_table('content_translations')
