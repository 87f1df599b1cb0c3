#!/usr/bin/env python3
"""Hostile clients against the reference homeserver: the runs behind the figures in README.md.
Too long for the test command (which has the `floods` test, their short form); run by hand
after a change to the HTTP layer or the host.

    hostile.py BIN_DIR fuzz [REQUESTS]          mutated requests, 60000 by default
    hostile.py BIN_DIR slowloris [CONNECTIONS]   headers a byte a second, 2000 by default
    hostile.py BIN_DIR idle [CONNECTIONS]        connections that send nothing, 2000 by default

The homeserver runs with the shipped modules and the censor service, as run.py starts them,
limited to 1024 descriptors (the usual limit). Meanwhile a well-behaved client asks
GET /_matrix/client/versions twice a second: each run reports how many of those were answered
and how slowly, the server's largest RSS, and that the server is alive at the end and exits 0.
"""

import os
import random
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as harness  # noqa: E402


class Probe(threading.Thread):
    """A well-behaved client during the run: GET versions twice a second, 5 s timeout."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.stop, self.latencies, self.failures = base, threading.Event(), [], []

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            status, body, _ = harness.request(self.base, "GET", "/_matrix/client/versions", timeout=5)
            if status == 200:
                self.latencies.append(time.monotonic() - started)
            else:
                self.failures.append(f"{status} {body[:80]}")
            self.stop.wait(0.5)

    def report(self):
        lat = sorted(self.latencies)
        worst = f"{lat[-1] * 1000:.0f} ms" if lat else "-"
        median = f"{lat[len(lat) // 2] * 1000:.1f} ms" if lat else "-"
        return (f"probe: {len(lat)} answered (median {median}, worst {worst}), {len(self.failures)} not"
                + (f": {self.failures[:3]}" if self.failures else ""))


class Peak(threading.Thread):
    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.stop, self.kib = server, threading.Event(), harness.rss_kib(server)
        self.start_kib = self.kib

    def run(self):
        while not self.stop.is_set():
            try:
                self.kib = max(self.kib, harness.rss_kib(self.server))
            except (OSError, AttributeError):
                return
            self.stop.wait(0.2)


def seeds(base):
    """Raw requests of every kind the server takes, with a valid token."""
    token = harness.register(base, "fuzzer")
    status, body, _ = harness.request(base, "POST", "/_matrix/client/v3/createRoom", {"room_alias_name": "fuzz"}, token)
    assert status == 200, body
    auth = f"Authorization: Bearer {token}\r\n"

    def req(method, path, body=b"", headers=""):
        return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n"
                .encode() + body)

    room = "/_matrix/client/v3/rooms/!fuzz:example.com"
    return [
        req("POST", "/_matrix/client/v3/register", b'{"auth": {"type": "m.login.dummy"}, "username": "u", "password": "p"}'),
        req("POST", "/_matrix/client/v3/login", b'{"type": "m.login.password", "user": "fuzzer", "password": "x"}'),
        req("GET", "/_matrix/client/v3/account/whoami", headers=auth),
        req("POST", "/_matrix/client/v3/createRoom", b'{"room_alias_name": "r", "name": "n"}', auth),
        req("PUT", room + "/send/m.room.message/t1", b'{"msgtype": "m.text", "body": "a darn day"}', auth),
        req("PUT", room + "/state/m.room.topic/", b'{"topic": "t"}', auth),
        req("GET", "/_matrix/client/v3/sync?since=s1&timeout=0", headers=auth),
        req("GET", room + "/messages?dir=b&limit=5", headers=auth),
        req("POST", room + "/invite", b'{"user_id": "@x:example.com"}', auth),
        req("POST", "/_matrix/media/v3/upload?filename=a.png", b"\x89PNG", auth + "Content-Type: image/png\r\n"),
        req("PUT", "/_matrix/client/r0/profile/@fuzzer:example.com/displayname", b'{"displayname": "F"}', auth),
        b"POST /_matrix/client/v3/register HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\n{\"aut\r\n0\r\n\r\n",
        req("OPTIONS", "/_matrix/client/v3/sync"),
    ]


def mutate(seed, rng):
    data = bytearray(seed)
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(8)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif kind == 2 and data:
            del data[at:at + rng.randint(1, 32)]
        elif kind == 3:
            data[at:at] = rng.choice([b"\r\n", b"\r\n\r\n", b":", b" ", b"\x00", b"%", b"%zz", b"{", b"[" * 5000,
                                      b'"', b"\\u0000", b"Content-Length: 99999999999999999999\r\n",
                                      b"Transfer-Encoding: gzip, chunked\r\n", b"Content-Length: -1\r\n",
                                      b"Expect: 100-continue\r\n", b"\xff\xfe", b"/../../", b"?a=%", b";" * 100])
        elif kind == 4 and data:
            piece = data[at:at + rng.randint(1, 64)]
            data[at:at] = piece * rng.randint(2, 50)
        elif kind == 5:
            data = data[:at]
        elif kind == 6:
            data[at:at] = str(rng.choice([0, -1, 2**31, 2**64, 10**30])).encode()
        else:
            data += b"GET /_matrix/client/versions HTTP/1.1\r\nHost: h\r\n\r\n"  # pipelined
    return bytes(data)


def fuzz(run, count):
    censor, server = harness.shipped(run)
    port = int(server.url.rsplit(":", 1)[1])
    probe, peak = Probe(server.url), Peak(server)
    probe.start()
    peak.start()
    rng = random.Random(2026)
    corpus = seeds(server.url)
    statuses, lock = {}, threading.Lock()
    next_index = [0]

    def worker():
        while True:
            with lock:
                if next_index[0] >= count:
                    return
                next_index[0] += 1
                payload = mutate(rng.choice(corpus), rng)
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=3)
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)  # the end of the request: no waiting for more
                answer = s.recv(64)
                s.close()
            except OSError:
                answer = b""
            status = answer[9:12].decode("latin-1") if answer.startswith(b"HTTP/1.1 ") else "none"
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    started = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(16)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    probe.stop.set()
    peak.stop.set()
    alive = server.proc.poll() is None
    print(f"fuzz: {count} mutated requests in {elapsed:.0f} s; answers by status: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(probe.report())
    print(f"server: alive at the end: {alive}; RSS {peak.start_kib} KiB at start, {peak.kib} KiB at most")
    # What a client sent must not reach the log raw: no invalid UTF-8, no control characters
    # (a line break in a user id would forge a log line).
    raw = []
    with open(server.log_path, "rb") as f:
        for line in f.read().split(b"\n"):
            try:
                text = line.decode("utf-8")
                if any(ord(c) < 32 or ord(c) == 127 for c in text):
                    raw.append(repr(line))
            except UnicodeDecodeError:
                raw.append(repr(line))
    print(f"server log: {len(raw)} lines with invalid UTF-8 or control characters" + (f", e.g. {raw[:3]}" if raw else ""))
    failed = [line for line in server.output().splitlines() if line.startswith("! ")]
    print(f"server log: {len(failed)} module failures" + (f", e.g. {failed[:3]}" if failed else ""))
    server.stop()
    censor.stop()


def connections(run, count, slow):
    censor = run.censor()
    server = run.homeserver(os.path.join(harness.DATA, "homeserver.yaml"), censor.url + "/censor", files=1024)
    port = int(server.url.rsplit(":", 1)[1])
    probe, peak = Probe(server.url), Peak(server)
    probe.start()
    peak.start()
    socks, refused = [], 0
    for _ in range(count):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            refused += 1
    ended = {}
    live = list(socks)
    deadline = time.monotonic() + 40  # past the server's 30 s request deadline
    header = b"GET /_matrix/client/versions HTTP/1.1\r\nHost: h\r\nX-Slow: " + b"a" * 100000
    sent = 0
    while live and time.monotonic() < deadline:
        still = []
        for s in live:
            try:
                if slow:
                    s.send(header[sent:sent + 1])
                data = s.recv(4096)
                how = data[:12].decode("latin-1") if data else "closed"
                ended[how] = ended.get(how, 0) + 1
                s.close()
            except (BlockingIOError, InterruptedError):
                still.append(s)
            except OSError:
                ended["reset"] = ended.get("reset", 0) + 1
                s.close()
        live = still
        sent += 1
        time.sleep(1)
    for s in live:
        s.close()
    probe.stop.set()
    peak.stop.set()
    alive = server.proc.poll() is None
    kind = "slowloris (a header byte a second)" if slow else "idle"
    print(f"{kind}: {count} connections opened ({refused} refused by the system), held 40 s; how the server ended "
          "them: " + ", ".join(f"{k}: {v}" for k, v in sorted(ended.items())) + f"; still open at 40 s: {len(live)}")
    print(probe.report())
    print(f"server: alive at the end: {alive}; RSS {peak.start_kib} KiB at start, {peak.kib} KiB at most")
    too_many = server.output().count("Too many open files")
    print(f"server log: {too_many} lines about 'Too many open files'")
    server.stop()
    censor.stop()


def main(argv):
    if len(argv) < 3 or argv[2] not in ("fuzz", "slowloris", "idle"):
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("HOMESERVER_ADMIN_PASSWORD", harness.secrets.token_urlsafe(16))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this side holds the connections
    import tempfile
    with tempfile.TemporaryDirectory(prefix="hostile-") as work:
        run = harness.Run(argv[1], work)
        what = argv[2]
        if what == "fuzz":
            fuzz(run, int(argv[3]) if len(argv) > 3 else 60000)
        else:
            connections(run, int(argv[3]) if len(argv) > 3 else 2000, what == "slowloris")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
