#!/usr/bin/env python3
"""What including modhook costs a translation unit.

Compiles `#include <modhook/modhook.hpp>` alone, and a unit of `<vector>`, `<optional>` and
`<string>` (what a translation unit that uses modhook includes anyway), with
`-std=c++23 -O2 -fsyntax-only`, with g++ 12 and clang++ 16 (libc++), each the best of N runs
by CPU time (user + system; wall time beside it: on a shared machine it is noise), and peak
memory. The target: modhook's unit at most 2x the other's CPU time with g++. Writes
benchmarks/results/include_cost.md and prints it; exits 1 when the target is missed.
"""
import argparse
import pathlib
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

ROOT = pathlib.Path(__file__).resolve().parents[2]
REPORT = ROOT / "benchmarks" / "results" / "include_cost.md"
UNITS = {
    "modhook": "#include <modhook/modhook.hpp>\n",
    "vector, optional, string": "#include <vector>\n#include <optional>\n#include <string>\n",
}
COMPILERS = [("g++ 12", ["g++-12", "-std=c++23"]), ("clang++ 16, libc++", ["clang++-16", "-std=c++2b", "-stdlib=libc++"])]
TARGET = 2.0


def measure(command):
    """CPU seconds (user + system), wall seconds and peak memory (MiB) of one compilation."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss / 1024  # ru_maxrss: the largest child so far, in KiB


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="the best of N compilations (default 5)")
    args = parser.parse_args()
    rows = []
    ratios = {}
    with tempfile.TemporaryDirectory() as work:
        for label, compiler in COMPILERS:
            commands, memory, runs = {}, {}, {}
            for unit, text in UNITS.items():
                source = pathlib.Path(work) / (unit.split(",")[0] + ".cpp")
                source.write_text(text)
                commands[unit] = [*compiler, "-O2", "-fsyntax-only", f"-I{ROOT / 'include'}", str(source)]
                # Memory is measured alone: ru_maxrss only grows over a process's children.
                memory[unit] = int(subprocess.run(["/usr/bin/time", "-f", "%M", *commands[unit]], check=True, text=True,
                                                  capture_output=True).stderr.strip().splitlines()[-1]) / 1024
                runs[unit] = []
            # Interleaved, so that what else the machine does weighs on both units alike.
            for _ in range(args.repeat):
                for unit in UNITS:
                    runs[unit].append(measure(commands[unit]))
            results = {unit: (*min(runs[unit])[:2], memory[unit]) for unit in UNITS}
            ratio = results["modhook"][0] / results["vector, optional, string"][0]
            ratios[label] = ratio
            for unit, (cpu, wall, memory) in results.items():
                rows.append(f"| {label} | {unit} | {cpu:.2f} | {wall:.2f} | {memory:.0f} |")
            rows.append(f"| {label} | *ratio, CPU time* | *{ratio:.2f}* | | |")
    versions = [subprocess.run([c[0], "--version"], text=True, capture_output=True).stdout.splitlines()[0]
                for _, c in COMPILERS]
    met = ratios["g++ 12"] <= TARGET
    lines = ["# What including modhook costs", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d} on {platform.machine()}, {platform.system()} "
             f"{platform.release()}; " + "; ".join(versions) + ".", "",
             "`-O2 -fsyntax-only` of a unit that only includes `<modhook/modhook.hpp>`, against one that includes "
             "`<vector>`, `<optional>` and `<string>`; the best of " + str(args.repeat) + " compilations by CPU "
             "time (user + system), wall time beside it, and peak memory. Regenerate with "
             "`benchmarks/compile/include_cost.py`.", "",
             "| compiler | unit | CPU s | wall s | peak MiB |", "|---|---|---:|---:|---:|", *rows, "",
             f"Target: at most {TARGET:.0f}x with g++: **{'met' if met else 'missed'}** ({ratios['g++ 12']:.2f}x).", ""]
    REPORT.write_text("\n".join(lines))
    print("\n".join(lines))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
