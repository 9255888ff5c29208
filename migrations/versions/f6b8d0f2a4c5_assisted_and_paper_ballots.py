"""assisted voting checks and paper ballot keyings

Revision ID: f6b8d0f2a4c5
Revises: e5a7c9e1f3b4
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f6b8d0f2a4c5'
down_revision = 'e5a7c9e1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assisted_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_assisted_identities_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_identities')),
    sa.UniqueConstraint('identity_hash', name=op.f('uq_assisted_identities_identity_hash')),
    sa.UniqueConstraint('person_id', name=op.f('uq_assisted_identities_person_id')),
    )
    op.create_table('assisted_checks',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['people.id'], name=op.f('fk_assisted_checks_officer_id_people')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_assisted_checks_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ward_id'], ['wards.id'], name=op.f('fk_assisted_checks_ward_id_wards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_checks')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_assisted_checks_officer_id'), 'assisted_checks', ['officer_id'], unique=False)
    op.create_index(op.f('ix_assisted_checks_round_id'), 'assisted_checks', ['round_id'], unique=False)
    op.create_table('paper_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_paper_batches_heading_id_headings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_paper_batches_created_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_batches')),
    )
    op.create_index(op.f('ix_paper_batches_heading_id'), 'paper_batches', ['heading_id'], unique=False)
    op.create_table('papers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['paper_batches.id'], name=op.f('fk_papers_batch_id_paper_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['people.id'], name=op.f('fk_papers_resolved_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_papers')),
    sa.UniqueConstraint('batch_id', 'number', name='uq_paper_number_in_batch'),
    )
    op.create_index(op.f('ix_papers_batch_id'), 'papers', ['batch_id'], unique=False)
    op.create_table('paper_keyings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.Text(), nullable=True),
    sa.Column('spoilt', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], name=op.f('fk_paper_keyings_paper_id_papers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['people.id'], name=op.f('fk_paper_keyings_officer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_keyings')),
    sa.UniqueConstraint('paper_id', 'officer_id', name='uq_paper_keyed_once_per_officer'),
    )
    op.create_index(op.f('ix_paper_keyings_paper_id'), 'paper_keyings', ['paper_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_paper_keyings_paper_id'), table_name='paper_keyings')
    op.drop_table('paper_keyings')
    op.drop_index(op.f('ix_papers_batch_id'), table_name='papers')
    op.drop_table('papers')
    op.drop_index(op.f('ix_paper_batches_heading_id'), table_name='paper_batches')
    op.drop_table('paper_batches')
    op.drop_index(op.f('ix_assisted_checks_round_id'), table_name='assisted_checks')
    op.drop_index(op.f('ix_assisted_checks_officer_id'), table_name='assisted_checks')
    op.drop_table('assisted_checks')
    op.drop_table('assisted_identities')
