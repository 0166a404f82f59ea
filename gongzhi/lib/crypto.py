"""Field encryption (AES-GCM with a key id, so keys rotate), blind indexes and masking.

Ciphertext layout, as text: ``v1:<key id>:<base64url(nonce 12 bytes + ciphertext + tag)>``.
The key id lets an operator add a new key in front of GONGZHI_FIELD_KEY while old rows still
decrypt with the old one. The blind index is an HMAC-SHA256 of the normalized value under a key
derived separately, so exact lookups work without storing or revealing the plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


@lru_cache(maxsize=4)
def _parse_keys(raw: str) -> tuple[tuple[str, bytes], ...]:
    """Return (key id, 32-byte key) pairs; the first encrypts."""
    keys: list[tuple[str, bytes]] = []
    for index, part in enumerate(p.strip() for p in raw.split(",") if p.strip()):
        if ":" in part:
            key_id, secret = part.split(":", 1)
        else:
            key_id, secret = f"k{index}", part
        if not key_id.isalnum() or len(key_id) > 16:
            raise ImproperlyConfigured("GONGZHI_FIELD_KEY key ids must be alphanumeric, at most 16 characters")
        # Any secret of 32+ characters is stretched to a 256-bit key; never used directly.
        key = hashlib.sha256(b"gongzhi-field-key:" + secret.encode()).digest()
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured("GONGZHI_FIELD_KEY must hold at least one key")
    ids = [k for k, _ in keys]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured("GONGZHI_FIELD_KEY has duplicate key ids")
    return tuple(keys)


def _keys() -> tuple[tuple[str, bytes], ...]:
    return _parse_keys(settings.FIELD_KEYS_RAW)


def encrypt(plaintext: str) -> str:
    """Encrypt a string with the current field key."""
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), key_id.encode())
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
            raw = base64.urlsafe_b64decode(payload.encode())
            return AESGCM(key).decrypt(raw[:12], raw[12:], key_id.encode()).decode("utf-8")
    raise ValueError(f"no key with id {key_id!r} is configured")


def key_id_of(token: str) -> str:
    """Return the id of the key that encrypted a value (used by key rotation)."""
    return token.split(":", 2)[1]


@lru_cache(maxsize=4)
def _index_key(raw: str, explicit: str | None) -> bytes:
    source = explicit or raw.split(",")[0].split(":", 1)[-1]
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
