"""sms conversations

Revision ID: f5b7d9e1a3c4
Revises: e4a6c8d0f2b3
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f5b7d9e1a3c4'
down_revision = 'e4a6c8d0f2b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number_hash', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), server_default='en', nullable=False),
    sa.Column('step', sa.String(length=20), server_default='start', nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=True),
    sa.Column('offered', sa.Text(), nullable=True),
    sa.Column('draft', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['heading_id'], ['headings.id'], name=op.f('fk_sms_conversations_heading_id_headings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_conversations')),
    sa.UniqueConstraint('number_hash', name=op.f('uq_sms_conversations_number_hash')),
    )
    op.create_table('sms_opt_outs',
    sa.Column('number_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('number_hash', name=op.f('pk_sms_opt_outs')),
    )
    op.create_table('sms_spend',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('messages_sent', sa.Integer(), server_default='0', nullable=False),
    sa.Column('segments_sent', sa.Integer(), server_default='0', nullable=False),
    sa.Column('messages_received', sa.Integer(), server_default='0', nullable=False),
    sa.Column('segments_received', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_sms_spend_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_spend')),
    sa.UniqueConstraint('round_id', name=op.f('uq_sms_spend_round_id')),
    )


def downgrade():
    op.drop_table('sms_spend')
    op.drop_table('sms_opt_outs')
    op.drop_table('sms_conversations')
