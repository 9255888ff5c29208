import pytest

from pb import config


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path), production=False)
    assert len(first) == 64
    assert config.secret_key(str(tmp_path), production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError):
        config.secret_key(str(tmp_path), production=True)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.secret_key(str(tmp_path), production=True) == "from-the-environment"


def test_database_url_defaults_to_sqlite_and_routes_postgres_through_psycopg(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/ward-budgets.db"
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/pb")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u:p@db/pb"


def test_production_requires_a_ballot_seal_key(monkeypatch):
    monkeypatch.delenv("BALLOT_SEAL_KEY", raising=False)
    with pytest.raises(config.ConfigError):
        config.ballot_seal_key("secret", production=True)
    development = config.ballot_seal_key("secret", production=False)
    assert len(development) == 32 and development != config.ballot_seal_key("other", False)
    monkeypatch.setenv("BALLOT_SEAL_KEY", "ab" * 32)
    assert config.ballot_seal_key("secret", production=True) == bytes.fromhex("ab" * 32)
    monkeypatch.setenv("BALLOT_SEAL_KEY", "too short")
    with pytest.raises(config.ConfigError):
        config.ballot_seal_key("secret", production=True)
