"""staff accounts: second factor, invitations and reset links

Revision ID: e5a7c9e1f3b4
Revises: d4f6a8c0e2b3
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a7c9e1f3b4'
down_revision = 'd4f6a8c0e2b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_credentials',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('totp_secret', sa.String(length=200), nullable=True),
    sa.Column('pending_secret', sa.String(length=200), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_credentials_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_staff_credentials')),
    )
    op.create_table('staff_pending_sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('wrong_codes', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_pending_sign_ins_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_pending_sign_ins')),
    )
    op.create_index(op.f('ix_staff_pending_sign_ins_person_id'), 'staff_pending_sign_ins', ['person_id'], unique=False)
    op.create_index(op.f('ix_staff_pending_sign_ins_created_at'), 'staff_pending_sign_ins', ['created_at'], unique=False)
    op.create_table('staff_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_links_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_staff_links_created_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_links_token_hash')),
    )
    op.create_index(op.f('ix_staff_links_person_id'), 'staff_links', ['person_id'], unique=False)
    op.create_index(op.f('ix_staff_links_email_hash'), 'staff_links', ['email_hash'], unique=False)
    op.create_index(op.f('ix_staff_links_created_at'), 'staff_links', ['created_at'], unique=False)
    op.create_table('staff_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('ward_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_staff_audit_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['people.id'], name=op.f('fk_staff_audit_target_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ward_id'], ['wards.id'], name=op.f('fk_staff_audit_ward_id_wards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_audit')),
    )
    op.create_index(op.f('ix_staff_audit_at'), 'staff_audit', ['at'], unique=False)
    op.create_table('email_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox')),
    )


def downgrade():
    op.drop_table('email_outbox')
    op.drop_index(op.f('ix_staff_audit_at'), table_name='staff_audit')
    op.drop_table('staff_audit')
    op.drop_index(op.f('ix_staff_links_created_at'), table_name='staff_links')
    op.drop_index(op.f('ix_staff_links_email_hash'), table_name='staff_links')
    op.drop_index(op.f('ix_staff_links_person_id'), table_name='staff_links')
    op.drop_table('staff_links')
    op.drop_index(op.f('ix_staff_pending_sign_ins_created_at'), table_name='staff_pending_sign_ins')
    op.drop_index(op.f('ix_staff_pending_sign_ins_person_id'), table_name='staff_pending_sign_ins')
    op.drop_table('staff_pending_sign_ins')
    op.drop_table('staff_credentials')
