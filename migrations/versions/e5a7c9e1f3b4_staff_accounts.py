"""staff accounts: second factor, invitations and reset links

Revision ID: e5a7c9e1f3b4
Revises: d4f6a8c0e2b3
Create Date: 2026-12-02 02:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'e5a7c9e1f3b4'
down_revision = 'd4f6a8c0e2b3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
