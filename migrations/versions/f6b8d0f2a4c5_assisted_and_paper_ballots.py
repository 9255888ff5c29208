"""assisted voting checks and paper ballot keyings

Revision ID: f6b8d0f2a4c5
Revises: e5a7c9e1f3b4
Create Date: 2026-12-02 02:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'f6b8d0f2a4c5'
down_revision = 'e5a7c9e1f3b4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
