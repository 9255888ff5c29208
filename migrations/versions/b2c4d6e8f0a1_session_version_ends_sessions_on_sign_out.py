"""people.session_version: signing out ends every session of the person on the server

Revision ID: b2c4d6e8f0a1
Revises: a7c3e1f09d42
Create Date: 2026-12-01 23:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b2c4d6e8f0a1'
down_revision = 'a7c3e1f09d42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('session_version')
