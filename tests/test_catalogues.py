"""Message catalogues: every locale has every key, and templates use only keys that exist.

Strict on purpose: a key added to one catalogue and not the other fails here, naming it.
"""
from __future__ import annotations

import functools
import re
import string
from pathlib import Path

import pytest
import yaml

from generator.site.render import is_counted

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = ROOT / "templates" / "messages"
TEMPLATES = ROOT / "templates"
LOCALES = sorted(p.stem for p in MESSAGES.glob("*.yml"))

#: t('key') or t('prefix.' ~ code): the literal and whether it is a prefix.
T_CALL = re.compile(r"""\bt\(\s*(['"])([^'"]+)\1\s*(~)?""")
#: Words a template may hold outside t(): protocol names, not language.
NOT_WORDS = {"HTTP"}


@functools.cache
def load(locale: str) -> dict:
    """A catalogue as PyYAML reads it (cached: read-only for the tests)."""
    with open(MESSAGES / f"{locale}.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def leaves(node, prefix: str = "") -> dict[str, object]:
    """{dotted key: value} for every message; lists (label + next step) are one message."""
    if isinstance(node, dict):
        out: dict[str, object] = {}
        for key, value in node.items():
            out.update(leaves(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: node}


def raw_keys(node, path: str = ""):
    """Every key as YAML parsed it (before any str()): catches on/off/yes/no read as booleans."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}{key!r}", key
            yield from raw_keys(value, f"{path}{key}.")


def placeholders(value) -> set[str]:
    texts = value if isinstance(value, list) else [value]
    return {field for text in texts for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_there_are_two_catalogues():
    assert LOCALES == ["en", "fr"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_is_a_string(locale):
    """PyYAML reads unquoted on/off/yes/no/y/n keys as booleans: such a key could never be looked up."""
    bad = [where for where, key in raw_keys(load(locale)) if not isinstance(key, str)]
    assert not bad, f"{locale}.yml: non-string keys (quote them): {bad}"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_catalogues_have_the_same_keys(locale):
    english, other = leaves(load("en")), leaves(load(locale))
    assert not sorted(set(english) - set(other)), f"missing from {locale}.yml: {sorted(set(english) - set(other))}"
    assert not sorted(set(other) - set(english)), f"missing from en.yml: {sorted(set(other) - set(english))}"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_messages_have_the_same_shape_and_placeholders(locale):
    english, other = leaves(load("en")), leaves(load(locale))
    for key in english.keys() & other.keys():
        a, b = english[key], other[key]
        assert type(a) is type(b), (key, a, b)
        if isinstance(a, list):
            assert len(a) == len(b), key
        assert placeholders(a) == placeholders(b), (key, a, b)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_non_empty_text(locale):
    for key, value in leaves(load(locale)).items():
        texts = value if isinstance(value, list) else [value]
        # Separators (format.group is a narrow no-break space) are text too, but never empty.
        blank_ok = key.startswith("format.")
        assert texts and all(isinstance(text, str) and (text if blank_ok else text.strip()) for text in texts), \
            (locale, key, value)


def template_calls() -> list[tuple[str, str, bool]]:
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for match in T_CALL.finditer(template.read_text(encoding="utf-8")):
            found.append((template.name, match.group(2), match.group(3) is not None))
    return found


def counted(node, prefix: str = "") -> dict[str, dict]:
    """{key: forms} of every counted message (generator.site.render.is_counted)."""
    if is_counted(node):
        return {prefix[:-1]: node}
    if isinstance(node, dict):
        return {k: v for key, value in node.items() for k, v in counted(value, f"{prefix}{key}.").items()}
    return {}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_counted_message_has_a_singular_and_says_its_count(locale):
    found = counted(load(locale))
    assert {"compare.count", "data_quality.alerts", "review.changed"} <= found.keys()  # the scan finds them
    for key, forms in found.items():
        assert "one" in forms, (locale, key)
        assert "count" in placeholders(forms["other"]), (locale, key)
        # Every form fills the same values; "zero" may leave out the count ("No difference").
        assert all(placeholders(text) - {"count"} == placeholders(forms["other"]) - {"count"}
                   for text in forms.values()), (locale, key)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_guesses_at_a_plural(locale):
    """"1 alert(s)": a counted message has forms instead."""
    guessed = {key: text for key, text in leaves(load(locale)).items()
               if re.search(r"\w\((s|e|es|x)\)", str(text))}
    assert not guessed, (locale, guessed)


def test_templates_use_only_keys_every_catalogue_has():
    calls = template_calls()
    assert len(calls) > 50  # the scan itself works: the templates make many t() calls
    for locale in LOCALES:
        messages = leaves(load(locale))
        messages.update(counted(load(locale)))
        for template, key, is_prefix in calls:
            if is_prefix:  # t('readiness.' ~ code): some key must start so; rendering checks each code
                assert any(m.startswith(key) for m in messages), f"{template}: no {key}… in {locale}.yml"
            else:
                assert key in messages, f"{template}: t('{key}') is not in {locale}.yml"


def strip_markup(source: str) -> str:
    """What a template shows by itself: no Jinja, no tags, no entities."""
    for pattern in (r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<[^>]*>", r"&[a-z#0-9]+;"):
        source = re.sub(pattern, " ", source, flags=re.S)
    return source


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_no_words_of_their_own(template):
    """Every word comes from a catalogue, so no English can slip onto a French page from a template."""
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    words = set(re.findall(r"[^\W\d_]{2,}", strip_markup(source))) - NOT_WORDS
    assert not words, f"{template} shows words outside t(): {sorted(words)}"
    for attribute, value in re.findall(r'\b(aria-label|title|alt|placeholder)="([^"]*)"', source):
        assert not re.search(r"[^\W\d_]", re.sub(r"\{\{.*?\}\}", "", value)), (template, attribute, value)


def test_the_word_scan_sees_a_hard_coded_word():
    assert re.findall(r"[^\W\d_]{2,}", strip_markup('<p class="x">{{ t("a") }} Preview</p>')) == ["Preview"]


def test_a_catalogue_loaded_again_reads_its_file_as_it_is_now_and_is_a_copy(tmp_path):
    """Catalogue.load keeps what it parsed (render._PARSED): a file saved since, even with as many
    bytes, gives its new messages (the dev server rebuilds after a save of a catalogue); a caller
    that changes its catalogue's messages changes no other."""
    from generator.site.render import Catalogue
    (tmp_path / "en.yml").write_text("a:\n  b: first\n", encoding="utf-8")
    first = Catalogue.load("en", tmp_path)
    assert first("a.b") == "first"
    first.messages["a"]["b"] = "changed"
    assert Catalogue.load("en", tmp_path)("a.b") == "first"
    (tmp_path / "en.yml").write_text("a:\n  b: again\n", encoding="utf-8")
    assert Catalogue.load("en", tmp_path)("a.b") == "again"
