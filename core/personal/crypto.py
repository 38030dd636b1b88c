"""Encryption at rest with the national algorithms (SECURITY.md; GB/T 39786-2021 expects SM4 and SM3).

* Values are sealed with SM4-GCM (``cryptography``'s OpenSSL SM4 in GCM mode; no cipher code of our own):
  a random 12-byte nonce per value, a 16-byte tag, and associated data naming the model and field, so a
  ciphertext copied into another column or table does not decrypt. The stored text is
  ``<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``; the key id lets keys rotate.
* Exact lookup and uniqueness use HMAC-SM3 under a separate lookup key (hex, 64 characters).

Keys come from the environment:

``ZHANWU_DATA_KEYS``   ``id:base64key[,id:base64key…]``, 16-byte SM4 keys; the first is the current key
                       (new values and ``rotate_data_keys`` use it), the others only decrypt.
``ZHANWU_LOOKUP_KEY``  base64 of 32 random bytes, the HMAC-SM3 key.

Generate them with ``python manage.py rotate_data_keys --generate``. Without them only a development or test
run (``DEBUG`` or ``settings.TESTING``) falls back to fixed development keys; anything else refuses to start
(``config/settings.py`` in production, and the first use everywhere else).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

NONCE_BYTES = 12
TAG_BYTES = 16
SM4_KEY_BYTES = 16
LOOKUP_KEY_MIN_BYTES = 16
_KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

# Development and test keys, public on purpose: never used unless DEBUG or a test run.
DEV_DATA_KEYS = "dev1:" + base64.b64encode(b"zhanwu-dev-sm4-1").decode()
DEV_LOOKUP_KEY = base64.b64encode(b"zhanwu-development-lookup-key-01").decode()


class DecryptionError(Exception):
    """The stored value cannot be opened: unknown key id, tampered text, or another column's ciphertext."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]
    lookup_key: bytes

    @property
    def key_ids(self) -> list[str]:
        return list(self.keys)


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64") from None


def parse_keys(data_keys: str, lookup_key: str) -> KeyRing:
    """Parse the two environment values; raises ImproperlyConfigured naming what is wrong (never the key)."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in data_keys.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID_RE.match(key_id):
            raise ImproperlyConfigured("ZHANWU_DATA_KEYS: each item is id:base64key, id of letters, digits, - or _")
        if key_id in keys:
            raise ImproperlyConfigured(f"ZHANWU_DATA_KEYS: key id {key_id!r} appears twice")
        key = _b64decode(encoded, f"ZHANWU_DATA_KEYS key {key_id!r}")
        if len(key) != SM4_KEY_BYTES:
            raise ImproperlyConfigured(f"ZHANWU_DATA_KEYS key {key_id!r} must be 16 bytes (SM4-128)")
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("ZHANWU_DATA_KEYS holds no key")
    lookup = _b64decode(lookup_key, "ZHANWU_LOOKUP_KEY")
    if len(lookup) < LOOKUP_KEY_MIN_BYTES:
        raise ImproperlyConfigured("ZHANWU_LOOKUP_KEY must be at least 16 bytes")
    return KeyRing(current_id=next(iter(keys)), keys=keys, lookup_key=lookup)


def development_keys_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def configured_key_text() -> tuple[str, str]:
    """The key texts from settings (read from the environment), or the development keys where allowed."""
    data = getattr(settings, "ZHANWU_DATA_KEYS", "") or ""
    lookup = getattr(settings, "ZHANWU_LOOKUP_KEY", "") or ""
    if data and lookup:
        return data, lookup
    if development_keys_allowed():
        return data or DEV_DATA_KEYS, lookup or DEV_LOOKUP_KEY
    raise ImproperlyConfigured(
        "ZHANWU_DATA_KEYS and ZHANWU_LOOKUP_KEY must be set outside development and tests "
        "(python manage.py rotate_data_keys --generate prints new keys)"
    )


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    return parse_keys(*configured_key_text())


def reset_keyring() -> None:
    """Forget the parsed keys (after settings change: tests, rotation)."""
    keyring.cache_clear()


def generate_key_text(key_id: str) -> tuple[str, str]:
    """A new ``id:base64`` data key and a new lookup key, from the operating system's CSPRNG."""
    if not _KEY_ID_RE.match(key_id):
        raise ValueError("key id: letters, digits, - or _, at most 16")
    data = f"{key_id}:{base64.b64encode(secrets.token_bytes(SM4_KEY_BYTES)).decode()}"
    lookup = base64.b64encode(secrets.token_bytes(32)).decode()
    return data, lookup


# --- SM4-GCM ------------------------------------------------------------------------------------------------


def encrypt(plaintext: str, associated_data: str, *, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.keys[ring.current_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated_data.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    sealed = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode().rstrip("=")
    return f"{ring.current_id}:{sealed}"


def key_id_of(stored: str) -> str:
    return stored.partition(":")[0]


def decrypt(stored: str, associated_data: str, *, ring: KeyRing | None = None) -> str:
    ring = ring or keyring()
    key_id, sep, sealed = stored.partition(":")
    key = ring.keys.get(key_id)
    if not sep or key is None:
        raise DecryptionError(f"unknown data key id {key_id!r}")
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("ciphertext is not base64") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(associated_data.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext does not authenticate (tampered, or from another column)") from None


# --- HMAC-SM3 -----------------------------------------------------------------------------------------------


def lookup_hash(value: str, purpose: str, *, ring: KeyRing | None = None) -> str:
    """Hex HMAC-SM3 of ``purpose`` and the normalised value. ``purpose`` (e.g. "id_number") keeps equal strings
    of different kinds apart; it is the same for every model so one person can be found across apps."""
    ring = ring or keyring()
    mac = hmac.HMAC(ring.lookup_key, hashes.SM3())
    mac.update(purpose.encode() + b"\x00" + value.encode())
    return mac.finalize().hex()


def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting in {"ZHANWU_DATA_KEYS", "ZHANWU_LOOKUP_KEY", "DEBUG", "TESTING"}:
        reset_keyring()


setting_changed.connect(_settings_changed)
