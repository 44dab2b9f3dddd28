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


B32 = string.ascii_uppercase + "234567"


def cloud_key(rng: random.Random) -> tuple[str, str]:
    """A key of a major cloud or code host, in the shape its provider issues (gitleaks' rules)."""
    makers = [
        lambda: rng.choice(["AKIA", "ASIA", "ABIA", "ACCA"]) + _pick(rng, B32, 16),  # letters only, often
        lambda: "AIza" + _pick(rng, B62 + "_-", 35),
        lambda: rng.choice(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + _pick(rng, B62, 36),
        lambda: "github_pat_" + _pick(rng, B62 + "_", 82),
        lambda: "glpat-" + _pick(rng, B62 + "_-", 20),
        lambda: f"xoxb-{_pick(rng, string.digits, 12)}-{_pick(rng, string.digits, 12)}-{_pick(rng, B62, 24)}",
        lambda: rng.choice(["sk", "rk"]) + rng.choice(["_live_", "_test_"]) + _pick(rng, B62, 24),
        lambda: "npm_" + _pick(rng, string.ascii_lowercase + string.digits, 36),
        lambda: "dop_v1_" + _pick(rng, HEX, 64),
    ]
    return rng.choice(makers)(), "cloud_key"


def url_credentials(rng: random.Random) -> tuple[str, str]:
    scheme = rng.choice(["https", "postgres", "redis", "amqp", "ftp"])
    password = _pick(rng, B62 + "!~", rng.randrange(6, 24))
    return f"{scheme}://{_pick(rng, string.ascii_lowercase, 5)}:{password}@db.example.com/x", "url_credentials"


FORMATS: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "shopify": shopify, "private_key": private_key, "jwt": jwt,
    "authorization_header": authorization_header, "shopify_header": shopify_header,
    "keyword": keyword, "generic_base64": generic_base64, "generic_hex": generic_hex,
    "cloud_key": cloud_key, "url_credentials": url_credentials,
}

#: Ways a value can be hidden from a matcher yet read whole by a person (issue 17): each takes
#: the text and a position inside the secret part, and returns the disguised text.
DISGUISES: dict[str, Callable[[str, int], str]] = {
    "zero-width space": lambda t, i: t[:i] + "\u200b" + t[i:],
    "soft hyphen": lambda t, i: t[:i] + "\u00ad" + t[i:],
    "word joiner": lambda t, i: t[:i] + "\u2060" + t[i:],
    "byte order mark": lambda t, i: t[:i] + "\ufeff" + t[i:],
    "inline markup": lambda t, i: t[:i] + "<span></span>" + t[i:],
    "emphasis tags": lambda t, i: t[:i] + "<em>" + t[i:] + "</em>",
    "html entity": lambda t, i: t[:i] + f"&#{ord(t[i])};" + t[i + 1:],
    "percent-encoding": lambda t, i: t[:i] + "".join(f"%{ord(c):02X}" for c in t[i:i + 3]) + t[i + 3:],
    "double percent-encoding": lambda t, i: t[:i] + f"%25{ord(t[i]):02X}" + t[i + 1:],
}


def secret_part(text: str, kind: str) -> str:
    """The part of a sample that must never be shown (a header's or keyword's value, else all)."""
    if kind in ("auth_header", "keyword_secret"):
        return text.replace(":", "=").split("=", 1)[1].split()[-1]
    if kind == "url_credentials":
        return text.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    return text
