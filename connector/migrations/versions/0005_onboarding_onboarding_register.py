"""onboarding register

Revision ID: 0005_onboarding
Revises: 0001_foundation
Create Date: 2026-11-24 11:51:55.202943
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005_onboarding'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('merge_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_a_id', sa.Integer(), nullable=False),
    sa.Column('producer_b_id', sa.Integer(), nullable=True),
    sa.Column('incoming', sa.JSON(), nullable=True),
    sa.Column('incoming_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sa.Enum('open', 'merged', 'kept', name='candidatestatus'), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.ForeignKeyConstraint(['producer_a_id'], ['producer.id'], ),
    sa.ForeignKeyConstraint(['producer_b_id'], ['producer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('producer_a_id', 'incoming_key', name='uq_merge_candidate')
    )
    with op.batch_alter_table('merge_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merge_candidate_producer_a_id'), ['producer_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merge_candidate_producer_b_id'), ['producer_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merge_candidate_status'), ['status'], unique=False)

    op.create_table('onboarding_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('team_member_id', sa.Integer(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], ),
    sa.ForeignKeyConstraint(['team_member_id'], ['team_member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('producer_id', 'team_member_id', name='uq_registration_member')
    )
    with op.batch_alter_table('onboarding_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onboarding_registration_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_onboarding_registration_registered_on'), ['registered_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_onboarding_registration_team_member_id'), ['team_member_id'], unique=False)

    with op.batch_alter_table('training_record', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_training_day_topic', ['producer_id', 'day', 'topic'])


def downgrade() -> None:
    with op.batch_alter_table('training_record', schema=None) as batch_op:
        batch_op.drop_constraint('uq_training_day_topic', type_='unique')

    with op.batch_alter_table('onboarding_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboarding_registration_team_member_id'))
        batch_op.drop_index(batch_op.f('ix_onboarding_registration_registered_on'))
        batch_op.drop_index(batch_op.f('ix_onboarding_registration_producer_id'))

    op.drop_table('onboarding_registration')
    with op.batch_alter_table('merge_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merge_candidate_status'))
        batch_op.drop_index(batch_op.f('ix_merge_candidate_producer_b_id'))
        batch_op.drop_index(batch_op.f('ix_merge_candidate_producer_a_id'))

    op.drop_table('merge_candidate')
