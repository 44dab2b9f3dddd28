"""Realistic secrets of every format the leak guard must catch, made from a seeded random source.

Each maker returns (secret text, the kind the guard must report). The random part is fresh for
every seed, so tests never depend on one memorised value.
"""
from __future__ import annotations

import base64
import json
import random
import string
from typing import Callable

B62 = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def _pick(rng: random.Random, alphabet: str, k: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(k))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def shopify(rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(["shpss", "shpat", "shpca", "shppa", "shpua", "shptk"])  # known, and similar ones
    return f"{prefix}_{_pick(rng, HEX, 32)}", "shopify_token"


def private_key(rng: random.Random) -> tuple[str, str]:
    label = rng.choice(["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY",
                        "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK"])
    body = base64.b64encode(rng.randbytes(96)).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----", "private_key"


def jwt(rng: random.Random) -> tuple[str, str]:
    header = _b64url(json.dumps({"alg": rng.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": _pick(rng, B62, 10), "iat": rng.randrange(10**9, 2 * 10**9)}).encode())
    return f"{header}.{payload}.{_b64url(rng.randbytes(32))}", "jwt"


def authorization_header(rng: random.Random) -> tuple[str, str]:
    scheme = rng.choice(["Bearer", "Basic", "token"])
    return f"Authorization: {scheme} {_pick(rng, B62, rng.randrange(16, 40))}", "auth_header"


def shopify_header(rng: random.Random) -> tuple[str, str]:
    # Not a shp… prefix on purpose: the header alone must be enough.
    return f"X-Shopify-Access-Token: {_pick(rng, B62, 8)}{rng.choice(string.digits)}", "auth_header"


def keyword(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(["client_secret", "password", "api_key", "access_token", "DB_PASSWORD", "secret"])
    value = _pick(rng, string.ascii_lowercase, 6) + _pick(rng, string.digits, 4)
    return f"{name}{rng.choice([': ', '=', ' = '])}{value}", "keyword_secret"


def generic_base64(rng: random.Random) -> tuple[str, str]:
    """A machine-made token: base64url of random bytes (the guard needs letters and digits: ensured)."""
    token = _b64url(rng.randbytes(rng.randrange(18, 48)))
    while not (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
        token = _b64url(rng.randbytes(24))
    return token, "high_entropy"


def generic_hex(rng: random.Random) -> tuple[str, str]:
    token = _pick(rng, HEX, rng.choice([32, 40, 64]))
    while not (any(c.isdigit() for c in token) and any(c.isalpha() for c in token)):
        token = _pick(rng, HEX, 40)
    return token, "high_entropy"


FORMATS: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "shopify": shopify, "private_key": private_key, "jwt": jwt,
    "authorization_header": authorization_header, "shopify_header": shopify_header,
    "keyword": keyword, "generic_base64": generic_base64, "generic_hex": generic_hex,
}


def secret_part(text: str, kind: str) -> str:
    """The part of a sample that must never be shown (a header's or keyword's value, else all)."""
    if kind in ("auth_header", "keyword_secret"):
        return text.replace(":", "=").split("=", 1)[1].split()[-1]
    return text
