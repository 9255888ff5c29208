"""residents sign in by mobile number: verified numbers (hashed), one-time codes, dev outbox

Revision ID: c3e5a7b9d1f2
Revises: b2c4d6e8f0a1
Create Date: 2026-12-01 23:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3e5a7b9d1f2'
down_revision = 'b2c4d6e8f0a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('phone_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number_hash', sa.String(length=64), nullable=False),
    sa.Column('last_digits', sa.String(length=3), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_phone_numbers_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_numbers')),
    sa.UniqueConstraint('number_hash', name=op.f('uq_phone_numbers_number_hash')),
    sa.UniqueConstraint('person_id', name=op.f('uq_phone_numbers_person_id')),
    )
    op.create_table('sign_in_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number_hash', sa.String(length=64), nullable=False),
    sa.Column('last_digits', sa.String(length=3), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('wrong_tries', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_codes')),
    )
    op.create_index(op.f('ix_sign_in_codes_number_hash'), 'sign_in_codes', ['number_hash'], unique=False)
    op.create_index(op.f('ix_sign_in_codes_created_at'), 'sign_in_codes', ['created_at'], unique=False)
    op.create_table('sms_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox')),
    )


def downgrade():
    op.drop_table('sms_outbox')
    op.drop_index(op.f('ix_sign_in_codes_created_at'), table_name='sign_in_codes')
    op.drop_index(op.f('ix_sign_in_codes_number_hash'), table_name='sign_in_codes')
    op.drop_table('sign_in_codes')
    op.drop_table('phone_numbers')
