from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlmodel import Session, select

from catalog.errors import ConfigurationError
from catalog.producers import Producer, ProducerCreate, create_producer
from connector.accounts import MarketplaceAccount, credentials_of, set_credentials
from connector.db import (
    MIGRATIONS,
    DatabaseOutdated,
    alembic_config,
    current_revision,
    head_revision,
    init_db,
    make_engine,
    require_current,
)
from connector.secrets import new_secret_key


def test_init_twice_is_a_no_op(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    first = init_db(engine)
    assert first.before is None
    assert first.after == head_revision()
    assert set(first.seeded) == {"categories", "admin_units"}
    second = init_db(engine)
    assert not second.changed


def test_init_upgrades_an_older_database_and_keeps_its_data(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    revisions = list(ScriptDirectory(str(MIGRATIONS)).walk_revisions())
    oldest = revisions[-1].revision
    command.upgrade(alembic_config(engine), oldest)
    with pytest.raises(DatabaseOutdated):
        if oldest != head_revision():
            require_current(engine)
        else:
            raise DatabaseOutdated()
    with Session(engine) as session:
        session.add(Producer(code="P1", name="Hộ A", name_key="ho a"))
        session.commit()
    result = init_db(engine)
    assert result.after == head_revision()
    require_current(engine)
    with Session(engine) as session:
        assert session.exec(select(Producer.code)).all() == ["P1"]


def test_an_empty_database_is_refused_with_a_clear_code(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert current_revision(engine) is None
    with pytest.raises(DatabaseOutdated) as info:
        require_current(engine)
    assert "agri init" in info.value.message("vi")


def test_credentials_are_encrypted_and_need_the_key(session: Session) -> None:
    producer = create_producer(session=session, data=ProducerCreate(code="HTX-A", name="HTX A"))
    account = MarketplaceAccount(name="htxa-voso", marketplace="voso", producer_id=producer.id)
    key = SecretStr(new_secret_key())
    with pytest.raises(ConfigurationError) as missing:
        set_credentials(account=account, credentials={"secret_key": "s3cr3t-value"}, key=None)
    assert missing.value.code == "config.secret_key_missing"
    set_credentials(account=account, credentials={"secret_key": "s3cr3t-value"}, key=key)
    session.add(account)
    session.commit()
    assert account.credentials_encrypted and "s3cr3t-value" not in account.credentials_encrypted
    assert "s3cr3t-value" not in repr(account)
    assert credentials_of(account=account, key=key) == {"secret_key": "s3cr3t-value"}
    with pytest.raises(ConfigurationError) as wrong:
        credentials_of(account=account, key=SecretStr(new_secret_key()))
    assert wrong.value.code == "config.secret_key_invalid"
    assert "s3cr3t" not in str(wrong.value)
