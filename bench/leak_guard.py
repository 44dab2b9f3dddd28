"""Leak guard benchmark: its cost per page and per scenario, and how well it tells secrets apart.

    .venv/bin/python bench/leak_guard.py [--pages 1000] [--samples 20000]

Cost, on a synthetic site of --pages distinct scenario pages of ~25 KB (the bundled pages,
each given its own title, description, references and runs so no two are alike):
  - net:   the build's second net (`guard_output`: every page, lines seen before skipped)
  - cold:  `scan()` of every whole page with the run cache emptied (the worst case)
  - load:  the load phase's scan of one scenario file's strings and keys
  - hostile: 250 KB texts built to make a regex backtrack (must stay linear)
Detection, on random tokens (--samples per alphabet and length) and on a corpus of text that
is not secret (this site, the Python standard library's identifiers and paths).
Rates (--rates): detection of every generated secret format (tests/secret_samples.py), as
pasted and under every disguise, and false positives on legitimate text: a catalogue of
--catalogue synthetic scenarios (bench/bench.py), loaded and rendered, and every string
literal of the Python standard library.
"""
from __future__ import annotations

import argparse
import math
import random
import re
import string
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.guard import secrets as leak_guard  # noqa: E402
from generator.build import build  # noqa: E402
from generator.errors import ScenarioErrors  # noqa: E402
from generator.guard.rendered import guard_output  # noqa: E402
from generator.model.load import _leak_problems, _parse, load_scenarios, scenario_files  # noqa: E402

WORDS = ("order sync token shop refund payout scope review mapping schema field currency fulfilment "
         "inventory partial failed client secret reference staging production version").split()


def synthetic_pages(count: int, rng: random.Random) -> dict[str, str]:
    """`count` distinct pages: bundled pages with page-specific text on many of their lines."""
    with tempfile.TemporaryDirectory() as tmp:
        build(ROOT / "scenarios", Path(tmp) / "site")
        bases = [p.read_text(encoding="utf-8") for p in sorted((Path(tmp) / "site/scenarios").glob("*/index.html"))]
    pages = {}
    for i in range(count):
        base = bases[i % len(bases)]
        words = lambda n: " ".join(rng.choice(WORDS) for _ in range(n))  # noqa: E731
        page = base.replace("Shopify Suisse", f"Shop {words(2)} {i}")
        page = page.replace("cyspera-ch", f"shop-{i}-{rng.choice(WORDS)}")
        page = page.replace("</main>", "".join(f"<p>{words(12)} {rng.randrange(10**6)}</p>\n" for _ in range(20))
                            + "</main>")
        pages[f"scenarios/s{i}/index.html"] = page
    return pages


def per_page_ms(seconds: float, pages: int) -> str:
    return f"{seconds * 1000 / pages:.3f} ms/page"


def measure_cost(pages: dict[str, str]) -> None:
    size = sum(len(p.encode()) for p in pages.values()) / len(pages) / 1024
    print(f"{len(pages)} pages, {size:.1f} KiB each on average")
    start = time.perf_counter()
    guard_output(pages)
    print(f"  net (build's second net, shared lines skipped): {per_page_ms(time.perf_counter() - start, len(pages))}")
    elapsed = 0.0
    for text in pages.values():
        leak_guard._classify_short_run.cache_clear()
        start = time.perf_counter()
        leak_guard.scan(text)
        elapsed += time.perf_counter() - start
    print(f"  cold (scan of each whole page, empty cache):    {per_page_ms(elapsed, len(pages))}")

    files = [p for p in scenario_files(ROOT / "scenarios")]
    docs = [(_parse(p, p.name), p.stem) for p in files]
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        for doc, name in docs:
            _leak_problems(doc, name, set())
    print(f"  load (strings + keys of one scenario file):     "
          f"{(time.perf_counter() - start) * 1000 / rounds / len(docs):.3f} ms/file")
    for label, text in (("eyJ × 80 000", "eyJ" * 80_000), ("'tokenA=' × 35 000", "tokenA=" * 35_000),
                        ("'key' × 80 000", "key" * 80_000), ("one 250 KB run", "x9" * 125_000),
                        ("BEGIN header × 9 000", "-----BEGIN PRIVATE KEY-----" * 9_000)):
        start = time.perf_counter()
        leak_guard.scan(text)
        print(f"  hostile {label:<22} {len(text) // 1024} KiB: {(time.perf_counter() - start) * 1000:.0f} ms")


