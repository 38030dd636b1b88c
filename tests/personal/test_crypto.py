"""SM4-GCM sealing, HMAC-SM3 lookup hashes, key configuration and the refusal to run without keys."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from core.personal import crypto

KEY_A = "ka:" + "QUFBQUFBQUFBQUFBQUFBQQ=="  # 16 × "A"
KEY_B = "kb:" + "QkJCQkJCQkJCQkJCQkJCQg=="  # 16 × "B"
LOOKUP = "TExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTEw="


def ring(data: str = KEY_A, lookup: str = LOOKUP) -> crypto.KeyRing:
    return crypto.parse_keys(data, lookup)


def test_round_trip_and_format() -> None:
    sealed = crypto.encrypt("35042519900101123X", "app.person.id_number", ring=ring())
    assert sealed.startswith("ka:")
    assert "35042519900101123X" not in sealed
    assert crypto.decrypt(sealed, "app.person.id_number", ring=ring()) == "35042519900101123X"
    # A fresh nonce each time: equal values never give equal ciphertexts.
    assert sealed != crypto.encrypt("35042519900101123X", "app.person.id_number", ring=ring())


def test_associated_data_binds_the_column() -> None:
    sealed = crypto.encrypt("13812345678", "app.person.phone", ring=ring())
    with pytest.raises(crypto.DecryptionError, match="another column"):
        crypto.decrypt(sealed, "app.person.id_number", ring=ring())


def test_tampering_is_detected() -> None:
    sealed = crypto.encrypt("13812345678", "a.b.c", ring=ring())
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(flipped, "a.b.c", ring=ring())


def test_old_keys_still_open_and_unknown_keys_do_not() -> None:
    old = crypto.encrypt("x", "a.b.c", ring=ring(KEY_A))
    assert crypto.decrypt(old, "a.b.c", ring=ring(f"{KEY_B},{KEY_A}")) == "x"
    assert crypto.encrypt("x", "a.b.c", ring=ring(f"{KEY_B},{KEY_A}")).startswith("kb:")
    with pytest.raises(crypto.DecryptionError, match="unknown data key"):
        crypto.decrypt(old, "a.b.c", ring=ring(KEY_B))


def test_lookup_hash_is_keyed_and_purpose_bound() -> None:
    h = crypto.lookup_hash("13812345678", "phone", ring=ring())
    assert len(h) == 64 and h == crypto.lookup_hash("13812345678", "phone", ring=ring())
    assert h != crypto.lookup_hash("13812345678", "id_number", ring=ring())
    other = ring(lookup="TU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU1NTU0=")
    assert h != crypto.lookup_hash("13812345678", "phone", ring=other)


@pytest.mark.parametrize(
    ("data", "lookup", "message"),
    [
        ("", LOOKUP, "holds no key"),
        ("ka", LOOKUP, "id:base64key"),
        ("ka:@@@", LOOKUP, "not valid base64"),
        ("ka:QUFB", LOOKUP, "16 bytes"),
        (f"{KEY_A},{KEY_A}", LOOKUP, "twice"),
        (KEY_A, "QUFB", "at least 16 bytes"),
    ],
)
def test_bad_key_configuration_is_refused(data: str, lookup: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keys(data, lookup)


def test_no_development_keys_outside_debug_and_tests() -> None:
    with override_settings(DEBUG=False, TESTING=False, ZHANWU_DATA_KEYS="", ZHANWU_LOOKUP_KEY=""):
        with pytest.raises(ImproperlyConfigured, match="must be set"):
            crypto.configured_key_text()
    with override_settings(DEBUG=True, TESTING=False, ZHANWU_DATA_KEYS="", ZHANWU_LOOKUP_KEY=""):
        assert crypto.configured_key_text() == (crypto.DEV_DATA_KEYS, crypto.DEV_LOOKUP_KEY)


def test_system_checks() -> None:
    with override_settings(ZHANWU_DATA_KEYS="ka:QUFB", ZHANWU_LOOKUP_KEY=LOOKUP):
        with pytest.raises(SystemCheckError, match="core.E101"):
            call_command("check")
    with override_settings(ZHANWU_DATA_KEYS="", ZHANWU_LOOKUP_KEY=""):
        with pytest.raises(SystemCheckError, match="core.E103"):
            call_command("check", "--deploy", "--tag", "security")


def test_production_refuses_to_start_without_keys() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHANWU_")}
    env.update(ZHANWU_REQUIRE_SECRET="1", SECRET_KEY="x" * 50)
    code = "import config.settings"
    failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert failed.returncode != 0 and "ZHANWU_DATA_KEYS" in failed.stderr
    env.update(ZHANWU_DATA_KEYS=KEY_A, ZHANWU_LOOKUP_KEY=LOOKUP)
    ok = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert ok.returncode == 0, ok.stderr
