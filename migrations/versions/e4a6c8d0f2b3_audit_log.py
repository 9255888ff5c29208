"""audit log

Revision ID: e4a6c8d0f2b3
Revises: d3f5b7c9e1a2
Create Date: 2026-12-02 05:15:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'e4a6c8d0f2b3'
down_revision = 'd3f5b7c9e1a2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
