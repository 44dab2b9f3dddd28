"""Build benchmark: synthesise N scenarios, build them, print figures against the targets.

    .venv/bin/python bench/bench.py                # N = 26, 100, 1000
    .venv/bin/python bench/bench.py --sizes 2000   # any sizes

Each size is built in a fresh interpreter (`python -m generator build`, so start-up
is included) into a temporary folder that is removed afterwards. Scenarios are
varied from the bundled ones (flags, refs, scopes, runs, schema, dates…), so that
derivation and rendering do real work rather than repeat one page.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site.compare import BASELINE  # noqa: E402
from generator.model.load import _parse, _resolve, scenario_files  # noqa: E402

# The targets of issue 18, at the largest N: every one is printed with its figure and verdict.
TARGET_MS_PER_SCENARIO = 3.0  # whole build, both languages, interpreter start included
TARGET_PEAK_MB = 150
TARGET_REBUILD_MS = 50  # one scenario saved, the files that list every scenario included
TARGET_CPU_GROWTH = 1.2  # cpu(N2)/cpu(N1) ÷ N2/N1: 1.0 is linear
#: What a rebuild changes in the scenario it saves: a fact of its page, or the title every switcher shows.
EDITS = {"fact": ("\nsource:\n  name: ", "\nsource:\n  name: v"), "title": ("Synthetic state", "Synthetic state v")}
TARGET_SWITCHER_BYTES = 8 * 1024
SWITCHER = re.compile(rb'<nav class="switcher".*?</nav>', re.S)


def bundled_facts() -> list[tuple[str, dict]]:
    """The bundled scenarios' (id, facts), with every `extends` merged in."""
    folder = ROOT / "scenarios"
    files = {p.stem: p for p in scenario_files(folder)}
    labels = {name: f"scenarios/{p.name}" for name, p in files.items()}
    docs = {name: _parse(path, labels[name]) for name, path in files.items()}
    return [(name, _resolve(name, docs, files, labels).data) for name in docs if not name.startswith("_")]


def vary(facts: dict, i: int, rng: random.Random) -> dict:
    """One synthetic scenario: a bundled one with facts changed, deterministically per i."""
    s = json.loads(json.dumps(facts, default=str))
    s["title"] = f"Synthetic state {i:05d}"
    s["lifecycle"] = i
    creds = s.setdefault("credentials", {})
    if rng.random() < 0.2:
        creds["client_id_ref"] = None
    elif rng.random() < 0.8:
        creds["client_id_ref"] = f"data-platform/staging/shopify/store-{i}/CLIENT_ID"
        creds["client_secret_ref"] = f"data-platform/staging/shopify/store-{i}/CLIENT_SECRET"
    s.setdefault("secret_manager", {})["configured"] = rng.random() < 0.8
    s.setdefault("flags", {})["real_exchange"] = rng.random() < 0.7
    s["source"]["store"] = f"store-{i}.myshopify.com"
    s["source"]["plan"] = rng.choice(["pro", "pro", "enterprise", "growth"])
    s["source"]["enabled"] = rng.random() < 0.9
    s.setdefault("scopes", {})["requested"] = rng.choice(
        [["read_orders"], ["read_orders"], ["read_orders", "read_all_orders"], ["read_orders", "read_customers"]])
    s["api"] = {"target_version": rng.choice(["2025-01", "2025-07", "2025-10", "2026-01", "2026-04"])}
    s["schema"] = rng.choice([{"change": "none"}, {"change": "non_breaking", "changes": [
        {"field": f"Order.field{i}", "change": "added"}]}, {"change": "breaking", "changes": [
        {"field": f"Order.legacy{i}", "change": "removed"}]}])
    runs = []
    for k in range(rng.randint(0, 6)):
        status = rng.choice(["succeeded", "succeeded", "succeeded", "partial", "failed", "cancelled"])
        fetched = rng.randint(1, 5000)
        failed = rng.randint(1, fetched) if status == "partial" else 0
        run = {"started_at": f"2026-05-{3 - min(k, 2):02d}T0{k}:00:00Z",
               "finished_at": f"2026-05-{3 - min(k, 2):02d}T0{k}:05:00Z", "status": status,
               "fetched": fetched, "processed": 0 if status == "failed" else fetched - failed,
               "failed": failed, "api_version": s["api"]["target_version"]}
        if status == "failed":
            run["error"] = {"code": "internal_server_error", "http_status": 500,
                            "message": "Internal Server Error: retry later."}
        runs.append(run)
    s["sync_runs"] = runs
    return s


def synthesise(n: int, folder: Path) -> None:
    rng = random.Random(n)
    bases = bundled_facts()
    folder.mkdir(parents=True)
    for i in range(n):
        name, base = bases[i % len(bases)]
        facts = vary(base, i, rng)
        # One scenario keeps the baseline's id, as on the real site: every other one is then
        # pre-rendered against it, so the compare pages are ~2 per scenario per locale.
        sid = BASELINE if i == 0 else f"synthetic-{i:05d}"
        (folder / f"{sid}.yml").write_text(yaml.safe_dump(facts, allow_unicode=True, sort_keys=False),
                                                       encoding="utf-8")


