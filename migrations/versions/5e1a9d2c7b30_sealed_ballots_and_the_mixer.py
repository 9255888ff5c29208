"""ballot secrecy: sealed ballots waiting for the mixer, rowid-free ballot tables

Casting now writes a sealed (encrypted) ballot beside the roll entry; the mixer moves
ballots into `ballots` in one shuffled transaction when voting closes. `ballots`,
`monitoring_responses` and `sealed_ballots` are WITHOUT ROWID on SQLite, the ballot's
day (`cast_on`) and the answers' sequential id are gone. Existing ballots and answers
are copied back in random order with fresh keys, so rows written before this upgrade
lose their transaction ids and physical order too.

Revision ID: 5e1a9d2c7b30
Revises: 7992a6603380
Create Date: 2026-12-01 23:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '5e1a9d2c7b30'
down_revision = '7992a6603380'
branch_labels = None
depends_on = None


def _ballots_table():
    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_ballots_heading_id_headings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballots_receipt_hash')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_ballots_heading_id'), 'ballots', ['heading_id'], unique=False)


def _monitoring_table():
    op.create_table('monitoring_responses',
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_monitoring_responses_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_monitoring_responses_heading_id_headings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', name=op.f('pk_monitoring_responses')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_monitoring_responses_heading_id'), 'monitoring_responses', ['heading_id'], unique=False)


def upgrade():
    conn = op.get_bind()
    ballots = conn.execute(sa.text(
        'SELECT id, heading_id, choices, receipt_hash, channel FROM ballots')).all()
    answers = dict(conn.execute(sa.text('SELECT ballot_id, answers FROM monitoring_responses')).all())
    op.drop_table('monitoring_responses')
    op.drop_table('ballots')
    _ballots_table()
    _monitoring_table()
    rng = secrets.SystemRandom()
    rows = list(ballots)
    rng.shuffle(rows)
    new_id = {row.id: secrets.token_hex(16) for row in rows}
    if rows:
        conn.execute(sa.text(
            'INSERT INTO ballots (id, heading_id, choices, receipt_hash, channel) '
            'VALUES (:id, :heading_id, :choices, :receipt_hash, :channel)'),
            [{'id': new_id[r.id], 'heading_id': r.heading_id, 'choices': r.choices,
              'receipt_hash': r.receipt_hash, 'channel': r.channel} for r in rows])
    answered = [r for r in rows if r.id in answers]
    rng.shuffle(answered)
    if answered:
        conn.execute(sa.text(
            'INSERT INTO monitoring_responses (ballot_id, heading_id, answers) '
            'VALUES (:ballot_id, :heading_id, :answers)'),
            [{'ballot_id': new_id[r.id], 'heading_id': r.heading_id, 'answers': answers[r.id]}
             for r in answered])

    op.create_table('sealed_ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_sealed_ballots_heading_id_headings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_ballots')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sealed_ballots_token_hash')),
    sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_sealed_ballots_heading_id'), 'sealed_ballots', ['heading_id'], unique=False)
    with op.batch_alter_table('headings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mixed_at', sa.DateTime(), nullable=True))
    # wards already counted: their ballot boxes are closed
    conn.execute(sa.text(
        'UPDATE headings SET mixed_at = CURRENT_TIMESTAMP WHERE id IN (SELECT heading_id FROM results)'))


def downgrade():
    waiting = op.get_bind().execute(sa.text('SELECT COUNT(*) FROM sealed_ballots')).scalar()
    if waiting:
        raise RuntimeError(f"{waiting} sealed ballots are waiting for the mixer: mix them "
                           "(flask pb mix) before downgrading, or their voters lose their ballots")
    with op.batch_alter_table('headings', schema=None) as batch_op:
        batch_op.drop_column('mixed_at')
    op.drop_index(op.f('ix_sealed_ballots_heading_id'), table_name='sealed_ballots')
    op.drop_table('sealed_ballots')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cast_on', sa.Date(), nullable=False,
                                      server_default=sa.text('CURRENT_DATE')))
