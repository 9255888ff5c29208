"""sms conversations

Revision ID: f5b7d9e1a3c4
Revises: e4a6c8d0f2b3
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'f5b7d9e1a3c4'
down_revision = 'e4a6c8d0f2b3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
