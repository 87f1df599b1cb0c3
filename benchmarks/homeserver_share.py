#!/usr/bin/env python3
"""How much of the reference homeserver's CPU work is modhook's dispatch.

Builds the homeserver optimized (g++ 12, -O2 -g), starts the censor service, and runs the
homeserver under callgrind with one worker thread while the host's client replays the shipped
scenario and then sends a load of messages. Then, from callgrind's per-function instruction
counts (exclusive: each instruction counted once, in the function it executes in):

- dispatch machinery: every function of modhook itself (`modhook::`, the library's drivers,
  the coroutine frames of its dispatch) and the host's dispatch wrapper (host::dispatch<...>,
  which times each dispatch and counts it in the metrics);
- the modules' own code (`homeserver::` module classes and their web resources);
- the whole server process (HTTP parsing, JSON, the Matrix logic, Asio's scheduler, the
  kernel calls' user-space side).

Writes benchmarks/results/homeserver_share.md, puts it in report.md as a section, and
prints it. Needs valgrind.
"""
import os
import pathlib
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench-homeserver"
RESULT = ROOT / "benchmarks" / "results" / "homeserver_share.md"
REPORT = ROOT / "benchmarks" / "results" / "report.md"
# The block of report.md this script owns (run.py keeps it when it rewrites the report).
BEGIN, END = "<!-- begin homeserver_share -->", "<!-- end homeserver_share -->"
LOAD_REQUESTS = 4000
LOAD_CONNECTIONS = 8
MODULE_CLASSES = ("event_censorer", "invite_blocker", "room_guard", "account_expiry", "audit_logger", "flaky_module")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def wait_for(path, pattern, proc, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(pattern, pathlib.Path(path).read_text())
        if match:
            return match.group(1)
        if proc.poll() is not None:
            sys.exit(f"exited early:\n{pathlib.Path(path).read_text()}")
        time.sleep(0.1)
    sys.exit(f"no '{pattern}' within {seconds} s:\n{pathlib.Path(path).read_text()}")


def measure(work):
    bin_dir = BUILD / "examples" / "homeserver"
    shipped = (ROOT / "examples" / "homeserver" / "data" / "homeserver.yaml").read_text()
    config = pathlib.Path(work) / "homeserver.yaml"
    config.write_text(shipped.replace("worker_threads: 2", "worker_threads: 1").replace("timeout_ms: 1000", "timeout_ms: 20000"))
    censor_log, server_log = pathlib.Path(work) / "censor.log", pathlib.Path(work) / "server.log"
    out = pathlib.Path(work) / "callgrind.out"
    censor = subprocess.Popen([bin_dir / "censor_service", "--stop-after-seconds", "600"], stdout=open(censor_log, "w"),
                              stderr=subprocess.STDOUT)
    server = None
    try:
        endpoint = wait_for(censor_log, r"listening on (http://\S+)", censor, 30)
        server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
                                   bin_dir / "homeserver", config, "--stop-after-seconds", "600"],
                                  stdout=open(server_log, "w"), stderr=subprocess.STDOUT,
                                  env=dict(os.environ, CENSOR_ENDPOINT=endpoint))
        url = wait_for(server_log, r"listening on (http://127\.0\.0\.1:\d+)", server, 120)
        client = bin_dir / "homeserver_client"
        run([client, "replay", url, ROOT / "examples" / "homeserver" / "data" / "scenario.txt"], timeout=300)
        load = run([client, "load", url, "--connections", str(LOAD_CONNECTIONS), "--requests", str(LOAD_REQUESTS),
                    "--max-seconds", "500"], timeout=600).stdout
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
        answered = int(re.search(r"stopped after (\d+) requests", server_log.read_text()).group(1))
    finally:
        for p in (server, censor):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    # The per-function table only: no annotated sources, whose "=>" lines carry inclusive costs.
    annotated = run(["callgrind_annotate", "--threshold=100", "--auto=no", str(out)]).stdout
    (BUILD / "homeserver_share.callgrind.txt").write_text(annotated)
    return annotated, answered, load.strip()


def outer_name(function):
    """The qualified name of a function as callgrind prints it, without template arguments,
    parameters or return type: `std::optional<modhook::x> modhook::f<int>(int) const` -> `modhook::f`."""
    out, depth = [], 0
    for c in function:
        if c == "<":
            depth += 1
        elif c == ">":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(c)
    bare = "".join(out).split("(")[0].strip()
    return bare.split(" ")[-1]


