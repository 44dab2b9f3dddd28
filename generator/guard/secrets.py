"""Leak guard: find secret-like values in text, and report them without ever repeating them.

Pure functions, no I/O. The build runs them on every scenario string and mapping key
(load) and on every rendered file (a second net), before anything is written. A
finding carries a kind and a fingerprint (length and a sha256 prefix), never the
value: error messages, logs and pages can name it without leaking it.

Every text is matched twice: as it is, and normalised as a reader would see it
(`normalise`: markup removed, entities, escapes and percent-encoding decoded, invisible
characters dropped), so a value split by a tag or a zero-width space is still found.
The formats of the major clouds and code hosts are gitleaks' rules (config/gitleaks.toml,
v8), each cited by its rule id; URL credentials are detect-secrets' BasicAuthDetector.

How a value is told apart from the lookalikes the mock must show is written down,
with the measurements behind the thresholds, in docs/leak-guard.md.
"""
from __future__ import annotations

import hashlib
import html
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

#: What each kind of finding is called in an error message.
KINDS = {
    "shopify_token": "a Shopify secret or access token",
    "private_key": "a private key",
    "jwt": "a JSON Web Token",
    "cloud_key": "a cloud or code-host access key (AWS, Google, GitHub, GitLab, Slack, Stripe…)",
    "url_credentials": "a URL with a user name and password",
    "auth_header": "an authorization header with its value",
    "keyword_secret": "a value given to a secret-named key",
    "high_entropy": "a random-looking string (high entropy)",
}

#: Generic detection looks at runs of the base64 / base64url alphabet at least this long.
MIN_RUN = 20

# Specific formats, each searched only when its literal prefix is in the text (a fast scan).
_PRIVATE_KEY = re.compile(rb"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s]*+"
                          rb"(?:-----END[ A-Z0-9]{0,40}-----)?")
_JWT = re.compile(rb"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}+\.eyJ[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]*+")
_SHOPIFY_BYTES = re.compile(rb"shp[a-z]{2}_[0-9a-fA-F]{8,}+")
#: gitleaks' rules (config/gitleaks.toml), by rule id: (literals that must occur, pattern).
#: Copied without their trailing \b where the token may run on (a longer value is no safer).
_CLOUD_RULES = {
    "aws-access-token": ((b"A3T", b"AKIA", b"ASIA", b"ABIA", b"ACCA"),
                         rb"(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])"),
    "gcp-api-key": ((b"AIza",), rb"AIza[\w-]{35}"),
    "github-pat / github-oauth / github-app-token / github-refresh-token": (
        (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"), rb"gh[pousr]_[0-9a-zA-Z]{36}"),
    "github-fine-grained-pat": ((b"github_pat_",), rb"github_pat_\w{82}"),
    "gitlab-pat": ((b"glpat-",), rb"glpat-[\w-]{20}"),
    "slack-bot-token / slack-user-token / slack-legacy-token": (
        (b"xox",), rb"xox[abposr]-[0-9A-Za-z-]{10,}"),
    "slack-webhook-url": ((b"hooks.slack.com",), rb"hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{43,46}"),
    "stripe-access-token": ((b"_test_", b"_live_", b"_prod_"), rb"(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}"),
    "npm-access-token": ((b"npm_",), rb"npm_[a-z0-9]{36}"),
    "pypi-upload-token": ((b"pypi-AgEIcHlwaS5vcmc",), rb"pypi-AgEIcHlwaS5vcmc[\w-]{50,}"),
    "digitalocean-pat": ((b"dop_v1_", b"doo_v1_", b"dor_v1_"), rb"do[opr]_v1_[a-f0-9]{64}"),
    "anthropic-api-key": ((b"sk-ant-",), rb"sk-ant-(?:api|admin)0\d-[\w-]{80,}"),
    "openai-api-key": ((b"T3BlbkFJ", b"sk-proj-", b"sk-svcacct-"),
                       rb"sk-(?:proj|svcacct|admin)?-?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"),
    "sendgrid-api-token": ((b"SG.",), rb"SG\.[A-Za-z0-9=_.-]{66}"),
    "twilio-api-key": ((b"SK",), rb"(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])"),
}
#: detect-secrets' BasicAuthDetector (`://[^{}\s]+:([^{}\s]+)@`), kept to one user and host.
_URL_CREDENTIALS = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]{0,20}://(?P<userinfo>[^\s/:@<>\"'{}]{1,256}:"
                              rb"(?P<value>[^\s/@<>\"'{}]{1,256}))@[A-Za-z0-9.\[-]")
