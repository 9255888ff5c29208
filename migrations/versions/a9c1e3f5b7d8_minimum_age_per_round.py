"""a minimum and maximum age per round, declared on the roll

Revision ID: a9c1e3f5b7d8
Revises: f6b8d0f2a4c5
Create Date: 2026-12-02 02:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'a9c1e3f5b7d8'
down_revision = 'f6b8d0f2a4c5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