def run_build(scenarios: Path, out: Path) -> tuple[float, float, float, dict]:
    """Wall seconds, CPU seconds, peak RSS (MB) and phase seconds of one build in a fresh interpreter.

    CPU and peak RSS come from wait4(): CPU sums the build and its workers; peak RSS is the
    largest of them (Linux reports the maximum over a process and the children it waited for).
    """
    timings = out.parent / "timings.json"
    command = [sys.executable, "-m", "generator", "build", "--scenarios", str(scenarios), "--out", str(out),
               "--timings", str(timings)]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed: {process.stderr.read().decode()}")
    phases = json.loads(timings.read_text()) if timings.exists() else {}
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, phases


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def switcher_bytes(site: Path) -> tuple[float, int]:
    """Mean and largest size of the switcher's markup over the scenario pages (every language)."""
    sizes = [len(SWITCHER.search(p.read_bytes()).group(0)) for p in site.glob("**/scenarios/*/index.html")]
    return statistics.mean(sizes), max(sizes)


def rebuild_ms(scenarios: Path, repeat: int = 5) -> dict[str, tuple[float, float, int]] | None:
    """{fact, title: median wall and CPU ms to rebuild in memory after one scenario's fact or title
    changes, as the dev server does it (generator.dev.rebuild), and how many files it rendered}."""
    try:
        from generator.dev.rebuild import Rebuilder
    except ImportError:  # a generator from before the incremental rebuild (to compare with)
        return None
    rebuilder = Rebuilder(scenarios)
    rebuilder.full()
    return {edit: _rebuild_ms(rebuilder, scenarios, edit, repeat) for edit in EDITS}


def _rebuild_ms(rebuilder, scenarios: Path, edit: str, repeat: int) -> tuple[float, float, int]:
    target = sorted(scenarios.glob("*.yml"))[len(list(scenarios.glob("*.yml"))) // 2]
    original = target.read_text(encoding="utf-8")
    samples, cpu, rendered = [], [], 0
    old, new = EDITS[edit]
    assert old in original, f"{target.name} has no {old!r} to change: the save would change nothing"
    for k in range(repeat):
        target.write_text(original.replace(old, f"{new}{k}", 1), encoding="utf-8")
        start, start_cpu = time.perf_counter(), time.process_time()
        rebuilder.changed([target])
        rendered = rebuilder.rendered
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    target.write_text(original, encoding="utf-8")
    return statistics.median(samples), statistics.median(cpu), rendered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[26, 100, 1000])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for n in args.sizes:
            scenarios, out = Path(tmp) / f"n{n}" / "scenarios", Path(tmp) / f"n{n}" / "site"
            synthesise(n, scenarios)
            wall, cpu, peak, phases = run_build(scenarios, out)
            pages = sum(1 for _ in out.rglob("*.html"))
            size = folder_bytes(out)
            switcher = switcher_bytes(out)
            shutil.rmtree(out)
            rebuild = rebuild_ms(scenarios) if n == max(args.sizes) else {}
            results.append((n, wall, cpu, peak, phases, pages, size, rebuild, switcher))
            shutil.rmtree(Path(tmp) / f"n{n}")

    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'N':>6} {'wall s':>7} {'cpu s':>7} {'ms/scen':>8} {'pages':>6} {'pages/s':>8} {'peak MB':>8} "
          f"{'output':>9} {'switcher B/page':>15}  phases (ms)")
    for n, wall, cpu, peak, phases, pages, size, _, (mean, largest) in results:
        phase_text = " ".join(f"{k.replace(' ', '-')}={v * 1000:.0f}" for k, v in phases.items())
        print(f"{n:>6} {wall:>7.2f} {cpu:>7.2f} {wall * 1000 / n:>8.2f} {pages:>6} {pages / wall:>8.0f} "
              f"{peak:>8.1f} {size / 1e6:>7.1f}MB {f'{mean:.0f} ≤{largest}':>15}  {phase_text}")
    n, wall, cpu, peak, *_, rebuilds, (_, largest) = results[-1]
    print()
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    print(f"target whole build ≤ {TARGET_MS_PER_SCENARIO} ms per scenario at N={n} (start-up included): "
          f"{wall * 1000 / n:.2f} ms wall, {cpu * 1000 / n:.2f} ms cpu — "
          f"{verdict(wall * 1000 / n <= TARGET_MS_PER_SCENARIO)}")
    print(f"target switcher ≤ {TARGET_SWITCHER_BYTES} bytes of HTML per scenario page at N={n}: largest "
          f"{largest} — {verdict(largest <= TARGET_SWITCHER_BYTES)}")
    print(f"target peak RSS ≤ {TARGET_PEAK_MB} MB at N={n}: {peak:.1f} MB — {verdict(peak <= TARGET_PEAK_MB)}")
    if rebuilds is None:
        print("one-scenario rebuild: not measured (this generator has no incremental rebuild)")
    for edit, (ms, cpu_ms, rendered) in (rebuilds or {}).items():
        print(f"target one-scenario rebuild ≤ {TARGET_REBUILD_MS} ms at N={n}, change of a {edit} "
              f"(listing files included): {ms:.1f} ms wall, {cpu_ms:.1f} ms cpu ({rendered} files rendered "
              f"again) — "
              f"{verdict(ms <= TARGET_REBUILD_MS)}")
    if len(results) >= 2:
        (n1, w1, c1, *_), (n2, w2, c2, *_) = results[-2], results[-1]
        growth, cpu_growth = (w2 / w1) / (n2 / n1), (c2 / c1) / (n2 / n1)
        print(f"target linear cost from N={n1} to N={n2}: wall ×{w2 / w1:.1f}, cpu ×{c2 / c1:.1f} for "
              f"N ×{n2 / n1:.0f}, i.e. growth wall {growth:.2f}, cpu {cpu_growth:.2f} (1.0 = linear; start-up "
              f"weighs on small N) ≤ {TARGET_CPU_GROWTH} — {verdict(cpu_growth <= TARGET_CPU_GROWTH)}")
    print("save → reloaded page (≤ 120 ms at N=26, ≤ 200 ms at N=1000): bench/serve_latency.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
