"""Load + validate: scenario files → `Scenario` objects, or every problem found.

YAML is composed into nodes first so that every value keeps the line it came
from: a validation error then names file, line and field. Files named `_*.yml`
are shared bases that scenarios `extends:`; they are not pages themselves.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..guard import secrets as leak_guard
from ..errors import Problem, ScenarioErrors
from .scenario import DOCS, PATTERN_HINTS, Scenario

#: A scenario is a few KB; anything far larger is a mistake or an attack.
MAX_FILE_BYTES = 256 * 1024
#: Bound on YAML nodes visited, aliases expanded: stops "billion laughs".
MAX_NODES = 20_000
#: Bound on nesting (a self-referencing alias nests forever): far deeper than any scenario.
MAX_DEPTH = 32
#: Largest whole number a scenario may hold: the largest JavaScript reads exactly (scenarios.json).
MAX_INT = 2**53 - 1
SUFFIXES = (".yml", ".yaml")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

Path_ = tuple[str | int, ...]
#: The tags plain YAML data resolves to; any other (!!python/…, !!binary, !custom) is refused.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}"
                        for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Document:
    """One parsed file: its data and, per field path, the line it is on."""

    name: str
    data: dict[str, Any]
    lines: dict[Path_, tuple[str, int]]
    text: str = ""  # the file as written: comments, anchors and numbers as typed are scanned too
    # What later loads of the same text reuse (a memo of load_scenarios): the leak guard's findings
    # and the secret-like keys among them; the documents it was validated with (itself and each
    # base it extends, in order) and the scenario that gave. Every load still reports the findings.
    leaks: tuple[list[Problem], set[str]] | None = field(default=None, compare=False, repr=False)
    validated: tuple[tuple[_Document, ...], Scenario] | None = field(default=None, compare=False, repr=False)


class _Reject(Exception):
    def __init__(self, problem: Problem, text: str = ""):
        self.problem = problem
        self.text = text  # the file, when it could be read: the leak guard still reads it


#: (text, label) → its document, for a caller that loads the same folder again and again (the
#: dev server, at every save: all but the saved file are as they were). A document's data is
#: never changed once made (_merge copies); what a load found of it is kept on it (leaks, validated).
Composed = dict[tuple[str, str], "_Document"]


def _parse(path: Path, label: str, memo: Composed | None = None) -> _Document:
    """Read one YAML file into data plus a line map; raise _Reject on any problem."""
    def reject(message: str, line: int | None = None, field: str | None = None) -> _Reject:
        return _Reject(Problem(label, line, field, message))

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise reject(f"cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise reject(f"is {size} bytes; a scenario may be at most {MAX_FILE_BYTES} bytes")
    with open(path, "rb") as handle:  # the file may have grown since stat(): read no more than allowed
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise reject(f"is over {MAX_FILE_BYTES} bytes; a scenario may be at most {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise reject(f"is not UTF-8 (byte {exc.start})", line) from None
    if not text.strip():
        raise reject("is empty: a scenario needs at least title, as_of, source and api")

    if memo is not None and (found := memo.get((text, label))) is not None:
        return found
    try:
        return _compose(text, label)
    except _Reject as rejected:
        rejected.text = text
        raise


def _compose(text: str, label: str) -> _Document:
    def reject(message: str, line: int | None = None) -> _Reject:
        return _Reject(Problem(label, line, None, message))

    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise reject("is empty: a scenario needs at least title, as_of, source and api")
        if not isinstance(root, yaml.MappingNode):
            raise reject("must be a mapping of fields (key: value) at the top level", root.start_mark.line + 1)
        lines: dict[Path_, tuple[str, int]] = {}
        budget = [MAX_NODES]
        data = _construct(loader, root, (), lines, label, budget)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = f"is not valid YAML: {exc.problem or exc.context}"
        if exc.problem and exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise reject(message, line) from None
    except yaml.YAMLError as exc:
        raise reject(f"is not valid YAML: {type(exc).__name__}") from None
    except RecursionError:  # the pure-Python parser composes recursively
        raise reject(f"nests too deeply (over {MAX_DEPTH} levels)") from None
    finally:
        loader.dispose()
    return _Document(label, data, lines, text)


def _scalar(loader, node, label: str, line: int, path: Path_) -> Any:
    """One scalar as Python data; a value that parses but cannot exist is a problem, not a crash."""
    try:
        value = loader.construct_object(node)
    except (ValueError, OverflowError, TypeError) as exc:
        what = ("is not a real date or time (such as 30 February)" if node.tag.endswith(":timestamp")
                else f"is a number over {MAX_INT}" if node.tag.endswith(":int")
                else f"cannot be read ({type(exc).__name__})")
        raise _Reject(Problem(label, line, _dotted(path) or None, what)) from None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise _Reject(Problem(label, line, _dotted(path) or None, f"is a number over {MAX_INT}"))
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        raise _Reject(Problem(label, line, _dotted(path) or None, "is not a finite number"))
    return value


def _construct(loader, node, path: Path_, lines, label: str, budget: list[int], line: int | None = None) -> Any:
    """Build Python data from a node, recording lines and bounding total work.

    A mapping entry is located on its key's line (where a reader looks for it).
    """
    budget[0] -= 1
    line = line if line is not None else node.start_mark.line + 1
    # Runaway structures are reported at the top-level field they grow from.
    top_line = lines[path[:1]][1] if path[:1] in lines else line
    if budget[0] < 0:
        raise _Reject(Problem(label, top_line, _dotted(path[:1]) or None,
                              f"is too large or too deeply aliased (over {MAX_NODES} values)"))
    if node.tag not in _PLAIN_TAGS:
        raise _Reject(Problem(label, line, _dotted(path) or None,
                              "has an explicit YAML tag (such as !!python/…); a scenario is plain data"))
    if len(path) > MAX_DEPTH:
        raise _Reject(Problem(label, top_line, _dotted(path[:1]) or None,
                              f"nests too deeply (over {MAX_DEPTH} levels; an alias may refer to itself)"))
    lines[path] = (label, line)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _Reject(Problem(label, key_node.start_mark.line + 1, _dotted(path) or None,
                                      "keys must be plain names (YAML merge keys are not supported: use extends)"))
            key = str(_scalar(loader, key_node, label, key_node.start_mark.line + 1, path))
            if key in result:
                raise _Reject(Problem(label, key_node.start_mark.line + 1, _dotted(path + (key,)),
                                      "is given twice"))
            result[key] = _construct(loader, value_node, path + (key,), lines, label, budget,
                                     key_node.start_mark.line + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, path + (i,), lines, label, budget) for i, item in enumerate(node.value)]
    return _scalar(loader, node, label, line, path)


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _leak_problems(doc: _Document, name: str) -> tuple[list[Problem], set[str]]:
    """Every secret-like key or string of one file, each naming its field and line, never its
    value; and the keys among them that look like secrets themselves (never named in any problem).

    All strings of the file are scanned as one text, one `key: value` per line, so that a
    value is judged with its key (`password: …`) and the scan costs one pass per file.
    """
    entries: list[tuple[Path_, int, str]] = [(("id",), 0, name)]  # (path, length of the key part, text)

    def walk(data: Any, path: Path_) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                text = f"{key}: {value}" if isinstance(value, str) else key
                entries.append((path + (key,), len(key), text))
                walk(value, path + (key,))
        elif isinstance(data, list):
            for index, item in enumerate(data):
                if isinstance(item, str):
                    entries.append((path + (index,), 0, item))
                walk(item, path + (index,))

    walk(doc.data, ())
    starts, offset = [], 0
    for _, _, text in entries:
        starts.append(offset)
        offset += len(text) + len(leak_guard.SEPARATOR)
    problems: list[Problem] = []
    secret_keys: set[str] = set()
    for finding in leak_guard.scan(leak_guard.SEPARATOR.join(text for _, _, text in entries)):
        index = bisect_right(starts, finding.start) - 1
        path, key_length, _ = entries[index]
        # In the key when it starts there and the key alone is secret-like (a finding read from the
        # normalised text covers the whole `key: value` line).
        in_key = finding.start - starts[index] < key_length and bool(leak_guard.scan(str(path[-1])))
        if in_key:
            secret_keys.add(str(path[-1]))
        where = doc.lines.get(path, (doc.name, None))[1]
        problems.append(_leak_problem(doc.name, where, path, ("this key " if in_key else "") + finding.describe()))
    return problems + _text_leaks(doc.name, doc.text, doc.lines, {p.line for p in problems}), secret_keys


def _text_leaks(label: str, text: str, lines: dict[Path_, tuple[str, int]], flagged: set[int | None]) -> list[Problem]:
    """Secret-like values in the file as written: comments, anchor and alias names, numbers in
    other bases (the parsed data no longer holds them). One per line not flagged already."""
    problems: list[Problem] = []
    by_line = sorted((line, path) for path, (_, line) in lines.items())
    for finding in leak_guard.scan(text):
        line = leak_guard.line_of(text, finding.start)
        if line in flagged:
            continue
        flagged.add(line)
        # the field on that line, or the nearest above (a comment or anchor belongs to it)
        above = [path for at, path in by_line if at <= line]
        problems.append(_leak_problem(label, line, above[-1] if above else (),
                                      finding.describe() + " in the file as written (a comment, anchor or value)"))
    return problems


def _leak_problem(file: str, line: int | None, path: Path_, what: str) -> Problem:
    return Problem(file, line, leak_guard.redact(_dotted(path)) or None,
                   f"{what}: a scenario never holds a secret; use a secret reference "
                   f"(project/env/path/KEY) or a masked value (shop_ch_•••1)")


def _hide_keys(problem: Problem, keys: set[str]) -> Problem:
    """A problem whose field path names a secret-like key, with the key replaced: never echoed."""
    field = problem.field
    if not field or not keys:
        return problem
    for key in keys:  # whole parts of the path only: `en` must not touch `source.enabled`
        field = re.sub(rf"(?:(?<=^)|(?<=\.)){re.escape(key)}(?=$|[.\[])", "<secret-like key>", field)
    return Problem(problem.file, problem.line, field, problem.message)


def _merge(base: _Document, child: _Document) -> _Document:
    """Child over base: mappings merge key by key, everything else is replaced."""
    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            out = dict(a)
            for key, value in b.items():
                out[key] = merge(a[key], value) if key in a else value
            return out
        return b

    data = merge(base.data, child.data)
    # Where the child replaces a value (not a mapping), the base's lines below it are stale.
    replaced = {path for path in child.lines if not isinstance(_get(child.data, path), dict)}
    lines = {path: where for path, where in base.lines.items()
             if not any(path[:i] in replaced for i in range(len(path) + 1))}
    lines.update(child.lines)
    return _Document(child.name, data, lines)


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _resolve(name: str, docs: dict[str, _Document], files: dict[str, Path], labels: dict[str, str],
             chain: tuple[str, ...] = ()) -> _Document:
    """The document `name` with every base it extends merged in (cycles rejected)."""
    doc = docs[name]
    parent = doc.data.get("extends")
    if parent is None:
        return doc
    line = doc.lines.get(("extends",), (doc.name, None))[1]
    if not isinstance(parent, str) or parent not in files:
        known = ", ".join(sorted(files)) or "none"
        raise _Reject(Problem(doc.name, line, "extends", f"names no scenario or base in this folder (known: {known})"))
    if parent in chain or parent == name:
        raise _Reject(Problem(doc.name, line, "extends", "forms a cycle: " + " → ".join((*chain, name, parent))))
    if parent not in docs:
        raise _Reject(Problem(doc.name, line, "extends", f"names {labels[parent]}, which has problems of its own"))
    base = _resolve(parent, docs, files, labels, (*chain, name))
    child = _Document(doc.name, {k: v for k, v in doc.data.items() if k != "extends"},
                      {p: w for p, w in doc.lines.items() if p[:1] != ("extends",)})
    return _merge(base, child)


def _chain(name: str, docs: dict[str, _Document]) -> tuple[_Document, ...]:
    """The document `name` and each it extends, in order (after _resolve found them all, no cycle)."""
    found = [docs[name]]
    while (parent := found[-1].data.get("extends")) is not None:
        found.append(docs[parent])
    return tuple(found)


def _validation_problems(exc: ValidationError, doc: _Document) -> list[Problem]:
    """Turn pydantic's errors into problems with file, line and a readable field path."""
    problems: dict[str, Problem] = {}
    for error in exc.errors(include_url=False, include_input=False):
        path: list[str | int] = []
        data: Any = doc.data
        for part in error["loc"]:
            if isinstance(data, dict) and part in data:
                data = data[part]
                path.append(part)
            elif isinstance(data, list) and isinstance(part, int) and part < len(data):
                data = data[part]
                path.append(part)
            elif error["type"] == "missing" and isinstance(part, str) and isinstance(data, dict):
                path.append(part)
            # else: a union member's name such as 'str' or 'function-after[…]': not a field.
        field = _dotted(tuple(path)) or None
        where = None
        for cut in range(len(path), -1, -1):
            where = doc.lines.get(tuple(path[:cut]))
            if where:
                break
        file, line = where if where else (doc.name, None)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a known field"
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] == "string_pattern_mismatch":
            message = PATTERN_HINTS.get(error.get("ctx", {}).get("pattern"), message)
        # A union reports once per member; the first message is the clearest.
        problems.setdefault(field or "", Problem(file, line, field, message))
    # A union (text or {en, fr}) fails once per member: the member that reached deeper is the one meant.
    return [p for key, p in problems.items()
            if not any(other.startswith((f"{key}.", f"{key}[")) for other in problems if key)]


