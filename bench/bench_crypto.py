"""Per-field cost of personal data at rest: ``python -m bench.bench_crypto`` (run by ``make bench``).

Measures, for an identity number (18 characters), a phone (11) and an address (~30 Chinese characters), the
median time per value of SM4-GCM sealing (``crypto.encrypt``: random nonce, associated data, base64 and key id
included), opening (``crypto.decrypt``), the HMAC-SM3 lookup hash, GB 11643 validation and masking, each over
20,000 values in 5 rounds after a warm-up. No database: keys are generated for the run, as production keys would
be. Fails when a seal or open of one field takes more than 50 µs (SECURITY.md quotes about 5 µs; 50 µs leaves
room for a busy shared machine) or a round trip is wrong.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import Check, report, table  # noqa: E402

N = 20_000
ROUNDS = 5
LIMIT_US = 50.0


def per_call_us(fn: Callable[[], object], n: int = N) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(samples)


def main() -> int:
    import cryptography

    from core.personal import crypto
    from core.personal.idnumber import parse_id_number
    from core.personal.masking import mask_address, mask_id_number, mask_phone

    data, lookup = crypto.generate_key_text("bench")
    ring = crypto.parse_keys(data, lookup)
    samples = {
        "身份证号码": ("11010519491231002X", "app.person.id_number", mask_id_number),
        "手机号码": ("13812345678", "app.person.phone", mask_phone),
        "地址": ("福建省三明市大田县均溪镇许思坑村3组12号乡村振兴路188号", "app.person.address", mask_address),
    }
    rows: list[tuple[str, ...]] = [("字段", "加密 µs", "解密 µs", "HMAC-SM3 µs", "脱敏 µs", "密文长度")]
    checks: list[Check] = []
    for label, (value, aad, masker) in samples.items():
        sealed = crypto.encrypt(value, aad, ring=ring)
        ok = crypto.decrypt(sealed, aad, ring=ring) == value
        enc = per_call_us(partial(crypto.encrypt, value, aad, ring=ring))
        dec = per_call_us(partial(crypto.decrypt, sealed, aad, ring=ring))
        mac = per_call_us(partial(crypto.lookup_hash, value, "bench", ring=ring))
        msk = per_call_us(partial(masker, value))
        rows.append((label, f"{enc:.1f}", f"{dec:.1f}", f"{mac:.1f}", f"{msk:.1f}", str(len(sealed))))
        checks.append((f"{label} 加密", f"{enc:.1f} µs", f"≤ {LIMIT_US:.0f} µs", enc <= LIMIT_US))
        checks.append((f"{label} 解密", f"{dec:.1f} µs", f"≤ {LIMIT_US:.0f} µs", dec <= LIMIT_US))
        checks.append((f"{label} 往返一致", "是" if ok else "否", "是", ok))
    parse = per_call_us(lambda: parse_id_number("11010519491231002X"))
    rows.append(("身份证号码校验（GB 11643）", "", "", "", f"{parse:.1f}", ""))
    print(f"cryptography {cryptography.__version__}, {crypto_backend()}; {N} values × {ROUNDS} rounds, median")
    print(table(rows))
    return report(checks, "bench_crypto: OK")


def crypto_backend() -> str:
    from cryptography.hazmat.backends.openssl import backend

    return str(backend.openssl_version_text())


if __name__ == "__main__":
    sys.exit(main())
