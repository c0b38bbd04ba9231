"""Stored marketplace credentials, encrypted with Fernet under ``AGRI_SECRET_KEY``.

A key is made with ``agri init --new-secret-key`` (or ``cryptography.fernet.Fernet.generate_key``).
Without a key nothing is stored; with a wrong key nothing is decrypted.  Neither error message
shows any part of a secret.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from catalog.errors import ConfigurationError


def _fernet(key: SecretStr | None) -> Fernet:
    if key is None or not key.get_secret_value():
        raise ConfigurationError("config.secret_key_missing")
    try:
        return Fernet(key.get_secret_value().encode())
    except (ValueError, TypeError) as exc:
        raise ConfigurationError("config.secret_key_invalid") from exc


def encrypt_credentials(credentials: dict[str, str], *, key: SecretStr | None) -> str:
    return _fernet(key).encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def decrypt_credentials(token: str, *, key: SecretStr | None) -> dict[str, str]:
    try:
        data = _fernet(key).decrypt(token.encode())
    except InvalidToken as exc:
        raise ConfigurationError("config.secret_key_invalid") from exc
    loaded: dict[str, str] = json.loads(data)
    return loaded


def new_secret_key() -> str:
    return Fernet.generate_key().decode()