#: (literals, pattern, kind): a pattern is searched only when one of its literals is in the text.
_FORMATS = (((b"-----BEGIN",), _PRIVATE_KEY, "private_key"), ((b"eyJ",), _JWT, "jwt"),
            ((b"shp",), _SHOPIFY_BYTES, "shopify_token"),
            *((literals, re.compile(pattern), "cloud_key") for literals, pattern in _CLOUD_RULES.values()),
            ((b"://",), _URL_CREDENTIALS, "url_credentials"))

#: Characters a reader never sees, which can split a token: zero-width space, joiners and
#: non-joiner, marks, soft hyphen, word joiner and invisible operators, BOM, bidi controls,
#: the Mongolian vowel separator, the combining grapheme joiner, Hangul fillers.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
#: Tags that leave no gap in the page text (others separate words, as a browser shows them).
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
                          r"|strong|sub|sup|time|u|var|wbr)\b[^<>]{0,1000}>", re.IGNORECASE)
#: Two sibling elements (`</a><a …>`): laid out apart (a nav, a list of links), read as two texts.
_SIBLINGS = re.compile(r"(</[A-Za-z][^<>]{0,100}>)(?=<[A-Za-z])")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]{0,1000}>", re.DOTALL)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\([\"'/\\])")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
#: What makes a text read differently once normalised: only such texts are matched twice.
_NEEDS_NORMALISING = re.compile("[<&%\\\\\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                                "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")

# Generic runs of the base64 / base64url alphabet. Python's regex engine restarts inside every
# short word when asked for `[…]{20,}`; mapping the alphabet to 'a' and everything else to ' '
# first turns the search into a literal-prefix search, about 4x faster on a page.
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
_MASK = bytes(0x61 if b in _ALPHABET else 0x20 for b in range(256))
_LONG_RUN = re.compile(b"a" * MIN_RUN + b"a*+")

# A name that holds a secret, followed by ':' or '=' and a value (`password: …`,
# `Authorization: Bearer …`). Found from a few literals in the lower-cased text.
_KEY_LITERALS = (b"secret", b"passw", b"pwd", b"token", b"key", b"authorization")
_NAME_TAIL = re.compile(rb"[a-z0-9_-]{0,64}")
_SECRET_NAME = re.compile(rb"(?:secret|password|passwd|pwd|token|(?:api|private|secret|access)[_-]?key|apikey"
                          rb"|authorization)$")
_HEADER_NAME = re.compile(rb"(?:authorization|x-shopify-access-token)$")
_ASSIGNMENT = re.compile(rb"[\"']?[ \t]*[:=][ \t]*[\"']?(?P<scheme>(?i:bearer|basic|token|digest)[ \t]+)?"
                         rb"(?P<value>[^\s\"'<>,;()]{8,512}+)")
#: When two findings overlap, the more specific kind names the merged one.
_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}

_SHOPIFY = re.compile(r"shp[a-z]{2}_[0-9a-fA-F]{8,}")
#: A secret reference (project/env/path/KEY), the notation the schema accepts: a pointer, not a value.
_SECRET_REF = re.compile(r"[a-z0-9][a-z0-9-]*/(?:dev|staging|prod)(?:/[A-Za-z0-9_.-]+)*/[A-Z][A-Z0-9_]*")
_SEPARATORS = re.compile(r"[+/=_-]+")
#: Names joined by '/', '_' or '-', each lower-case, Capitalised or UPPER-case (digits allowed).
#: Checked piece by piece: one regex for the whole run would backtrack exponentially.
_NAME_JOINTS = re.compile(r"[/_-]+")
_NAME = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")
_HEX_LETTER = re.compile(r"[a-fA-F]")
#: Character-class segments: a word, an ACRONYM or a number each count once.
_SEGMENT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
#: Dates, timestamps and API versions are not credentials, even after a keyword.
_DATE_LIKE = re.compile(r"\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?")
#: Joins texts scanned together: no pattern matches across it, so a finding stays in one text.
SEPARATOR = "\n\x00"

