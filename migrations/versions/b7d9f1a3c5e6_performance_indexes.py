"""performance indexes

Revision ID: b7d9f1a3c5e6
Revises: a6c8e0f2b4d5
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'b7d9f1a3c5e6'
down_revision = 'a6c8e0f2b4d5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
