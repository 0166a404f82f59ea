"""Field encryption (AES-GCM with a key id, so keys rotate), blind indexes and masking.

Ciphertext layout, as text: ``v1:<key id>:<base64url(nonce 12 bytes + ciphertext + tag)>``.

GONGZHI_FIELD_KEY holds one or more comma-separated keys, ``<id>:<secret>`` (a bare secret has the
id ``k0``, so the key generated for local use keeps its id wherever it moves in the list). The first
key encrypts; every listed key decrypts. To rotate: put a new key in front
(``k1:<new secret>,k0:<old secret>``), then run ``manage.py rotate_field_keys`` to re-encrypt old
rows; once no row uses the old key it may be removed.

The blind index is an HMAC-SHA256 of the normalized value, for exact lookups without storing or
revealing the plaintext. Its key is GONGZHI_BLIND_INDEX_KEY when set, else derived from the *last*
(oldest) field key, so adding a new key in front does not change any index. Before removing that
oldest key, set GONGZHI_BLIND_INDEX_KEY (or accept a new derived key) and run
``manage.py rotate_field_keys --reindex``.

Models keep an encrypted value in ``<name>_encrypted`` and, when it must be found, its blind index in
``<name>_index`` computed with ``blind_index(value, purpose="<name>")``; the rotation command relies
on that naming.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"
DEFAULT_KEY_ID = "k0"
MIN_SECRET_LENGTH = 32


def parse_field_keys(raw: str, *, name: str = "GONGZHI_FIELD_KEY") -> tuple[tuple[str, str], ...]:
    """Return (key id, secret) pairs from the variable's value, the encrypting key first."""
    pairs: list[tuple[str, str]] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            raise ImproperlyConfigured(f"{name} must be comma-separated keys without empty items")
        if ":" in part:
            key_id, secret = part.split(":", 1)
        else:
            key_id, secret = DEFAULT_KEY_ID, part
        if not key_id.isascii() or not key_id.isalnum() or len(key_id) > 16:
            raise ImproperlyConfigured(f"{name}: key ids must be letters and digits, at most 16, got {key_id!r}")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(f"{name}: the secret of key {key_id!r} must be at least 32 characters long")
        pairs.append((key_id, secret))
    if not pairs:
        raise ImproperlyConfigured(f"{name} must hold at least one key")
    ids = [k for k, _ in pairs]
    duplicates = sorted({k for k in ids if ids.count(k) > 1})
    if duplicates:
        raise ImproperlyConfigured(
            f"{name} has duplicate key ids {', '.join(duplicates)} (only one key may be given without an id)"
        )
    return tuple(pairs)


@lru_cache(maxsize=8)
def _parse_keys(raw: str) -> tuple[tuple[str, bytes], ...]:
    """Return (key id, 32-byte key) pairs; the first encrypts."""
    # Any secret of 32+ characters is stretched to a 256-bit key; never used directly.
    return tuple(
        (key_id, hashlib.sha256(b"gongzhi-field-key:" + secret.encode()).digest())
        for key_id, secret in parse_field_keys(raw)
    )


def _keys() -> tuple[tuple[str, bytes], ...]:
    return _parse_keys(settings.FIELD_KEYS_RAW)


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    """Return the cipher of a key (made once; every call takes its own nonce, so it is shared safely)."""
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    """Encrypt a string with the current field key."""
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    sealed = _aead(key).encrypt(nonce, plaintext.encode("utf-8"), key_id.encode())
    return f"{PREFIX}:{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    """Decrypt a value written by encrypt(), with whichever configured key wrote it."""
    try:
        prefix, key_id, payload = token.split(":", 2)
    except ValueError:
        raise ValueError("not an encrypted field value") from None
    if prefix != PREFIX:
        raise ValueError(f"unknown encryption format {prefix!r}")
    for candidate_id, key in _keys():
        if candidate_id == key_id:
            try:
                raw = base64.urlsafe_b64decode(payload.encode())
                return _aead(key).decrypt(raw[:12], raw[12:], key_id.encode()).decode("utf-8")
            except (InvalidTag, ValueError):
                # Tampered, truncated, or written under another secret with the same id.
                raise ValueError(f"the value does not decrypt with key {key_id!r}") from None
    raise ValueError(f"no key with id {key_id!r} is configured")


def key_id_of(token: str) -> str:
    """Return the id of the key that encrypted a value (used by key rotation)."""
    return token.split(":", 2)[1]


def current_key_id() -> str:
    """Return the id of the key new values are encrypted with."""
    return _keys()[0][0]


@lru_cache(maxsize=8)
def _index_key(raw: str, explicit: str | None) -> bytes:
    source = explicit or parse_field_keys(raw)[-1][1]
    return hashlib.sha256(b"gongzhi-blind-index:" + source.encode()).digest()


def blind_index(value: str, *, purpose: str) -> str:
    """Return a keyed hash of a normalized value for exact lookup; purpose separates the domains."""
    normalized = "".join(value.split()).upper()
    key = _index_key(settings.FIELD_KEYS_RAW, settings.BLIND_INDEX_KEY)
    return hmac.new(key, f"{purpose}:{normalized}".encode(), hashlib.sha256).hexdigest()


def mask_identity_number(value: str) -> str:
    """Show the first three and last four characters: 110***********1234."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str) -> str:
    """Show the first three and last four digits: 138****5678."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Show the family name only: 张** (for public pages and certificate verification)."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)