#: Words that stand for a password in documentation, never one.
_PLACEHOLDERS = frozenset({"password", "pass", "passwd", "secret", "pwd", "xxx", "xxxx", "changeme", "token"})
#: Thresholds of the generic detector (measured, see docs/leak-guard.md).
SEGMENTS_PER_CHAR = 0.25
ENTROPY_SHARE = 0.7


@dataclass(frozen=True)
class Finding:
    """One secret-like value: where it is in the scanned text, what it looks like, its fingerprint."""

    kind: str
    start: int
    end: int
    length: int
    digest: str

    @property
    def fingerprint(self) -> str:
        return f"{self.length} chars, sha256 {self.digest}"

    def describe(self) -> str:
        return f"looks like {KINDS[self.kind]} ({self.fingerprint})"


def fingerprint_of(value: str) -> tuple[int, str]:
    """Length and an 8-hex sha256 prefix: enough to find the value again, useless to use it."""
    return len(value), hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _finding(kind: str, text: str, start: int, end: int) -> Finding:
    return Finding(kind, start, end, *fingerprint_of(text[start:end]))


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def _random_looking(piece: str) -> bool:
    """A machine-made token rather than words, codes, numbers or paths (thresholds: docs/leak-guard.md)."""
    if len(piece) < MIN_RUN or not (_DIGIT.search(piece) and _LETTER.search(piece)):
        return False
    if piece[:2] in ("0x", "0X") and _HEX.fullmatch(piece, 2):  # a number in hex: YAML reads it, a page shows it
        return _HEX_LETTER.search(piece, 2) is not None and _DIGIT.search(piece, 2) is not None
    if _HEX.fullmatch(piece):
        return _HEX_LETTER.search(piece) is not None  # hex with digits and letters: a key, hash or id
    return (len(_SEGMENT.findall(piece)) >= SEGMENTS_PER_CHAR * len(piece)
            and _entropy(piece) >= ENTROPY_SHARE * math.log2(len(piece)))


def _classify_run(run: str) -> str | None:
    """The kind of secret a base64-alphabet run is, or None."""
    return _classify_short_run(run) if len(run) <= 256 else _classify(run)


@lru_cache(maxsize=8192)
def _classify_short_run(run: str) -> str | None:
    """Runs repeat across pages and scenarios: short ones are judged once."""
    return _classify(run)


def _classify(run: str) -> str | None:
    if _SHOPIFY.search(run):
        return "shopify_token"
    if "=" in run.rstrip("="):  # `a=foo-c1` in a link: base64 pads only at the end, so these are two values
        return next((kind for part in run.split("=") if len(part) >= MIN_RUN
                     and (kind := _classify_run(part))), None)
    # A secret reference, and any run shaped like names joined by separators (snake_case,
    # kebab-case, UPPER_SNAKE, paths of them), is judged name by name: a secret pasted as one
    # of its parts is still caught, but `AWS_S3_FORCE_PATH` or a reference is not a secret.
    if _SECRET_REF.fullmatch(run):
        pieces = run.split("/")
    elif _name_shaped(run):
        pieces = _SEPARATORS.split(run)
    else:
        pieces = [run, *_SEPARATORS.split(run)]
    return "high_entropy" if any(_random_looking(p) for p in pieces) else None


def _name_shaped(run: str) -> bool:
    """snake_case, kebab-case, UPPER_SNAKE or a path of such names: at least two names."""
    if "+" in run or "=" in run:
        return False
    names = [name for name in _NAME_JOINTS.split(run) if name]
    return len(names) > 1 and all(_NAME.fullmatch(name) for name in names)


