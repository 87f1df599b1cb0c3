#!/usr/bin/env python3
"""Compile-time cost of modhook against hand-written code.

For (C categories, K callbacks, M modules) in SIZES, generates a translation unit that uses
modhook and its hand-written twin (generate.py), compiles each with g++ 12 and clang++ 16
(libc++) at -O2 under /usr/bin/time -v, and reports wall time and peak memory and the ratio
modhook / hand-written, against the targets: at most 2x at every size; the largest case under
30 s and 1.5 GiB. Writes benchmarks/results/compile_time.md and prints it. The smallest case
is also linked and run, and both variants must compute the same result.

    benchmarks/compile/run.py [--repeat N] [--sizes N] [--no-breakdown]
        --repeat: the best of N compilations (default 3)
        --sizes: only the first N sizes (default: all three)
        --no-breakdown: skip the table of where g++'s time goes (stage by stage, middle size)
"""
import argparse
import pathlib
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = ROOT / "benchmarks" / "compile"
WORK = ROOT / "build" / "compile-bench"
REPORT = ROOT / "benchmarks" / "results" / "compile_time.md"
SIZES = [(1, 10, 10), (5, 20, 50), (20, 40, 200)]
LARGEST = SIZES[-1]  # the case the absolute targets are stated for
COMPILERS = [  # (label, command)
    ("g++ 12", ["g++-12", "-std=c++23"]),
    ("clang++ 16, libc++", ["clang++-16", "-stdlib=libc++", "-std=c++2b"]),
]
MAX_RATIO, MAX_SECONDS, MAX_MIB = 2.0, 30.0, 1.5 * 1024


def measure(cxx, source, repeat):
    """Best CPU time (user + system, s) and the wall time of that run, and peak resident memory
    (MiB), of compiling `source` at -O2. CPU time is what ratios are taken of: on a shared
    machine, wall time is noise."""
    best, peak = None, 0.0
    for _ in range(repeat):
        proc = subprocess.run(["/usr/bin/time", "-v", *cxx, "-O2", f"-I{ROOT / 'include'}", "-c", str(source),
                               "-o", str(source.with_suffix(".o"))], text=True, capture_output=True)
        if proc.returncode != 0:
            sys.exit(f"compiling {source} failed:\n{proc.stderr[-4000:]}")
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
        seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
        cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", proc.stderr).group(1))
                  for kind in ("User", "System"))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
        best = (cpu, seconds) if best is None else min(best, (cpu, seconds))
        peak = max(peak, rss)
    return best, peak


def generate(size, variant, stage="dispatch"):
    c, k, m = size
    path = WORK / f"tu_{c}x{k}x{m}_{variant}_{stage}.cpp"
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(c), str(k), str(m), variant, str(path),
                    "--stage", stage], check=True)
    return path


def breakdown(label, cxx, size, repeat):
    """Where the time goes: each stage of the translation unit, and what it adds."""
    lines = [f"## Where the time goes: {label}, {size[0]} x {size[1]} x {size[2]}", "",
             "Each row compiles the translation unit up to that stage (`generate.py --stage`); the added CPU "
             "seconds are that stage's cost.", "",
             "| stage | modhook CPU s | added | hand-written CPU s | added | ratio of added |", "|---|---:|---:|---:|---:|---:|"]
    before = (0.0, 0.0)
    for stage, what in (("declare", "headers, categories, registry"), ("register", "+ every module registered"),
                        ("dispatch", "+ every callback dispatched")):
        (lib_s, _), _ = measure(cxx, generate(size, "modhook", stage), repeat)
        (hand_s, _), _ = measure(cxx, generate(size, "hand", stage), repeat)
        added = (lib_s - before[0], hand_s - before[1])
        ratio = f"{added[0] / added[1]:.1f}" if added[1] > 0.05 else "–"
        lines.append(f"| {stage}: {what} | {lib_s:.2f} | {added[0]:+.2f} | {hand_s:.2f} | {added[1]:+.2f} | {ratio} |")
        before = (lib_s, hand_s)
    return lines + [""]


def same_result(cxx, size):
    """Links and runs both variants of `size`: they must return the same value."""
    results = []
    for variant in ("modhook", "hand"):
        source = generate(size, variant)
        program = source.with_suffix("")
        subprocess.run([*cxx, "-O1", f"-I{ROOT / 'include'}", str(source), "-o", str(program)], check=True)
        results.append(subprocess.run([str(program)]).returncode)
    return results[0] == results[1], results


