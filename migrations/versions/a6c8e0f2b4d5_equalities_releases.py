"""equalities releases

Revision ID: a6c8e0f2b4d5
Revises: f5b7d9e1a3c4
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'a6c8e0f2b4d5'
down_revision = 'f5b7d9e1a3c4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