def classify(annotated):
    """Instructions per kind of code, from the per-function table ("COUNT (PCT)  FILE:FUNCTION [OBJECT]")."""
    total = int(re.search(r"^\s*([\d,]+).*PROGRAM TOTALS", annotated, re.M).group(1).replace(",", ""))
    kinds = {"library": [], "wrapper": [], "instantiated": [], "modules": []}
    table = annotated.split("file:function", 1)[1]
    for line in table.splitlines():
        match = re.match(r"^\s*([\d,]+) \([^)]*\)\s+(.*?)(?: \[[^]]*\])?$", line)
        if not match:
            continue
        count = int(match.group(1).replace(",", ""))
        file, function = match.group(2).split(":", 1)  # a file name has no ':'
        outer = outer_name(function)
        # Coroutine frames' functions stay mangled in callgrind's output (`_ZN7modhook...`).
        mangled = lambda *names: function.startswith("_ZN" + "".join(f"{len(n)}{n}" for n in names))
        if "include/modhook/" in file or outer.startswith("modhook::") or mangled("modhook"):
            kinds["library"].append((count, function))  # modhook's code, wherever it was inlined
        elif outer.startswith("homeserver::host::dispatch") or mangled("homeserver", "host", "dispatch"):
            kinds["wrapper"].append((count, function))
        elif any(outer.startswith(f"homeserver::{m}::") or mangled("homeserver", m) for m in MODULE_CLASSES):
            kinds["modules"].append((count, function))
        elif outer.startswith(("boost::", "std::", "_ZN5boost", "_ZNSt", "_ZSt")) and (
                "modhook::" in function or "7modhook" in function):  # Asio's or std's code for modhook's types
            kinds["instantiated"].append((count, function))
    return total, kinds


def main():
    run([str(ROOT / "scripts" / "configure.sh"), "gcc", str(BUILD), "-DCMAKE_BUILD_TYPE=Release",
         "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG", "-DMODHOOK_BUILD_TESTS=OFF", "-DMODHOOK_BUILD_EXAMPLES=ON"])
    run(["cmake", "--build", str(BUILD), "-j2", "--target", "homeserver", "homeserver_modules", "homeserver_client", "censor_service"])
    with tempfile.TemporaryDirectory(prefix="homeserver-share-") as work:
        annotated, answered, load = measure(work)
    total, kinds = classify(annotated)
    sums = {kind: sum(count for count, _ in rows) for kind, rows in kinds.items()}
    dispatch = sums["library"] + sums["wrapper"] + sums["instantiated"]
    pct = lambda part: f"{100.0 * part / total:.2f}%"
    row = lambda what, part: f"| {what} | {part:,} | {pct(part)} | {part / answered:,.0f} |"

    def top(kind, n=6):
        shorten = lambda name: name if len(name) < 150 else name[:147] + "..."
        return "\n".join(f"| {count:,} | `{shorten(name).replace('|', '&#124;')}` |"
                         for count, name in sorted(kinds[kind], reverse=True)[:n])

    report = f"""# How much of the homeserver's work is modhook's dispatch

Generated by `benchmarks/homeserver_share.py` on {datetime.now(timezone.utc):%Y-%m-%d} ({platform.machine()},
{os.cpu_count()} cores, g++ 12 -O2 -g): callgrind's instruction counts of the homeserver
process, one worker thread, over the shipped scenario replayed with `homeserver_client`
and then a load of {LOAD_REQUESTS} requests over {LOAD_CONNECTIONS} connections (three messages,
each posted by the event censorer to the censor service, to one whoami); {answered} requests
answered in all. The client's last line: `{load}`.

| what | instructions | share | per request |
|---|---:|---:|---:|
{row("the whole server process", total)}
| **modhook's dispatch, all of it** (the three rows below) | **{dispatch:,}** | **{pct(dispatch)}** | **{dispatch / answered:,.0f}** |
{row("&nbsp;&nbsp;modhook's own functions (`modhook::`)", sums["library"])}
{row("&nbsp;&nbsp;Asio's and the standard library's code for modhook's types (the dispatch's coroutine frames, its results)", sums["instantiated"])}
{row("&nbsp;&nbsp;the host's dispatch wrapper (`host::dispatch`: times each dispatch, counts it in the metrics)", sums["wrapper"])}
{row("the modules' own code", sums["modules"])}

Counts are exclusive: each instruction is counted once, in the function it runs in, and
callgrind files inlined code under the source file it came from; so modhook's inline code is
counted as modhook's wherever the compiler put it. What a module calls (nlohmann-json, the
host's HTTP client) is counted as that library's, not the module's. The rest of the process is HTTP parsing and writing (Beast), JSON, the Matrix
logic, Asio's scheduler and the memory allocator.

The functions of each kind that ran the most instructions:

| modhook's own ({len(kinds["library"])} functions) | |
|---:|---|
{top("library")}

| code for modhook's types ({len(kinds["instantiated"])} functions) | |
|---:|---|
{top("instantiated")}

| the modules ({len(kinds["modules"])} functions) | |
|---:|---|
{top("modules")}
"""
    RESULT.write_text(report)
    section = report.replace("# How much of the homeserver's work is modhook's dispatch",
                             "## In a server: how much of the reference homeserver's work is modhook's dispatch", 1)
    old = REPORT.read_text() if REPORT.exists() else ""
    if BEGIN in old:
        old = old[:old.index(BEGIN)].rstrip() + old[old.index(END) + len(END):]
    REPORT.write_text(old.rstrip() + f"\n\n{BEGIN}\n{section.rstrip()}\n{END}\n")
    print(report)


if __name__ == "__main__":
    main()
