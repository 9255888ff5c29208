"""ward improvement plans: priorities, outcomes, progress updates

Revision ID: b1d3f5a7c9e2
Revises: a9c1e3f5b7d8
Create Date: 2026-12-02 02:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'b1d3f5a7c9e2'
down_revision = 'a9c1e3f5b7d8'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