def _credential_like(value: str, shortest: int = 8) -> bool:
    """A value after a secret-named key or header (or a URL's password, any length): a credential
    unless it is a known harmless shape (masked, a placeholder, a reference, a date)."""
    if shortest == 1:
        return not ("•" in value or "***" in value or value[0] in "${<" or value.lower() in _PLACEHOLDERS)
    if len(value) < shortest or "•" in value or "***" in value or value[0] in "${":
        return False
    if _SECRET_REF.fullmatch(value) or _DATE_LIKE.fullmatch(value):
        return False
    return bool(_DIGIT.search(value) and _LETTER.search(value)) or _classify_run(value) is not None


def _value_kind(value: str) -> str | None:
    """A specific kind for a value found after a keyword or header, if it has one."""
    if _SHOPIFY.search(value):
        return "shopify_token"
    if value.startswith("eyJ") and value.count(".") == 2:
        return "jwt"
    return None


def _assignments(raw: bytes) -> list[tuple[int, int, str]]:
    """Values given to a secret-named key or header (`password: …`, `Authorization: Bearer …`)."""
    lower = raw.lower()
    found: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    for literal in _KEY_LITERALS:
        at = lower.find(literal)
        while at >= 0:
            end = _NAME_TAIL.match(lower, at + len(literal)).end()
            m = _ASSIGNMENT.match(raw, end) if end not in seen else None
            seen.add(end)
            # The name must end with the secret word: `client_secret_ref:` introduces a reference.
            if m and _SECRET_NAME.search(lower, max(0, end - 24), end):
                start, stop = m.span("value")
                stop -= raw[stop - 1:stop] in (b":", b".")  # trailing punctuation is not part of it
                value = raw[start:stop].decode("utf-8", "replace")
                if m.group("scheme") or _credential_like(value):
                    header = _HEADER_NAME.search(lower, max(0, end - 24), end)
                    found.append((start, stop, _value_kind(value) or
                                  ("auth_header" if header else "keyword_secret")))
            at = lower.find(literal, at + 1)
    return found


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1) or m.group(2)
    return chr(int(code, 16)) if code else m.group(3)