def scenario_files(folder: Path) -> list[Path]:
    """Every scenario and base file of a folder, in a stable order."""
    return sorted((p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".")),
                  key=lambda p: p.name)


def load_scenarios(folder: Path, memo: Composed | None = None) -> list[Scenario]:
    """Load and validate every scenario in `folder`; raise ScenarioErrors listing all problems.

    `memo`: documents composed by the previous load of this folder; on return it holds this
    load's. A file whose text is as it was is not parsed, scanned or validated again; its findings
    are reported again, and a scenario is reused only if no file it extends changed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioErrors([Problem(str(folder), None, None, "is not a folder of scenarios")])
    problems: list[Problem] = []
    files: dict[str, Path] = {}
    labels: dict[str, str] = {}
    root = folder.resolve()
    for path in scenario_files(folder):
        label = f"{folder.name}/{path.name}"
        name = path.stem
        pattern_name = name[1:] if name.startswith("_") else name
        if not ID_PATTERN.match(pattern_name):
            problems.append(Problem(label, None, "id",
                                    "the file name must be lower-case kebab-case, e.g. token-expired.yml"))
            continue
        if name in files:
            problems.append(Problem(label, None, "id", f"duplicates the id of {labels[name]}"))
            continue
        if path.is_symlink() and root not in path.resolve().parents:
            problems.append(Problem(label, None, None, "is a link to a file outside the scenarios folder"))
            continue
        if not path.is_file():
            problems.append(Problem(label, None, None, "is not a regular file"))
            continue
        files[name] = path
        labels[name] = label

    previous = dict(memo) if memo is not None else None
    if memo is not None:
        memo.clear()  # refilled below with this load's documents only
    docs: dict[str, _Document] = {}
    secret_keys: set[str] = set()  # keys that look like secrets: never named in any problem
    for name, path in files.items():
        try:
            docs[name] = _parse(path, labels[name], previous)
            if memo is not None:
                memo[docs[name].text, labels[name]] = docs[name]
        except _Reject as reject:
            problems.append(reject.problem)
            problems.extend(_text_leaks(labels[name], reject.text, {}, {None}))
            continue
        # The leak guard reads each file as written (before extends), so a hit names its own file.
        if docs[name].leaks is None:
            docs[name].leaks = _leak_problems(docs[name], name)
        found, keys = docs[name].leaks
        problems.extend(found)
        secret_keys |= keys

    scenarios: list[Scenario] = []
    for name, doc in docs.items():
        if name.startswith("_"):
            continue
        if "id" in doc.data:
            problems.append(Problem(doc.name, doc.lines[("id",)][1], "id",
                                    "is the file name; remove this field"))
            continue
        try:
            merged = _resolve(name, docs, files, labels)
        except _Reject as reject:
            problems.append(reject.problem)
            continue
        # The very documents it was validated from (not equal data: 10:00+02:00 == 08:00Z in Python)
        used = _chain(name, docs)
        if doc.validated is not None and len(doc.validated[0]) == len(used) \
                and all(old is new for old, new in zip(doc.validated[0], used)):
            scenarios.append(doc.validated[1])  # this file and every file it extends are as they were
            continue
        try:
            scenarios.append(Scenario.model_validate({**merged.data, "id": name}))
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, merged))
        else:
            doc.validated = (used, scenarios[-1])
    if not problems and not scenarios:
        problems.append(Problem(str(folder), None, None, f"holds no scenario (*.yml); see {DOCS}"))
    if problems:
        raise ScenarioErrors([_hide_keys(p, secret_keys) for p in problems])
    return sorted(scenarios, key=lambda s: (s.lifecycle, s.id))
