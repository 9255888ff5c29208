"""content translations

Revision ID: d3f5b7c9e1a2
Revises: c2e4a6b8d0f1
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'd3f5b7c9e1a2'
down_revision = 'c2e4a6b8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