def normalise(text: str) -> str:
    """`text` as a reader sees it: markup removed (inline tags join, except between two sibling
    elements; other tags separate), entities,
    backslash escapes and percent-encoding (up to three times) decoded, invisible characters
    dropped. Line breaks are kept, so a finding stays on its line."""
    if not _NEEDS_NORMALISING.search(text):
        return text
    for _ in range(3):
        before = text
        if "<" in text:
            text = _TAG.sub(" ", _INLINE_TAGS.sub("", _SIBLINGS.sub(r"\1 ", text)))
        if "&" in text:
            text = html.unescape(text)
        if "\\" in text:
            text = _ESCAPE.sub(_unescape, text)
        if "%" in text:
            text = _PERCENT.sub(lambda m: unquote(m.group()), text)
        text = _INVISIBLE.sub("", text)
        if text == before:
            break
    return text.replace("\r", "\n") if "\r" in text else text


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans become one, named by the most specific kind among them."""
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), min(last[2], kind, key=_PRIORITY.__getitem__))
        else:
            merged.append((start, end, kind))
    return merged


def scan(text: str) -> list[Finding]:
    """Every secret-like value in `text`, in order; empty when there is none.

    A line that reads differently once normalised is matched that way too; a value found
    only there is reported as its whole line (where it starts and ends in the original is
    not kept, and redacting the line is the safe side).
    """
    found = _scan_raw(text)
    lines = text.split("\n")
    changed = [(i, clean) for i, line in enumerate(lines) if (clean := normalise(line)) != line]
    if not changed:
        return found
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    joined_starts, offset = [], 0
    for _, clean in changed:
        joined_starts.append(offset)
        offset += len(clean) + len(SEPARATOR)
    hit: dict[int, str] = {}
    for finding in _scan_raw(SEPARATOR.join(clean for _, clean in changed)):
        hit.setdefault(changed[bisect_right(joined_starts, finding.start) - 1][0], finding.kind)
    for i, kind in hit.items():
        # The whole line replaces what was found in it as written (a part of the value, maybe).
        # (the NUL of a SEPARATOR belongs to no text: a finding starts after it)
        start, end = starts[i] + lines[i].startswith("\x00"), starts[i] + len(lines[i])
        inside = [f for f in found if f.start < end and start < f.end]
        found = [f for f in found if f not in inside]
        start, end = min([start, *(f.start for f in inside)]), max([end, *(f.end for f in inside)])
        kind = min([kind, *(f.kind for f in inside)], key=_PRIORITY.__getitem__)
        found.append(_finding(kind, text, start, end))
    return sorted(found, key=lambda f: f.start)


def _scan_raw(text: str) -> list[Finding]:
    raw = text.encode("utf-8", "surrogatepass")
    spans: list[tuple[int, int, str]] = []
    for literals, pattern, kind in _FORMATS:
        if any(literal in raw for literal in literals):
            for m in pattern.finditer(raw):
                if kind != "url_credentials":
                    spans.append((*m.span(), kind))
                elif _credential_like(m.group("value").decode("utf-8", "replace"), 1):
                    spans.append((*m.span("userinfo"), kind))  # user:password, not the host
    for m in _LONG_RUN.finditer(raw.translate(_MASK)):
        kind = _classify_run(raw[m.start():m.end()].decode("ascii"))
        if kind:
            spans.append((*m.span(), kind))
    spans.extend(_assignments(raw))
    if not spans:
        return []
    ascii_only = len(raw) == len(text)

    def offset(i: int) -> int:
        return i if ascii_only else len(raw[:i].decode("utf-8", "surrogatepass"))

    return [_finding(kind, text, offset(start), offset(end)) for start, end, kind in _merge(spans)]


def redact(text: str) -> str:
    """`text` with every secret-like value replaced by its fingerprint: safe to print or log."""
    findings = scan(text)
    if not findings:
        return text
    out, last = [], 0
    for f in findings:
        out.append(text[last:f.start])
        out.append(f"[redacted: {f.fingerprint}]")
        last = f.end
    out.append(text[last:])
    return "".join(out)


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


#: Fresh lines scanned in one go: few scan() calls for a page, bounded memory for a large file
#: (scanning the 25 MB scenarios.json of N = 1,000 as one text took several copies of it at once).
BATCH_LINES = 4096


#: What `known_clean` holds for a line: a short line itself, a long one's 128-bit digest (a build's
#: distinct lines were 14 MB at N = 200, held in every worker; two lines share a digest with odds of
#: 2^-128). Short lines, most of scenarios.json's, are not worth a digest's time.
LineKey = str | bytes
SHORT_LINE = 64
#: Characters of a text split into lines at a time: a large file is never held as all its lines.
CHUNK = 1 << 20


def line_key(line: str) -> LineKey:
    if len(line) <= SHORT_LINE:
        return line
    return hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _lines(text: str) -> Iterator[str]:
    """text.split("\n"), the same lines, a chunk of about CHUNK characters at a time."""
    start = 0
    while (end := text.find("\n", start + CHUNK)) >= 0:
        yield from text[start:end].split("\n")
        start = end + 1
    yield from text[start:].split("\n")


#: Characters compared at a time when looking for where two versions of a file part.
SPAN_STEP = 1 << 16
#: Where two versions part, the old one's next line (at most RESYNC_PROBE characters of it) is looked
#: for this far into the new one, to find where they agree again.
RESYNC_WINDOW = 1 << 16
RESYNC_PROBE = 256
#: Places where two versions part told apart in one file (changed_spans); past them, the rest up to
#: what the two share at their end is one stretch.
MAX_PLACES = 64


def _common(read_a: Callable[[int, int], str], read_b: Callable[[int, int], str], limit: int) -> int:
    """How many characters two texts share, at most `limit`: read_x(low, high) gives a text's
    characters low to high counted from the end compared. A block at a time, then by halves
    within the block that differs."""
    low = 0
    while low < limit and read_a(low, min(low + SPAN_STEP, limit)) == read_b(low, min(low + SPAN_STEP, limit)):
        low = min(low + SPAN_STEP, limit)
    high = min(low + SPAN_STEP, limit)  # the first difference is in [low, high), if any
    while low < high:
        middle = (low + high) // 2
        if read_a(low, middle + 1) == read_b(low, middle + 1):
            low = middle + 1
        else:
            high = middle
    return low


def changed_spans(before: str, after: str) -> list[tuple[int, int]]:
    """The stretches (start, end) of `after`, in whole lines, that may hold lines `before` lacks.

    Where the two versions part, a stretch runs until the text that follows the parting line in
    `before` is found again in `after` (a save changes a few places of a file: a title in a list
    and again in a menu), and the two are compared on from there; past MAX_PLACES places, or when
    it is not found, the last stretch runs up to what the two share at their end. Every line of
    `after` outside the stretches lies, with the line breaks around it, in text equal to text of
    `before`: it is a whole line of `before`."""
    spans: list[tuple[int, int]] = []
    i = j = 0  # before[:i] and after[:j] are compared (equal, or in a stretch)
    places = 0
    while True:
        agreed = _common(lambda low, high: before[i + low:i + high], lambda low, high: after[j + low:j + high],
                         min(len(before) - i, len(after) - j))
        i, j = i + agreed, j + agreed
        if i == len(before) and j == len(after):
            return spans
        start = after.rfind("\n", 0, j) + 1
        # the line break after the line of `before` that parts (not the one it parts at: a line joined),
        # looked for from the line break before the parting line of `after` (a line removed is found there)
        line_end = before.find("\n", i + 1)
        again = -1
        if places < MAX_PLACES and line_end >= 0:
            # the next line alone, between its line breaks (no prefix of a longer line matches): the
            # lines after it may change too (a title and, two lines on, its translation)
            next_end = before.find("\n", line_end + 1, line_end + RESYNC_PROBE)
            probe = before[line_end:line_end + RESYNC_PROBE if next_end < 0 else next_end + 1]
            if start == 0 and after.startswith(probe[1:]):  # the first line was removed
                i, j, places = line_end + 1, 0, places + 1
                continue
            again = after.find(probe, max(start - 1, 0), j + RESYNC_WINDOW)
        if again < 0:  # the rest, up to what the two share at their end
            tail = _common(lambda low, high: before[len(before) - high:len(before) - low],
                           lambda low, high: after[len(after) - high:len(after) - low],
                           min(len(before) - i, len(after) - j))
            end = after.find("\n", len(after) - tail)
            return [*spans, (start, len(after) if end < 0 else end)]
        if again >= start:  # else `after` goes on with the next line of `before`: a line was removed
            spans.append((start, again))
        i, j, places = line_end, again, places + 1


def scan_lines(text: str, known_clean: set[LineKey]) -> list[tuple[int, Finding]]:
    """Findings in `text` with their line numbers, skipping lines already known clean.

    Every pattern is confined to one line, so a line that was clean once is clean again:
    pages of one site share most of their lines, and only the new ones are scanned.
    Clean new lines are added to `known_clean`. Lines are split a chunk at a time and scanned
    in batches, so a large file is never held as a list of its lines.
    """
    located: list[tuple[int, Finding]] = []
    batch: list[tuple[int, str, LineKey]] = []
    for number, line in enumerate(_lines(text), 1):
        if (key := line_key(line)) not in known_clean:
            batch.append((number, line, key))
            if len(batch) == BATCH_LINES:
                located += _scan_batch(batch, known_clean)
                batch = []
    return located + _scan_batch(batch, known_clean) if batch else located


def _scan_batch(batch: list[tuple[int, str, LineKey]], known_clean: set[LineKey]) -> list[tuple[int, Finding]]:
    """Findings in some (line number, line, key) with their line numbers; the clean lines become known clean."""
    joined = SEPARATOR.join(line for _, line, _ in batch)
    flagged: set[int] = set()
    located: list[tuple[int, Finding]] = []
    for finding in scan(joined):
        first, last = line_of(joined, finding.start), line_of(joined, finding.end)
        flagged.update(range(first, last + 1))
        located.append((batch[first - 1][0], finding))
    known_clean.update(key for i, (_, _, key) in enumerate(batch, 1) if i not in flagged)
    return located
