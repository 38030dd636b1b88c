"""PBKDF2-HMAC-SM3 password hasher (accounts/hashers.py), selected by PASSWORD_HASHER=sm3."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client

from accounts.hashers import PBKDF2SM3PasswordHasher
from accounts.models import User

SM3 = "accounts.hashers.PBKDF2SM3PasswordHasher"
SHA256 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def _pbkdf2_sm3_by_hand(password: bytes, salt: bytes, iterations: int) -> bytes:
    """RFC 8018 PBKDF2, one 32-byte block, written out with HMAC-SM3: an independent check of the hasher."""

    def prf(data: bytes) -> bytes:
        mac = hmac.HMAC(password, hashes.SM3())
        mac.update(data)
        return mac.finalize()

    u = prf(salt + (1).to_bytes(4, "big"))
    out = bytearray(u)
    for _ in range(iterations - 1):
        u = prf(u)
        out = bytearray(a ^ b for a, b in zip(out, u, strict=True))
    return bytes(out)


def test_encode_is_pbkdf2_hmac_sm3() -> None:
    encoded = PBKDF2SM3PasswordHasher().encode("Station#2026ok", "NaClNaClNaCl", iterations=1000)
    algorithm, iterations, salt, digest = encoded.split("$")
    assert (algorithm, iterations, salt) == ("pbkdf2_sm3", "1000", "NaClNaClNaCl")
    assert base64.b64decode(digest) == _pbkdf2_sm3_by_hand(b"Station#2026ok", b"NaClNaClNaCl", 1000)
    # Not SHA-256 under another name.
    assert base64.b64decode(digest) != base64.b64decode(
        make_password("Station#2026ok", "NaClNaClNaCl", "pbkdf2_sha256").split("$")[3]
    )


def test_verify() -> None:
    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode("Station#2026ok", hasher.salt(), iterations=1000)
    assert hasher.verify("Station#2026ok", encoded)
    assert not hasher.verify("Station#2026oK", encoded)
    assert hasher.safe_summary(encoded)["algorithm"] == "pbkdf2_sm3"


def test_must_update_and_harden_runtime(monkeypatch: Any) -> None:
    hasher = PBKDF2SM3PasswordHasher()
    weak = hasher.encode("pw-Station#1", hasher.salt(), iterations=1000)
    full = hasher.encode("pw-Station#1", hasher.salt())
    assert hasher.must_update(weak) and not hasher.must_update(full)
    # harden_runtime spends the missing rounds, so an old hash takes as long to check as a current one.
    rounds: list[int] = []
    original = PBKDF2SM3PasswordHasher.encode

    def counting(self: Any, password: str, salt: str, iterations: int | None = None) -> str:
        rounds.append(iterations or self.iterations)
        return original(self, password, salt, iterations)

    monkeypatch.setattr(PBKDF2SM3PasswordHasher, "encode", counting)
    hasher.harden_runtime("pw-Station#1", weak)
    assert rounds == [hasher.iterations - 1000]


@pytest.mark.django_db
def test_existing_hashes_are_upgraded_at_the_next_login(demo: None, password: str, settings: Any) -> None:
    user = User.objects.get(username="junxi_town")
    user.set_password(password)
    user.save(update_fields=["password"])
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"

    settings.PASSWORD_HASHERS = [SM3, SHA256]
    response = Client().post("/login/", {"username": "junxi_town", "password": password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(f"pbkdf2_sm3${PBKDF2SM3PasswordHasher.iterations}$")
    assert check_password(password, user.password)

    # A wrong password changes nothing.
    Client().post("/login/", {"username": "junxi_town", "password": "wrong-Password1"})
    before = user.password
    user.refresh_from_db()
    assert user.password == before


@pytest.mark.parametrize(("value", "first"), [("sm3", SM3), ("", SHA256)])
def test_password_hasher_setting(value: str, first: str) -> None:
    env = {**os.environ, "PASSWORD_HASHER": value, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.PASSWORD_HASHERS[0]); "
            "print(settings.PASSWORD_HASHERS.count('" + SM3 + "'))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # The SM3 hasher is always listed, so its hashes keep verifying when the setting is removed again.
    assert out == [first, "1"]