def measure_detection(samples: int, rng: random.Random) -> None:
    alphabets = {"base64": string.ascii_letters + string.digits + "+/",
                 "base64url": string.ascii_letters + string.digits + "-_",
                 "base62": string.ascii_letters + string.digits,
                 "hex": "0123456789abcdef", "base36 lower": string.ascii_lowercase + string.digits}
    print(f"detection of random tokens holding a letter and a digit ({samples} per cell, miss rate):")
    print("  alphabet       " + "".join(f"{n:>10}" for n in (20, 24, 32, 40, 64)))
    for name, alphabet in alphabets.items():
        row = []
        for length in (20, 24, 32, 40, 64):
            missed = tried = 0
            while tried < samples:
                token = "".join(rng.choice(alphabet) for _ in range(length))
                if not (re.search("[0-9]", token) and re.search("[A-Za-z]", token)):
                    continue
                tried += 1
                missed += not leak_guard.scan(token)
            row.append(f"{missed / tried:>10.1e}" if missed else f"{'0':>10}")
        print(f"  {name:<14} " + "".join(row))

    corpus: set[str] = set()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(p for p in stdlib.rglob("*.py") if "-packages" not in str(p))[:3000]:
        try:
            corpus.update(re.findall(r"[A-Za-z0-9+/=_-]{20,}", path.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, OSError):
            continue
    hex_like = {t for t in corpus if re.fullmatch(r"[0-9a-fA-F-]+", t)}  # hashes, UUIDs: true hits
    flagged = sorted(t for t in corpus - hex_like if leak_guard.scan(t))
    print(f"false positives on {len(corpus - hex_like)} identifier/path runs of the standard library "
          f"(hex runs excluded): {len(flagged)} ({len(flagged) / max(1, len(corpus - hex_like)):.2%})")
    print("  a random sample of them (many are encoded test data, i.e. true hits):")
    for token in rng.sample(flagged, min(15, len(flagged))):
        print(f"    {token}")


def measure_rates(samples: int, catalogue: int) -> None:
    """Detection of generated secrets (as pasted, disguised) and false positives on legitimate text."""
    import ast
    sys.path.insert(0, str(ROOT / "tests"))
    from secret_samples import DISGUISES, FORMATS, secret_part
    columns = ["as pasted", *DISGUISES]
    print(f"detection of generated secrets ({samples} per cell; found and redacted):")
    print("  " + " " * 22 + "".join(f"{c[:11]:>12}" for c in columns))
    for name, make in FORMATS.items():
        row = []
        for column in columns:
            caught = 0
            for seed in range(samples):
                rng = random.Random(seed)
                text, kind = make(rng)
                secret = secret_part(text, kind)
                if column != "as pasted":
                    text = DISGUISES[column](text, text.index(secret) + rng.randrange(1, len(secret) - 3))
                whole = f"before {text} after"
                shown = leak_guard.redact(whole)
                normalised = getattr(leak_guard, "normalise", lambda t: t)(shown)
                caught += bool(leak_guard.scan(whole)) and secret not in shown and secret not in normalised
            row.append(f"{caught / samples:>12.1%}")
        print(f"  {name:<22}" + "".join(row))

    from bench import synthesise
    for naming in ("as synthesised", "named as copies"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "scenarios"
            synthesise(catalogue, folder)
            if naming == "named as copies":  # ids that mix letters and digits: …-c1, …-v2, …-x0048
                from generator.site.compare import BASELINE
                renamed = [p for p in scenario_files(folder) if not p.name.startswith("_") and p.stem != BASELINE]
                for i, path in enumerate(renamed):
                    tail = ("c{}", "v{}", "x{:04d}", "copy-of-{}-r2")[i % 4].format(i)
                    path.rename(path.with_name(f"{path.stem}-{tail}{path.suffix}"))
            _catalogue_false_positives(folder, naming)

    literals: set[str] = set()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(p for p in stdlib.rglob("*.py") if "-packages" not in str(p)):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        literals.update(node.value for node in ast.walk(tree)
                        if isinstance(node, ast.Constant) and isinstance(node.value, str))
    kinds: dict[str, int] = {}
    flagged = []
    for literal in literals:
        found = leak_guard.scan(literal)
        if found:
            flagged.append(literal)
            for f in {f.kind for f in found}:
                kinds[f] = kinds.get(f, 0) + 1
    print(f"false positives, {len(literals)} distinct string literals of the standard library: "
          f"{len(flagged)} flagged ({len(flagged) / len(literals):.3%}); by kind: {dict(sorted(kinds.items()))}")
    rng = random.Random(4)
    for literal in rng.sample(sorted(flagged), min(12, len(flagged))):
        print(f"    {literal[:90]!r}")


def _catalogue_false_positives(folder: Path, naming: str) -> None:
    from generator.output.plan import Plan
    from generator.output.workers import render_jobs
    files = len(scenario_files(folder))
    try:
        scenarios = load_scenarios(folder)
        flagged_files: set[str] = set()
    except ScenarioErrors as errors:
        flagged_files = {p.file for p in errors.problems if "secret" in p.message}
        scenarios = []
    print(f"false positives, catalogue of {files} files ({naming}): load-time guard flags {len(flagged_files)}")
    if scenarios:
        plan = Plan.make(scenarios)
        try:
            rendered = render_jobs(plan, plan.jobs())
            print(f"  page guard flags 0 of {rendered.count} files of the site")
        except ScenarioErrors as errors:
            flagged = sorted({p.file for p in errors.problems})
            print(f"  page guard flags {len(flagged)} files of the site, e.g. {flagged[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--rates", action="store_true", help="only the detection and false-positive rates")
    parser.add_argument("--catalogue", type=int, default=1000, help="scenarios in the catalogue (--rates)")
    args = parser.parse_args()
    if args.rates:
        measure_rates(max(1, args.samples // 100), args.catalogue)
        return
    rng = random.Random(3)
    measure_cost(synthetic_pages(args.pages, rng))
    measure_detection(args.samples, rng)
    print(f"(entropy threshold: {leak_guard.ENTROPY_SHARE} x log2(length); "
          f"segments: {leak_guard.SEGMENTS_PER_CHAR} per char; log2(20) = {math.log2(20):.2f})")


if __name__ == "__main__":
    main()
