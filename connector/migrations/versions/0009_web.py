"""web app users and sessions

Revision ID: 0009_web
Revises: 0008_listings
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009_web'
down_revision = '0008_listings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=True),
        sa.Column('team_member_id', sa.Integer(), nullable=True),
        sa.Column('communes', sa.JSON(), nullable=False),
        sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['producer_id'], ['producer.id']),
        sa.ForeignKeyConstraint(['team_member_id'], ['team_member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('web_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_user_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_user_username'), ['username'], unique=True)

    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['web_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_web_session_user_id'), ['user_id'], unique=False)

    op.create_table(
        'web_one_time_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['web_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('web_one_time_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_one_time_code_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_one_time_code_user_id'), ['user_id'], unique=False)

    op.create_table(
        'web_login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('web_login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_login_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_login_attempt_username'), ['username'], unique=False)


def downgrade() -> None:
    for table, indexes in (
        ('web_login_attempt', ('ix_web_login_attempt_username', 'ix_web_login_attempt_at')),
        ('web_one_time_code', ('ix_web_one_time_code_user_id', 'ix_web_one_time_code_code_hash')),
        ('web_session', ('ix_web_session_user_id', 'ix_web_session_token_hash')),
        ('web_user', ('ix_web_user_username', 'ix_web_user_producer_id')),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)
