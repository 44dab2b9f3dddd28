"""The leak guard: every secret format is caught in every kind of field, the build fails naming
file, line and field, and the value itself never appears in any output, message or log."""
from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import zlib
from pathlib import Path

import pytest

from generator import build as build_module
from generator.output import workers as parallel
from generator import cli
from generator.guard import secrets as leak_guard
from generator.errors import ScenarioErrors
from generator.guard.secrets import redact, scan
from generator.model.load import load_scenarios
from bundled import FEW, copy_scenarios
from secret_samples import FORMATS, secret_part

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
title: Leak test
as_of: 2026-05-03T08:00:00Z
source:
  name: Shop
  store: shop-one.myshopify.com
  plan: pro
api:
  target_version: "2026-04"
"""


def q(text: str) -> str:
    """Any text as one YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


#: Where a pasted secret can sit: (field the error must name or None for a redacted key,
#: line of that field in the file, the YAML of the file).
PLACES = {
    "string value": lambda s: ("source.name", 4, GOOD.replace("  name: Shop", f"  name: {q(s)}")),
    "mapping key": lambda s: (None, 7, GOOD.replace("  plan: pro\n", f"  plan: pro\n  {q(s)}: x\n")),
    "list item": lambda s: ("scopes.requested[1]", 12, GOOD + f"scopes:\n  requested:\n    - read_orders\n    - {q(s)}\n"),
    "markdown description": lambda s: ("description", 9, GOOD + "description: " + q(f"Notes **in bold**.\n\n{s}\n\nEnd.") + "\n"),
    "title dict": lambda s: ("title.en", 2, GOOD.replace("title: Leak test", f"title:\n  en: {q(s)}\n  fr: Titre")),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_is_found_with_its_kind(name):
    for seed in range(50):
        text, kind = FORMATS[name](random.Random(seed))
        found = scan(f"before {text} after")
        assert [f.kind for f in found] == [kind], (name, seed)
        assert secret_part(text, kind) not in redact(f"before {text} after")


def test_fingerprint_is_length_and_sha256_prefix_never_the_value():
    text, _ = FORMATS["shopify"](random.Random(7))
    [finding] = scan(text)
    assert finding.length == len(text)
    assert finding.digest == hashlib.sha256(text.encode()).hexdigest()[:8]
    assert text not in finding.describe() and text[:6] not in finding.describe()  # not even the prefix
    assert f"{len(text)} chars" in finding.describe()


@pytest.mark.parametrize("text", [
    "shop_ch_•••1", "shop_one_•••a9", "X-Shopify-Access-Token: shpat_•••",       # masked references
    "data-platform/staging/shopify/cyspera-ch/CLIENT_SECRET",                      # secret references
    "client_secret_ref: proj2/prod/shopify/shop-12/api/CLIENT_SECRET_V2",
    "2026-04", "api_version: 2026-04", "2026-05-03T06:05:00Z", "token: 2026-05-03T06:05:00Z",
    "cyspera-ch.myshopify.com", "https://cyspera-ch.myshopify.com/admin/oauth/access_token",
    "SECRET_REFS_MISSING", "field_mapping_check_required", "Order.currentTotalAdditionalFeesSet",
    "api-version-2025-01-unsupported", "token: temporary (in-memory cache)", "Authorization: required",
    "expires_in: 86399", "Shopify access tokens start with shpat_ and are never shown.",
    "Authorization: Bearer <token>", "password: ${SHOP_PASSWORD}",
])
def test_lookalikes_the_mock_shows_are_not_secrets(text):
    assert scan(text) == []


def test_a_secret_inside_a_reference_is_still_caught():
    token = "9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"
    assert [f.kind for f in scan(f"proj/staging/{token}/CLIENT_SECRET")] == ["high_entropy"]


def test_bundled_scenarios_and_site_have_no_finding(site):
    for path in sorted((ROOT / "scenarios").glob("*.yml")) + sorted(p for p in site.rglob("*") if p.is_file()):
        assert scan(path.read_text(encoding="utf-8")) == [], path


def test_scan_is_linear_on_hostile_text():
    """Patterns that could backtrack are bounded: the work does not grow with the square of the text.
    Checked by counting, not timing: the number of findings equals the number of secrets planted."""
    planted = " ".join(FORMATS["shopify"](random.Random(i))[0] for i in range(2000))
    hostile = ("eyJ" * 20000 + "tokenA=" * 5000 + "-----BEGIN PRIVATE KEY-----" * 10 + " "
               + " ".join("1-" * n + "1=" for n in range(2000, 2010)) + " " + planted)
    kinds = [f.kind for f in scan(hostile)]
    assert kinds.count("shopify_token") == 2000


@pytest.fixture(scope="module")
def good_site(tmp_path_factory, few) -> Path:
    out = tmp_path_factory.mktemp("good") / "site"
    build_module.build(few, out)
    return out


def outputs(capsys, caplog) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err + caplog.text


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_secret_in_any_field_fails_the_build_and_is_never_echoed(name, place, tmp_path, good_site, capsys, caplog):
    text, kind = FORMATS[name](random.Random(zlib.crc32(f"{name} {place}".encode())))
    secret = secret_part(text, kind)
    field, line, yaml_text = PLACES[place](text)
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "pasted.yml").write_text(yaml_text, encoding="utf-8")
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    caplog.set_level(logging.DEBUG)
    assert cli.main(["build", "--scenarios", str(folder), "--out", str(out)]) == 1
    printed = outputs(capsys, caplog)
    with pytest.raises(ScenarioErrors) as info:
        load_scenarios(folder)
    leaks = [p for p in info.value.problems if "never holds a secret" in p.message]
    assert leaks, printed
    [finding] = [f for f in scan(text) if secret in text[f.start:f.end]]
    assert all(p.file == "scenarios/pasted.yml" and p.line == line for p in leaks)
    assert any(finding.fingerprint in p.message for p in leaks)
    if field is not None:
        assert {p.field for p in leaks} == {field}
    else:  # the key holds the secret: the field names its parent and the key, redacted
        assert all(p.field.startswith("source.") and "[redacted: " in p.field for p in leaks)
    for shown in (printed, str(info.value), repr(info.value.problems), repr(info.value.args)):
        assert secret not in shown
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("yaml_text", [
    "title: x\na: &{s} 1\nb: &{s} 2\n",             # duplicate anchor: the parser quotes its name
    "title: *{s}\n",                                  # undefined alias: quoted too
    "title: !{s} x\n",                                # a custom tag
])
def test_parser_messages_never_echo_a_secret(yaml_text, tmp_path, capsys):
    secret = FORMATS["shopify"](random.Random(3))[0]
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "broken.yml").write_text(yaml_text.format(s=secret), encoding="utf-8")
    assert cli.main(["build", "--scenarios", str(folder), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert "scenarios/broken.yml" in err and secret not in err


def test_a_file_named_like_a_secret_is_not_echoed(tmp_path, capsys):
    secret = FORMATS["shopify"](random.Random(4))[0]
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / f"{secret}.yml").write_text(GOOD, encoding="utf-8")
    assert cli.main(["build", "--scenarios", str(folder), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert "kebab-case" in err and secret not in err


def test_second_net_catches_a_secret_that_only_appears_when_rendered(tmp_path, monkeypatch, capsys, few):
    """A template, message or derived value could produce what no scenario string holds."""
    secret = FORMATS["jwt"](random.Random(5))[0]
    real_render = parallel._render

    def render_with_leak(plan, job):
        page = "scenarios/healthy/index.html"
        return [(path, text.replace("</main>", f"<p>{secret}</p>\n</main>") if path == page else text)
                for path, text in real_render(plan, job)]

    out = tmp_path / "site"
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(parallel, "_render", render_with_leak)
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "output scenarios/healthy/index.html:" in err and "JSON Web Token" in err
    assert secret not in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_crash_prints_a_traceback_without_the_secret(tmp_path, monkeypatch, capsys):
    secret = FORMATS["private_key"](random.Random(6))[0]

    def crash(*args, **kwargs):
        raise RuntimeError(f"unexpected value {secret}")

    monkeypatch.setattr(cli, "build", crash)
    assert cli.main(["build", "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "RuntimeError: unexpected value [redacted: " in err
    assert all(line not in err for line in secret.splitlines())


def test_guard_sees_keys_and_values_together():
    """A value judged with its key: `password: …` is a secret though the value alone is short."""
    assert [f.kind for f in scan("password: hunter22x")] == ["keyword_secret"]
    assert scan("hunter22x") == []
    assert leak_guard.SEPARATOR not in "any scenario text"


# -- issue 17: disguised secrets, text the loader never scanned, keys, known ids --------------

from secret_samples import DISGUISES  # noqa: E402


@pytest.mark.parametrize("disguise", sorted(DISGUISES))
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_disguised_secret_is_found_and_never_shown(name, disguise):
    """Split by an invisible character or markup, or encoded: a reader sees it whole, so does the guard."""
    for seed in range(20):
        rng = random.Random(zlib.crc32(f"{name} {disguise} {seed}".encode()))
        text, kind = FORMATS[name](rng)
        secret = secret_part(text, kind)
        at = text.index(secret) + rng.randrange(1, len(secret) - 3)
        hidden = f"before\n{DISGUISES[disguise](text, at)} after\nend"
        assert scan(hidden), (name, disguise, seed)
        shown = redact(hidden)
        assert secret not in leak_guard.normalise(shown) and shown.startswith("before\n") and shown.endswith("\nend")


@pytest.mark.parametrize("where, line, field", [
    ("comment", 3, "as_of"),          # a comment belongs to the field above it
    ("anchor", 8, "api.target_version"),
    ("alias", 10, "description"),
    ("hex number", 9, "lifecycle"),
])
def test_a_secret_in_text_the_parsed_data_does_not_hold_is_refused(where, line, field, tmp_path, capsys):
    token = FORMATS["generic_hex"](random.Random(7))[0]
    name = "k" + FORMATS["generic_base64"](random.Random(7))[0]  # an anchor is a name: a letter first
    text = {"comment": GOOD.replace("as_of: 2026-05-03T08:00:00Z\n", f"as_of: 2026-05-03T08:00:00Z\n# {token}\n"),
            "anchor": GOOD.replace('target_version: "2026-04"', f'target_version: &{name} "2026-04"'),
            "alias": GOOD.replace('target_version: "2026-04"', f'target_version: &{name} "2026-04"')
            + f"lifecycle: 1\ndescription: *{name}\n",
            "hex number": GOOD + f"lifecycle: 0x{token[:24]}\n"}[where]
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "pasted.yml").write_text(text, encoding="utf-8")
    assert cli.main(["build", "--scenarios", str(folder), "--out", str(tmp_path / "site")]) == 1
    err = capsys.readouterr().err
    assert f"scenarios/pasted.yml:{line}: {field}: " in err and "never holds a secret" in err, err
    assert token[:20] not in err and name not in err


@pytest.mark.parametrize("name", ["cloud_key", "shopify", "generic_base64"])
def test_a_secret_used_as_a_key_is_named_in_no_problem(name, tmp_path, capsys):
    """The key is also an unknown field (and may be given twice): no message names it."""
    secret = FORMATS[name](random.Random(8))[0]
    text = GOOD.replace("  plan: pro\n", f"  plan: pro\n  {q(secret)}: 1\n") + f"flags:\n  {q(secret)}: true\n"
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "pasted.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioErrors) as info:
        load_scenarios(folder)
    assert any("is not a known field" in p.message for p in info.value.problems)
    assert cli.main(["build", "--scenarios", str(folder), "--out", str(tmp_path / "site")]) == 1
    for shown in (capsys.readouterr().err, repr(info.value.problems)):
        assert secret not in shown and secret[4:24] not in shown


def test_quoted_assignments_are_found_however_escaped():
    """`"password": "…"` typed into a title reaches pages as JSON, HTML or JavaScript text."""
    value = "Hunter2" + FORMATS["keyword"](random.Random(9))[0][-6:]
    for text in (f'"password": "{value}"', f'\\"password\\": \\"{value}\\"', f'&quot;password&quot;: &quot;{value}&quot;',
                 f'&#34;password&#34;: &#34;{value}&#34;', f'\\u0022password\\u0022: \\u0022{value}\\u0022'):
        assert [f.kind for f in scan(f"<h1>{text}</h1>")] == ["keyword_secret"], text
        assert value not in redact(text)


KNOWN_IDS = ["healthy-c1", "x-v2", "sync-failed-x0048", "token-expired-copy-c12", "a1-b2-c3-d4-e5-f6-g7-h8",
             "api-version-2026-04-v3", "retry-after-failure-attempt-9a"]


def test_ids_the_generator_puts_in_pages_are_never_flagged(tmp_path):
    """Copies named like `…-c1` pass both nets: the load-time guard and the pages' (compare links carry them).

    Beside the FEW bundled scenarios, not the 40: every page carrying an id (scenario, outcome,
    compare pair, overview, scenarios.json) is made for the copies; no other bundled id has their form."""
    folder = copy_scenarios(tmp_path / "scenarios", FEW)
    for sid in KNOWN_IDS:
        (folder / f"{sid}.yml").write_text(f"extends: healthy\ntitle: Copy {sid}\n", encoding="utf-8")
    report = build_module.build(folder, tmp_path / "site", processes=1)
    assert report.scenarios == len([name for name in FEW if not name.startswith("_")]) + len(KNOWN_IDS)
    pairs = [p.name for p in (tmp_path / "site/compare").glob("*--*")]
    assert [sid for sid in KNOWN_IDS if not any(sid in name for name in pairs)] == [], "an id on no compare page"


def test_both_nets_judge_an_id_alike():
    """An id the load-time guard accepts is accepted in every form a page carries it, and the reverse."""
    rng = random.Random(10)
    for _ in range(3000):
        parts = [rng.choice(["sync", "retry", "c1", "v2", "x0048", "".join(rng.choice("abc0123456789xyz")
                                                                                 for _ in range(rng.randrange(1, 24)))])
                 for _ in range(rng.randrange(1, 5))]
        sid = "-".join(parts)
        alone = scan(sid) == []
        for form in (f"compare/index.html?a={sid}&amp;b=healthy", f"compare/{sid}--healthy.html",
                     f'"{sid}":{{"title":"x"}}', f"scenarios/{sid}/index.html", f"#a={sid}"):
            assert (scan(form) == []) == alone, (sid, form)


def test_a_large_file_is_scanned_in_batches_that_miss_no_line_and_keep_no_line():
    """scan_lines reads a file line by line in batches (BATCH_LINES): a secret on the last line of a
    batch, on the first of the next and on the very last line is found at its own line number, and
    what it remembers of a long clean line is its digest, not its text."""
    from generator.guard.secrets import BATCH_LINES, SHORT_LINE, scan_lines
    from secret_samples import shopify
    rng = random.Random(5)
    lines = [f'<li data-row="{i}">row {i} of a large page{" with a long line" * (i % 2 * 4)}</li>'
             for i in range(3 * BATCH_LINES)]
    at = [BATCH_LINES, BATCH_LINES + 1, len(lines)]  # 1-based
    for number in at:
        lines[number - 1] = f"<td>{shopify(rng)[0]}</td>"
    known: set = set()
    assert [number for number, _ in scan_lines("\n".join(lines), known)] == at
    assert len(known) == len(lines) - len(at)
    assert all(isinstance(k, bytes) and len(k) == 16 or len(k) <= SHORT_LINE for k in known)
    assert any(isinstance(k, bytes) for k in known)
    # Known clean lines are skipped; the secret lines were never added, so they are found again.
    assert [number for number, _ in scan_lines("\n".join(lines), known)] == at


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_lines_are_read_a_chunk_at_a_time_exactly_as_split_cuts_them(monkeypatch, chunk):
    """scan_lines numbers lines as text.split("\\n") does, whatever the chunk size: \\r, \\u2028 and
    empty lines stay where split leaves them, at the edges of every chunk."""
    from generator.guard import secrets
    monkeypatch.setattr(secrets, "CHUNK", chunk)
    rng = random.Random(chunk)
    for _ in range(200):
        text = "".join(rng.choice(["a", "bc", "\n", "\n\n", "\r", "\r\n", "\u2028", "é"]) for _ in range(rng.randint(0, 40)))
        assert list(secrets._lines(text)) == text.split("\n"), repr(text)


def test_a_file_rendered_again_has_only_its_new_lines_read_and_every_secret_is_found():
    """output_problems(before=…) reads only the lines where the two versions differ: a secret there
    (a new line, inside a kept line, a value typed after a keyword the line already had or before
    the host a password needs, the first or last line, a line cut in two) is found at the line a
    full read gives, and a one-line change of a long file reads a line or two, not all of them."""
    from generator.guard.rendered import output_problems
    from secret_samples import shopify
    rng = random.Random(18)
    lines = [f'<tr data-row="{i}"><td>row {i}</td></tr>' for i in range(5000)]
    # The full reads share their clean lines, as a build's pages do: each scans its new lines only.
    clean: set = set()
    for _ in range(80):
        secret = shopify(rng)[0]
        at = rng.choice([0, rng.randrange(len(lines)), len(lines) - 1])
        old = new = lines[at:at + 1]
        how = rng.choice(["insert", "inside", "keyword", "password", "replace", "cut"])
        if how == "insert":
            new = [f"<p>{secret}</p>", *old]
        elif how == "inside":
            new = [old[0].replace("<td>", f"<td>{secret} ", 1)]
        elif how == "keyword":  # only the part after the keyword is new: the whole line must be read
            value = "Hunter2" + FORMATS["keyword"](rng)[0][-6:]
            old, new = ['<td>"password": ""</td>'], [f'<td>"password": "{value}"</td>']
        elif how == "password":  # only the part before "@host" is new: that part of the line must be read too
            old, new = ["<td>postgres://app:@db.example.com/x</td>"], ["<td>postgres://app:hunter22@db.example.com/x</td>"]
        elif how == "replace":
            new = [secret]
        else:  # the secret's line split in two around it
            new = [old[0][:5], f"{secret}{old[0][5:]}"]
        before = "\n".join(lines[:at] + old + lines[at + 1:])
        after = "\n".join(lines[:at] + new + lines[at + 1:])
        read: set = set()
        found = [p.line for p in output_problems("index.html", after, read, before=before)]
        assert found == [p.line for p in output_problems("index.html", after, clean)], (how, at)
        assert len(found) == 1 and found[0] in (at + 1, at + len(new)), (how, at, found)
        assert len(read) <= 2, (how, at, len(read))  # the lines read clean: around the change only
    assert output_problems("index.html", before, set(), before=before) == []


def _unread_lines(after: str, spans: list[tuple[int, int]]) -> list[str]:
    """The lines of `after` outside `spans`, once each span is checked to be whole lines, in order
    and apart from the others (what changed_spans promises)."""
    unread, end_of_last = [], -1
    for start, end in spans:
        assert end_of_last < start <= end <= len(after), spans
        assert (start == 0 or after[start - 1] == "\n") and (end == len(after) or after[end] == "\n"), spans
        unread.append(after[end_of_last + 1:start])
        end_of_last = end
    unread.append(after[end_of_last + 1:])
    return [line for part in unread if part
            for line in (part.split("\n")[:-1] if part.endswith("\n") else part.split("\n"))]


def test_a_file_changed_in_several_places_has_only_those_lines_read():
    """A save changes a file in a few places far apart (a title in a list and again in a menu, a
    line added and another removed): changed_spans reads the lines around each, not all between;
    and whatever the edits, every line of the new version left unread is a line of the old one."""
    from generator.guard.secrets import MAX_PLACES, changed_spans
    assert MAX_PLACES < 100  # the cases of 100 places: past the places told apart, the rest is one stretch
    rng = random.Random(13)
    lines = [f'<li><a href="s/{i}/">Scenario {i}</a></li>' for i in range(20_000)]
    for case in range(60):
        new = list(lines)
        places = sorted(rng.sample(range(len(lines)), rng.choice([1, 2, 3, 5, 100])), reverse=True)
        for at in places:
            how = rng.choice(["edit", "insert", "delete", "join"])
            if how == "edit":
                new[at] = new[at].replace("Scenario", "Scenario v2")
            elif how == "insert":
                new.insert(at, "<li>new</li>")
            elif how == "delete":
                del new[at]
            else:
                new[at:at + 2] = ["".join(new[at:at + 2])]
        before, after = "\n".join(lines), "\n".join(new)
        spans = changed_spans(before, after)
        assert set(_unread_lines(after, spans)) <= set(lines), case
        read = sum(after.count("\n", start, end) + 1 for start, end in spans)
        if len(places) <= 5:  # each place read on its own: a line or two around it
            assert read <= 3 * len(places), (case, len(places), read)
    assert changed_spans("a\nb", "a\nb") == []


def test_changed_spans_leave_unread_only_lines_of_the_old_version_whatever_the_texts():
    """Brute force over tiny texts where lines repeat and prefix each other (the next line of the
    old version is then found in the wrong place), empty lines, with and without a final line
    break: the stretches are in order, apart, in whole lines, and every line outside them is a line
    of the old version."""
    from generator.guard.secrets import changed_spans
    rng = random.Random(7)
    alphabet = ["a", "b", "", "ab", "ba", "aa"]
    for case in range(6000):
        if case % 2:
            before = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 12)))
            after = "".join(rng.choice("ab\nX") for _ in range(rng.randint(0, 12)))
        else:
            lines = [rng.choice(alphabet) for _ in range(rng.randint(0, 8))]
            new = list(lines)
            for _ in range(rng.randint(1, 4)):
                at = rng.randint(0, max(len(new) - 1, 0))
                how = rng.choice(["edit", "insert", "delete", "join", "split"]) if new else "insert"
                if how == "edit":
                    new[at] += "X"
                elif how == "insert":
                    new.insert(at, rng.choice(alphabet + ["X"]))
                elif how == "delete":
                    del new[at]
                elif how == "join":
                    new[at:at + 2] = ["".join(new[at:at + 2])]
                else:
                    cut = rng.randint(0, len(new[at]))
                    new[at:at + 1] = [new[at][:cut], new[at][cut:]]
            before = "\n".join(lines) + rng.choice(["", "\n"])
            after = "\n".join(new) + rng.choice(["", "\n"])
        spans = changed_spans(before, after)
        assert set(_unread_lines(after, spans)) <= set(before.split("\n")), (before, after, spans)


def test_a_rebuild_finds_a_secret_that_only_a_file_rendered_again_holds(few, tmp_path, monkeypatch):
    """The dev server's rebuild reads only the new lines of a file it renders again (the overview
    lists every scenario): a secret that appears in the middle of a line it kept is still refused,
    at its own line, and the site kept is the last good one."""
    from generator.dev.rebuild import Rebuilder
    folder = shutil.copytree(few, tmp_path / "scenarios")
    rebuilder = Rebuilder(folder)
    site = dict(rebuilder.full())
    secret = FORMATS["jwt"](random.Random(18))[0]
    real_render = parallel._render

    def render_with_leak(plan, job):
        return [(path, text.replace("<h1>", f"<h1>{secret}", 1) if path == "index.html" else text)
                for path, text in real_render(plan, job)]
    monkeypatch.setattr(parallel, "_render", render_with_leak)
    saved = folder / "healthy.yml"
    saved.write_text(saved.read_text().replace("en: Connected and healthy", "en: Connected and healthy again", 1))
    with pytest.raises(ScenarioErrors) as raised:
        rebuilder.changed([saved])
    line = next(n for n, text in enumerate(site["index.html"].split("\n"), 1) if "<h1>" in text)
    assert [(p.file, p.line) for p in raised.value.problems] == [("output index.html", line)]
    assert secret not in str(raised.value)
    assert rebuilder.files == site
