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

Writes benchmarks/results/homeserver_share.md and prints it. Needs valgrind.
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
    annotated = run(["callgrind_annotate", "--threshold=100", str(out)]).stdout
    return annotated, answered, load.strip()


def classify(annotated):
    total = int(re.search(r"^\s*([\d,]+).*PROGRAM TOTALS", annotated, re.M).group(1).replace(",", ""))
    dispatch = modules = 0
    for line in annotated.splitlines():
        match = re.match(r"^\s*([\d,]+)(?: \([^)]*\))?\s+(?:\S+:)?(.*)$", line)
        if not match or "PROGRAM TOTALS" in line:
            continue
        count = int(match.group(1).replace(",", ""))
        name = match.group(2)
        head = name.split("(")[0]  # the function's own name, before its parameter list
        if "modhook::" in head or head.startswith(("homeserver::host::dispatch<", "auto homeserver::host::dispatch<")):
            dispatch += count
        elif any(f"homeserver::{m}::" in head for m in MODULE_CLASSES):
            modules += count
    return total, dispatch, modules


def main():
    run([str(ROOT / "scripts" / "configure.sh"), "gcc", str(BUILD), "-DCMAKE_BUILD_TYPE=Release",
         "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG", "-DMODHOOK_BUILD_TESTS=OFF", "-DMODHOOK_BUILD_EXAMPLES=ON"])
    run(["cmake", "--build", str(BUILD), "-j2", "--target", "homeserver", "homeserver_client", "censor_service"])
    with tempfile.TemporaryDirectory(prefix="homeserver-share-") as work:
        annotated, answered, load = measure(work)
    total, dispatch, modules = classify(annotated)
    pct = lambda part: f"{100.0 * part / total:.2f}%"
    report = f"""# How much of the homeserver's work is modhook's dispatch

Generated by `benchmarks/homeserver_share.py` on {datetime.now(timezone.utc):%Y-%m-%d} ({platform.machine()},
{os.cpu_count()} cores, g++ 12 -O2 -g): callgrind's instruction counts of the homeserver
process, one worker thread, over the shipped scenario replayed with `homeserver_client`
and then a load of {LOAD_REQUESTS} requests over {LOAD_CONNECTIONS} connections (three messages,
each posted by the event censorer to the censor service, to one whoami); {answered} requests
answered in all. The client's last line: `{load}`.

| what | instructions | share | per request |
|---|---:|---:|---:|
| the whole server process | {total:,} | 100% | {total // answered:,} |
| modhook's dispatch (the library's functions and the host's dispatch wrapper, which also times and counts) | {dispatch:,} | {pct(dispatch)} | {dispatch // answered:,} |
| the modules' own code | {modules:,} | {pct(modules)} | {modules // answered:,} |

Counts are exclusive: each instruction in the function it runs in. Library code the compiler
inlined into the host's functions is counted with them, not with modhook (the wrapper is
where most of it lands, and it is counted as dispatch); so is `std::` code instantiated for
modhook (copies of arguments, the result's `std::optional`), which is counted with the
standard library, in the process total.
"""
    RESULT.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
