#!/usr/bin/env python3
"""How much each compiler prints for each mistake in tests/compile_fail/.

Compiles every case (syntax only) with g++ 12 and clang++ 16 (libc++), counts the lines
printed and shows the first error line. Writes benchmarks/results/diagnostics.md and prints
it. The bounds themselves are checked by ctest ("compile diagnostics: ..."), from each
case's "// DIAGNOSTICS:" line.

    benchmarks/compile/diagnostics.py
"""
import argparse
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "compile_fail"
REPORT = ROOT / "benchmarks" / "results" / "diagnostics.md"
COMPILERS = [("g++ 12", ["g++-12", "-std=c++23"]), ("clang++ 16", ["clang++-16", "-stdlib=libc++", "-std=c++2b"])]


def compile_case(cxx, case):
    proc = subprocess.run([*cxx, "-fsyntax-only", f"-I{ROOT / 'include'}", str(case)], text=True, capture_output=True)
    printed = (proc.stderr + proc.stdout).rstrip("\n")
    # A discarded result is a warning (made an error by the tests' -Werror): shown when no error is.
    first = next((line for line in printed.splitlines() if "error: " in line),
                 next((line for line in printed.splitlines() if "warning: " in line), ""))
    first = re.sub(r"^.*?(error|warning): ", r"\1: ", first)
    return len(printed.splitlines()), first


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    lines = ["# What the compilers print for each mistake", "",
             "Lines printed by `-fsyntax-only` for each case in `tests/compile_fail/`, and the first error line "
             "(file and position cut). Bounds, where a case states one, are checked by ctest "
             "(`compile diagnostics:`). Regenerate with `benchmarks/compile/diagnostics.py`.", "",
             "| case | bound | " + " | ".join(f"{label} lines" for label, _ in COMPILERS) + " |",
             "|---|---:|" + "---:|" * len(COMPILERS)]
    firsts = []
    for case in sorted(CASES.glob("*.cpp")):
        bound = re.search(r"^// DIAGNOSTICS: at most (\d+) lines", case.read_text(), re.M)
        counts = []
        for label, cxx in COMPILERS:
            count, first = compile_case(cxx, case)
            counts.append(str(count))
            firsts.append((case.stem, label, first))
        lines.append(f"| {case.stem} | {bound.group(1) if bound else '–'} | " + " | ".join(counts) + " |")
    lines += ["", "## First error lines", ""]
    for stem, label, first in firsts:
        lines.append(f"- {stem}, {label}: `{first}`")
    lines.append("")
    report = "\n".join(lines)
    REPORT.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