def verdict(ok):
    return "yes" if ok else "**no**"


def main():
    global SIZES
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="the best of N compilations (default 3)")
    parser.add_argument("--sizes", type=int, default=len(SIZES), choices=range(1, len(SIZES) + 1), metavar="N",
                        help=f"only the first N sizes of {SIZES} (default: all)")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip the table of where g++'s time goes (stage by stage, middle size)")
    args = parser.parse_args()
    repeat = args.repeat
    SIZES = SIZES[:args.sizes]
    WORK.mkdir(parents=True, exist_ok=True)
    versions = [subprocess.run([cxx[0], "--version"], text=True, capture_output=True).stdout.splitlines()[0]
                for _, cxx in COMPILERS]
    lines = ["# Compile-time cost", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d} on {platform.processor() or platform.machine()}, "
             f"{platform.system()} {platform.release()}; " + "; ".join(versions) + ".",
             "", "Each translation unit declares C categories of K callbacks, loads M modules that each register a "
             "random subset of one to three categories' callbacks, and dispatches every callback once "
             "(`benchmarks/compile/generate.py`). The hand-written twin holds the same callback functions in vectors "
             f"of function pointers and dispatches them with plain loops. -O2, best of {repeat} compilations by CPU "
             "time (user + system; the ratios are of CPU time), the wall time of that compilation beside it, peak "
             "resident memory from `/usr/bin/time -v`. Regenerate with `benchmarks/compile/run.py`.", ""]
    failures = []
    for label, cxx in COMPILERS:
        ok, results = same_result(cxx, SIZES[0])
        if not ok:
            failures.append(f"{label}: the two variants of the smallest case disagree ({results})")
        lines += [f"## {label}", "",
                  "| C x K x M | modhook CPU s | wall s | hand-written CPU s | wall s | ratio (CPU) | modhook MiB "
                  "| hand-written MiB | ratio |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for size in SIZES:
            (lib_s, lib_wall), lib_mib = measure(cxx, generate(size, "modhook"), repeat)
            (hand_s, hand_wall), hand_mib = measure(cxx, generate(size, "hand"), repeat)
            time_ratio, mem_ratio = lib_s / hand_s, lib_mib / hand_mib
            lines.append(f"| {size[0]} x {size[1]} x {size[2]} | {lib_s:.2f} | {lib_wall:.2f} | {hand_s:.2f} | "
                         f"{hand_wall:.2f} | {time_ratio:.2f} | {lib_mib:.0f} | {hand_mib:.0f} | {mem_ratio:.2f} |")
            if time_ratio > MAX_RATIO:
                failures.append(f"{label} {size}: compile CPU time {time_ratio:.2f}x the hand-written twin's "
                                f"(target {MAX_RATIO:.0f}x; {time_ratio / MAX_RATIO:.2f} times over)")
            if mem_ratio > MAX_RATIO:
                failures.append(f"{label} {size}: peak memory {mem_ratio:.2f}x the hand-written twin's "
                                f"(target {MAX_RATIO:.0f}x)")
            if size == LARGEST:
                lines.append("")
                lines.append(f"Largest case: {lib_s:.1f} s (target under {MAX_SECONDS:.0f} s: {verdict(lib_s < MAX_SECONDS)}), "
                             f"{lib_mib:.0f} MiB (target under {MAX_MIB:.0f} MiB: {verdict(lib_mib < MAX_MIB)}); "
                             f"the hand-written twin: {hand_s:.1f} s, {hand_mib:.0f} MiB.")
                if lib_s >= MAX_SECONDS:
                    failures.append(f"{label}: the largest case takes {lib_s:.1f} s (target under {MAX_SECONDS:.0f} s)")
                if lib_mib >= MAX_MIB:
                    failures.append(f"{label}: the largest case needs {lib_mib:.0f} MiB (target under {MAX_MIB:.0f})")
        lines.append("")
    if not args.no_breakdown:
        label, cxx = COMPILERS[0]
        lines += breakdown(label, cxx, SIZES[min(1, len(SIZES) - 1)], repeat)
    if LARGEST not in SIZES:
        failures.append(f"the largest case {LARGEST} was not measured (--sizes)")
    lines += ["## Targets", ""]
    lines += [f"- not met: {f}" for f in failures] or ["- every target is met."]
    if failures:
        lines += ["", "Why, and what it would cost to do better: the README, section \"Compile-time cost\"."]
    lines.append("")
    report = "\n".join(lines)
    REPORT.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
