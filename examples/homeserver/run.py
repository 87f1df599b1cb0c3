#!/usr/bin/env python3
"""Runs the reference homeserver with its censor service, for the main command and the tests.

    run.py BIN_DIR main                  the scenario, the metrics, then a load run with the
                                         shipped modules and with none
    run.py BIN_DIR transcript EXPECTED   the scenario's transcript must equal EXPECTED
    run.py BIN_DIR TEST                  one of the tests below (see TESTS)

BIN_DIR holds the homeserver, homeserver_client and censor_service programs. Everything
listens on 127.0.0.1 on a port the system picks; every wait is bounded; every process started
here is stopped here (SIGTERM, then SIGKILL), and a server that does not exit 0 fails the run.
"""

import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Process:
    """A server started in the background, its output in a file."""

    running = []

    def __init__(self, name, argv, workdir, env=None, ready=r"listening on (http://127\.0\.0\.1:\d+)", files=None):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self.log = open(self.log_path, "w")
        # files: a lower limit on open descriptors (RLIMIT_NOFILE) for the process.
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))) if files else None
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env, preexec_fn=limit)
        Process.running.append(self)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(ready, self.output())
            if match:
                self.url = match.group(1)
                return
            if self.proc.poll() is not None:
                raise Failure(f"{name} exited with {self.proc.returncode} before listening:\n{self.output()}")
            time.sleep(0.02)
        raise Failure(f"{name} did not start listening within 30 s:\n{self.output()}")

    @property
    def metrics_url(self):
        """The homeserver's metrics listener, as it printed it."""
        match = re.search(r"metrics on (http://127\.0\.0\.1:\d+)/_synapse/metrics", self.output())
        check(match is not None, f"{self.name} printed no metrics listener:\n{self.output()}")
        return match.group(1)

    def output(self):
        with open(self.log_path, errors="backslashreplace") as f:  # a log must not hold invalid UTF-8, but a test must show it
            return f.read()

    def stop(self):
        """SIGTERM; the server must exit 0 within 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Failure(f"{self.name} did not stop within 10 s of SIGTERM")
        Process.running.remove(self)
        self.log.close()
        check(self.proc.returncode == 0, f"{self.name} exited with {self.proc.returncode}:\n{self.output()[-4000:]}")

    @classmethod
    def kill_all(cls):
        for p in cls.running:
            if p.proc.poll() is None:
                p.proc.kill()
                p.proc.wait()
        cls.running = []


class Run:
    def __init__(self, bin_dir, workdir):
        self.bin = bin_dir
        self.work = workdir

    def program(self, name):
        return os.path.join(self.bin, name)

    def censor(self, *args, name="censor_service"):
        return Process(name, [self.program("censor_service"), "--stop-after-seconds", "300", *args], self.work)

    def homeserver(self, config, endpoint="http://127.0.0.1:9/censor", name="homeserver", files=None):
        env = dict(os.environ, CENSOR_ENDPOINT=endpoint)
        return Process(name, [self.program("homeserver"), config, "--stop-after-seconds", "300"], self.work, env=env,
                       files=files)

    def client(self, *args, timeout=180):
        done = subprocess.run([self.program("homeserver_client"), *args], capture_output=True, text=True, timeout=timeout)
        return done.returncode, done.stdout, done.stderr

    def config(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path


# ---- Requests from Python, for the tests ---------------------------------------------------

def request(base, method, path, body=None, token=None, content_type="application/json", timeout=10):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


DUMMY = {"type": "m.login.dummy"}  # registration's one stage of user-interactive authentication


def register(base, name):
    status, body, _ = request(base, "POST", "/_matrix/client/v3/register", {"auth": DUMMY, "username": name})
    check(status == 200, f"register {name}: {status} {body}")
    return json.loads(body)["access_token"]


def metric(server, name, callback):
    status, body, _ = request(server.metrics_url, "GET", "/_synapse/metrics")
    check(status == 200, f"metrics: {status}")
    match = re.search(rf'^{name}{{callback="{re.escape(callback)}"}} (\d+)$', body, re.M)
    check(match is not None, f"no {name} for {callback} in the metrics")
    return int(match.group(1))


def raw(base, payload, timeout=5):
    """Sends bytes on a fresh connection, returns all that comes back until the server closes."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        out = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out.decode(errors="replace")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shipped(run):
    """The censor service and the homeserver on the shipped config."""
    censor = run.censor()
    server = run.homeserver(os.path.join(DATA, "homeserver.yaml"), censor.url + "/censor")
    return censor, server


# ---- The main command and the tests --------------------------------------------------------

def main_command(run):
    censor, server = shipped(run)
    print(server.output(), end="")
    print(f"== the scenario ({os.path.join(DATA, 'scenario.txt')}) over HTTP to {server.url}")
    status, out, err = run.client("replay", server.url, os.path.join(DATA, "scenario.txt"))
    print(out, end="")
    check(status == 0, f"the replay failed: {err}")
    print("== the homeserver's log (what the modules said, and which failed)")
    print(server.output(), end="")
    print("== GET /_synapse/metrics")
    status, out, err = run.client("get", server.metrics_url, "/_synapse/metrics")
    check(status == 0, f"the metrics: {err}")
    print(out, end="")
    loads = []
    print("== load: 20000 requests over 32 connections, the shipped modules (censor service included),")
    print("   and a reload of every module (POST /_synapse/admin/v1/modules/reload) a second into it")
    token = admin_token(server.url)
    before = copies_mapped(server)
    load = subprocess.Popen([run.program("homeserver_client"), "load", server.url, "--connections", "32",
                             "--requests", "20000", "--max-seconds", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    status, body, _ = request(server.url, "POST", "/_synapse/admin/v1/modules/reload", token=token, timeout=30)
    out, err = load.communicate(timeout=180)
    print(out, end="")
    check(load.returncode == 0, f"the load run failed: {err}")
    check(status == 200, f"the reload: {status} {body}")
    answer = json.loads(body)
    print(f"reload: generation {answer['generation']}, {answer['modules']} modules replaced in "
          f"{answer['took_us'] / 1000:.1f} ms while {answer['requests_in_previous_modules']} requests were in the "
          f"previous ones; libraries mapped before: generation {sorted(before)}, after the load: "
          f"generation {sorted(copies_mapped(server))}")
    loads.append(out)
    server.stop()
    censor.stop()
    bare = run.homeserver(os.path.join(DATA, "no_modules.yaml"), name="homeserver_no_modules")
    print("== load: 20000 requests over 32 connections, no modules")
    status, out, err = run.client("load", bare.url, "--connections", "32", "--requests", "20000", "--max-seconds", "120")
    print(out, end="")
    check(status == 0, f"the load run failed: {err}")
    bare.stop()
    print("== a module built against an older release of the categories (stale_modules/room_guard.so): refused")
    print(stale_module(run))
    print("== stopped: " + "; ".join(line for p in (server, censor, bare) for line in p.output().splitlines()
                                     if line.startswith(("stopped", "censor service stopped"))))


def transcript(run, expected_path):
    censor, server = shipped(run)
    status, out, err = run.client("replay", server.url, os.path.join(DATA, "scenario.txt"))
    check(status == 0, f"the replay failed: {err}")
    server.stop()
    censor.stop()
    if os.environ.get("HOMESERVER_UPDATE_TRANSCRIPT") == "1":  # after a change to the scenario: review the diff
        with open(expected_path, "w") as f:
            f.write(out)
    with open(expected_path) as f:
        expected = f.read()
    if out != expected:
        actual = os.path.join(run.work, "transcript.actual")
        with open(actual, "w") as f:
            f.write(out)
        diff = subprocess.run(["diff", "-u", expected_path, actual], capture_output=True, text=True).stdout
        raise Failure(f"the transcript differs from {expected_path}:\n{diff}")
    # What the modules logged and which failed, in the server's own log.
    log = server.output()
    for line in ("! flaky_module failed in third_party_rules::check_event_allowed: rules engine crashed",
                 "! flaky_module failed in third_party_rules::on_new_event: notification queue full",
                 "web resource refused: module 'audit_logger' cannot register '/_synapse/client/audit/count': "
                 "already registered by module 'flaky_module'",
                 "web resource refused: module 'flaky_module' cannot register '/_matrix/client/v3/flaky': "
                 "paths under /_matrix/client belong to the homeserver"):
        check(line in log, f"the homeserver's log lacks '{line}':\n{log}")


def send_message(base, token, room, txn, body):
    return request(base, "PUT", f"/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}",
                   {"msgtype": "m.text", "body": body}, token)


def censor_fails(run, censor_args, timeout_ms, why):
    """The censor service down / slow / answering garbage: the event is refused with a 500 naming
    event_censorer, not stored, and counted as a failure, not a rejection."""
    censor = run.censor(*censor_args) if censor_args is not None else None
    endpoint = censor.url + "/censor" if censor else f"http://127.0.0.1:{free_port()}/censor"
    config = run.config("censor.yaml", f"""
server: {{port: 0, admins: []}}
modules:
  - module: event_censorer
    config: {{endpoint: "{endpoint}", timeout_ms: {timeout_ms}}}
""")
    server = run.homeserver(config)
    base = server.url
    token = register(base, "alice")
    status, body, _ = request(base, "POST", "/_matrix/client/v3/createRoom", {"room_alias_name": "r"}, token)
    check(status == 200, f"createRoom: {status} {body}")
    started = time.monotonic()
    status, body, headers = send_message(base, token, "!r:example.com", "t1", "what a darn day")
    elapsed = time.monotonic() - started
    check(status == 500, f"{why}: expected 500, got {status} {body}")
    check(json.loads(body)["errcode"] == "M_UNKNOWN", f"{why}: {body}")
    check(headers.get("X-Modhook-Failed") == "event_censorer", f"{why}: failing module not named: {headers}")
    check(elapsed < 5, f"{why}: the answer took {elapsed:.1f} s")
    # ($1 is the room's creation, $2 alice's join: $3 would be the message.)
    status, body, _ = request(base, "GET", "/_matrix/client/v3/rooms/!r:example.com/event/$3", token=token)
    check(status == 404, f"{why}: the refused event was stored: {status} {body}")
    check(metric(server, "modhook_callback_failures_total", "third_party_rules::check_event_allowed") == 1, why)
    check(metric(server, "modhook_callback_rejections_total", "third_party_rules::check_event_allowed") == 0, why)
    check("! event_censorer failed in third_party_rules::check_event_allowed" in server.output(),
          f"{why}: not logged:\n{server.output()}")
    server.stop()
    if censor:
        censor.stop()
    return server.output()


def test_censor_down(run):
    log = censor_fails(run, None, 1000, "censor service down")
    check("refused" in log, f"the failure does not say the connection was refused:\n{log}")


def test_censor_slow(run):
    log = censor_fails(run, ["--delay-ms", "2000"], 200, "censor service slower than the timeout")
    check("200 ms" in log, f"the failure does not name the timeout:\n{log}")


def test_censor_garbage(run):
    log = censor_fails(run, ["--garbage"], 1000, "censor service answering garbage")
    check("the censor service's answer is not JSON" in log, f"the failure does not say the answer was garbage:\n{log}")


def deep_event(levels):
    """An event whose text nests `levels` levels in all (the event object is the first)."""
    return ('{"type": "m.room.message", "content": {"body": "a darn day", "deep": ' + "[" * (levels - 2) +
            "]" * (levels - 2) + "}}").encode()


def test_censor_deep(run):
    """The censor service reads what it is sent with the host's bound: an event nested 32 levels
    (a client's content at its bound of 31, inside the event) is censored, deeper is a 400, and
    200,000 levels leave the service answering."""
    censor = run.censor()
    status, body, _ = request(censor.url, "POST", "/censor", deep_event(32))
    check(status == 200 and json.loads(body)["body"] == "a **** day", f"32 levels: {status} {body[:200]}")
    for levels in (33, 200_000):
        status, body, _ = request(censor.url, "POST", "/censor", deep_event(levels))
        check(status == 400, f"{levels} levels: {status} {body[:200]}")
        check(json.loads(body) == {"errcode": "M_BAD_JSON", "error": "the request body nests deeper than 32 levels"},
              f"{levels} levels: {body[:200]}")
    status, body, _ = request(censor.url, "POST", "/censor", {"content": {"body": "darn"}})
    check(status == 200 and json.loads(body) == {"body": "****"}, f"after the deep ones: {status} {body}")
    censor.stop()


def test_web_resources(run):
    censor, server = shipped(run)
    base = server.url
    token = register(base, "alice")
    request(base, "POST", "/_matrix/client/v3/createRoom", {"room_alias_name": "r"}, token)
    for i, text in enumerate(["darn", "heck and darn", "clean"]):
        status, body, _ = send_message(base, token, "!r:example.com", f"t{i}", text)
        check(status == 200, f"send: {status} {body}")
    status, body, headers = request(base, "GET", "/_synapse/client/censor/stats")
    check((status, json.loads(body)) == (200, {"censored": 2}), f"censor stats: {status} {body}")
    check(headers.get("X-Modhook-Decided-By") == "event_censorer", f"censor stats served by {headers}")
    # The first module to claim a path keeps it: flaky_module, listed first, holds audit/count.
    status, body, headers = request(base, "GET", "/_synapse/client/audit/count")
    check((status, headers.get("X-Modhook-Decided-By")) == (503, "flaky_module"), f"audit/count: {status} {headers}")
    status, body, _ = request(base, "GET", "/_matrix/client/v3/flaky")
    check(status == 404 and json.loads(body)["errcode"] == "M_UNRECOGNIZED", f"reserved path served: {status} {body}")
    status, body, _ = request(base, "POST", "/_synapse/client/censor/stats", b"{}")
    check(status == 200, f"a web resource takes any method: {status}")
    server.stop()
    censor.stop()


def test_bad_requests(run):
    censor, server = shipped(run)
    base = server.url
    token = register(base, "alice")
    cases = [
        ("malformed JSON", lambda: request(base, "POST", "/_matrix/client/v3/createRoom", b"{nope", token), 400, "M_NOT_JSON"),
        ("JSON that is not an object", lambda: request(base, "POST", "/_matrix/client/v3/createRoom", b"[1]", token), 400, "M_BAD_JSON"),
        ("a field of the wrong type", lambda: request(base, "POST", "/_matrix/client/v3/register", {"auth": DUMMY, "username": 7}), 400, "M_BAD_JSON"),
        ("a missing field", lambda: request(base, "POST", "/_matrix/client/v3/register", {"auth": DUMMY}), 400, "M_MISSING_PARAM"),
        ("wrong method", lambda: request(base, "DELETE", "/_matrix/client/v3/account/whoami", token=token), 405, "M_UNRECOGNIZED"),
        ("unknown path", lambda: request(base, "GET", "/_matrix/client/v3/nothing", token=token), 404, "M_UNRECOGNIZED"),
        ("no token", lambda: request(base, "GET", "/_matrix/client/v3/account/whoami"), 401, "M_MISSING_TOKEN"),
        ("unknown token", lambda: request(base, "GET", "/_matrix/client/v3/account/whoami", token="x"), 401, "M_UNKNOWN_TOKEN"),
        ("not an admin", lambda: request(base, "DELETE", "/_synapse/admin/v1/rooms/!x:example.com", token=token), 403, "M_FORBIDDEN"),
        ("an oversized body", lambda: request(base, "POST", "/_matrix/client/v3/createRoom", b"{" + b" " * 70000 + b"}", token), 413, "M_TOO_LARGE"),
        ("invalid UTF-8 in JSON", lambda: request(base, "POST", "/_matrix/client/v3/register", b'{"username": "\xff"}'), 400, "M_NOT_JSON"),
        ("bad percent-encoding", lambda: request(base, "GET", "/_matrix/client/v3/rooms/%zz/event/x", token=token), 400, "M_UNKNOWN"),
    ]
    for name, send, status_expected, errcode in cases:
        status, body, _ = send()
        check(status == status_expected, f"{name}: expected {status_expected}, got {status} {body}")
        check(json.loads(body)["errcode"] == errcode, f"{name}: expected {errcode}: {body}")
    # Invalid UTF-8 in a path parameter is refused; in an unknown path, the JSON the host writes
    # stays valid.
    status, body, _ = request(base, "GET", "/_matrix/client/v3/rooms/%FF/state/x", token=token)
    check(status == 400 and json.loads(body)["errcode"] == "M_INVALID_PARAM", f"invalid UTF-8 in a path: {status} {body!r}")
    status, body, _ = request(base, "GET", "/_synapse/%FF", token=token)
    check(status == 404 and "%FF" in json.loads(body)["error"], f"an unknown path: {status} {body!r}")
    # Below HTTP: a garbage request line, a truncated request, an oversized header.
    answer = raw(base, b"NOT HTTP AT ALL\r\n\r\n")
    check(answer.startswith("HTTP/1.1 400"), f"garbage request line: {answer[:200]!r}")
    answer = raw(base, b"POST /_matrix/client/v3/register HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user")
    check(answer == "", f"a truncated request must be dropped: {answer[:200]!r}")
    answer = raw(base, b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    check(answer.startswith("HTTP/1.1 431"), f"an oversized header: {answer[:200]!r}")
    # Still serving, and the state intact.
    status, body, _ = request(base, "GET", "/_matrix/client/v3/account/whoami", token=token)
    check(status == 200 and json.loads(body)["user_id"] == "@alice:example.com", f"after bad requests: {status} {body}")
    server.stop()
    censor.stop()


def test_many_clients(run):
    """32 connections at once through every layer (worker threads, the host's strand, the censor
    service): every answer 200, and the counts add up."""
    censor, server = shipped(run)
    status, out, err = run.client("load", server.url, "--connections", "32", "--requests", "3000", "--max-seconds", "120")
    check(status == 0, f"load: {out}{err}")
    match = re.search(r"(\d+) requests, (\d+) messages", out)
    check(match is not None, f"load output: {out}")
    messages = int(match.group(2))
    check(int(match.group(1)) == 3000, f"load: {out}")
    base = server.url
    allowed = metric(server, "modhook_callback_calls_total", "third_party_rules::check_event_allowed")
    stored = metric(server, "modhook_callback_calls_total", "third_party_rules::on_new_event")
    # Each connection's room has its creator's join too.
    check(allowed == messages + 32 and stored == messages + 32, f"{messages} messages, {allowed} checks, {stored} stored")
    status, body, _ = request(base, "GET", "/_synapse/client/censor/stats")
    check(json.loads(body) == {"censored": messages}, f"censored {body}, sent {messages}")
    check(metric(server, "modhook_callback_calls_total", "account_validity::on_user_registration") == 32, "registrations")
    server.stop()
    censor.stop()


def rss_kib(process):
    with open(f"/proc/{process.proc.pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def flood(port, seconds, start, then, connections):
    """`connections` sockets each send `start`, then `then` over and over, for `seconds` at most
    or until the server closes them. Returns, per socket, what the server answered."""
    socks = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        s.sendall(start)
        socks.append(s)
    answers = [b""] * connections
    closed = [False] * connections
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(closed):
        for i, s in enumerate(socks):
            if closed[i]:
                continue
            try:
                s.send(then)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                closed[i] = True
            try:
                data = s.recv(65536)
                answers[i] += data
                closed[i] = closed[i] or data == b""
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                closed[i] = True
    for s in socks:
        s.close()
    return answers


def test_floods(run):
    """Floods that once grew the server without bound or locked clients out: chunk extensions
    and trailers that never end (no token needed), more idle connections than max_connections,
    and slow headers. The RSS grows by less than 64 MiB over what the server had at start-up
    (a bound that holds under AddressSanitizer too), and a client is answered during each
    flood. The server may open 256 descriptors: 400 connections would take them
    all, but max_connections is 64."""
    config = run.config("floods.yaml", "server: {port: 0, admins: [], max_connections: 64}\nmodules: []\n")
    server = run.homeserver(config, files=256)
    port = int(server.url.rsplit(":", 1)[1])
    started_kib = rss_kib(server)
    bound_kib = started_kib + 64 * 1024
    peak = started_kib
    post = b"POST /_matrix/client/v3/register HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    for what, start, then in (("chunk extension", post + b"5;", b"e" * 4096),
                              ("trailer", post + b"0\r\nX-T: ", b"t" * 4096),
                              ("trailer fields", post + b"0\r\n", b"X-T: t\r\n" * 512)):
        answers = flood(port, 5, start, then, 4)
        peak = max(peak, rss_kib(server))
        for answer in answers:
            check(answer.startswith(b"HTTP/1.1 4"), f"{what}: {answer[:200]!r}")
        status, body, _ = request(server.url, "GET", "/_matrix/client/v3/login", timeout=5)
        check(status == 200, f"after the {what} flood: {status} {body}")
    # 300 idle connections and 100 slow headers (a byte every 100 ms), at max_connections 64:
    # a client is answered all the same, within a second.
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(300)]
    slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(100)]
    for s in slow:
        s.setblocking(False)
    deadline = time.monotonic() + 3
    answered = 0
    while time.monotonic() < deadline:
        for s in slow:
            try:
                s.send(b"G")
            except OSError:
                pass
        started = time.monotonic()
        status, body, _ = request(server.url, "GET", "/_matrix/client/v3/login", timeout=5)
        check(status == 200 and time.monotonic() - started < 1, f"during the connection flood: {status} {body}")
        answered += 1
        peak = max(peak, rss_kib(server))
        time.sleep(0.1)
    for s in idle + slow:
        s.close()
    check(answered > 5, f"{answered} requests answered during the connection flood")
    check(peak < bound_kib, f"the server's RSS reached {peak} KiB (bound {bound_kib}: {started_kib} at start-up + 64 MiB)")
    print(f"floods: RSS {started_kib} KiB at start-up, {peak} KiB at most; {answered} requests answered during the "
          "connection flood")
    server.stop()


def test_port_in_use(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = run.config("port.yaml", f"server: {{port: {port}}}\nmodules: []\n")
        done = subprocess.run([run.program("homeserver"), config], capture_output=True, text=True, timeout=30)
    check(done.returncode == 1, f"exit {done.returncode}: {done.stdout}{done.stderr}")
    check(done.stdout == "", f"a start-up error must print nothing on stdout: {done.stdout}")
    expected = f"port.yaml: server: port {port}: cannot listen on 127.0.0.1:{port}: Address already in use"
    check(expected in done.stderr, f"expected '{expected}' in: {done.stderr}")


def stale_module(run):
    """room_guard as built against an older release of the categories (the build's
    stale_modules/), named by a relative modules_dir: the homeserver refuses it at start-up,
    naming the category and the callback that differ. Returns the error line."""
    stale = os.path.relpath(os.path.join(run.bin, "stale_modules"), run.work)
    config = run.config("stale.yaml", f"server: {{modules_dir: {stale}}}\nmodules:\n  - module: room_guard\n")
    done = subprocess.run([run.program("homeserver"), config], capture_output=True, text=True, timeout=30)
    check(done.returncode == 1, f"exit {done.returncode}: {done.stdout}{done.stderr}")
    check(done.stdout == "", f"a start-up error must print nothing on stdout: {done.stdout}")
    expected = (f"stale.yaml:3: modules entry 1 (room_guard): modhook: module \"room_guard\": {os.path.normpath(os.path.join(run.work, stale))}/room_guard.so:"
                " built against another category 'third_party_rules': callback 'on_threepid_bind' is ")
    check(expected in done.stderr, f"expected '{expected}' in: {done.stderr}")
    return done.stderr.strip()


def test_stale_module(run):
    stale_module(run)


JS_CLIENT = os.path.join(HERE, "js-client")


def test_js_client(run):
    """A real Matrix client, matrix-js-sdk (js-client/package.json pins it; scripts/install-deps.sh
    installs it), runs a session against the shipped homeserver: js-client/session.mjs says which
    steps. Each step prints "ok: ..."; the session ends "session complete" and exits 0."""
    sdk = os.path.join(JS_CLIENT, "node_modules", "matrix-js-sdk", "package.json")
    check(os.path.exists(sdk), f"matrix-js-sdk is not installed in {JS_CLIENT}: run scripts/install-deps.sh")
    censor, server = shipped(run)
    try:
        done = subprocess.run(["node", os.path.join(JS_CLIENT, "session.mjs"), server.url], capture_output=True,
                              text=True, timeout=90, cwd=JS_CLIENT)
    except subprocess.TimeoutExpired:
        raise Failure("the matrix-js-sdk session did not end within 90 s")
    print(done.stdout, end="")
    check(done.returncode == 0 and done.stdout.rstrip().endswith("session complete"),
          f"the matrix-js-sdk session failed (exit {done.returncode}):\n{done.stdout}{done.stderr}\n"
          f"the homeserver said:\n{server.output()}")
    server.stop()
    censor.stop()


def test_replay_errors(run):
    for path, expected in ((DATA, "it is not a regular file"), (os.path.join(run.work, "absent.txt"), "it does not exist")):
        status, out, err = run.client("replay", "http://127.0.0.1:9", path)
        check(status == 1 and expected in err and out == "", f"replay {path}: {status} {out} {err}")
    bad = run.config("bad.txt", "- FETCH /x\n")
    status, out, err = run.client("replay", "http://127.0.0.1:9", bad)
    check(status == 1 and "bad.txt:1: unknown method 'FETCH'" in err, f"{status} {err}")
    status, out, err = run.client("replay", f"http://127.0.0.1:{free_port()}", os.path.join(DATA, "scenario.txt"))
    check(status == 1 and "refused" in err, f"a homeserver that is down: {status} {err}")


# ---- Reloading the modules while the server serves ------------------------------------------

def admin_token(base):
    status, body, _ = request(base, "POST", "/_matrix/client/v3/login",
                              {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "admin"},
                               "password": os.environ["HOMESERVER_ADMIN_PASSWORD"]})
    check(status == 200, f"the admin's login: {status} {body}")
    return json.loads(body)["access_token"]


def modules(base, token):
    status, body, _ = request(base, "GET", "/_synapse/admin/v1/modules", token=token)
    check(status == 200, f"the modules' list: {status} {body}")
    return json.loads(body)


def copies_mapped(server):
    """The modules' library copies mapped in the server's process now: {generation: names}."""
    mapped = {}
    with open(f"/proc/{server.proc.pid}/maps") as f:
        for line in f:
            match = re.search(r"/homeserver-modules-[^/]+/(\d+)/([\w-]+)\.so", line)
            if match:
                mapped.setdefault(int(match.group(1)), set()).add(match.group(2))
    return mapped


def shipped_copy(run, censor):
    """The shipped config, copied where a test may change it, and a server on it."""
    with open(os.path.join(DATA, "homeserver.yaml")) as f:
        text = f.read()
    config = run.config("homeserver.yaml", text)
    return config, text, run.homeserver(config, censor.url + "/censor")


def reload_under_load(run, server, token, reloads, connections, requests):
    """`reloads` reloads, SIGHUP and the admin route in turn, while `connections` clients send
    `requests` requests; returns the load's output and each reload's count of requests still
    in the previous modules."""
    load = subprocess.Popen([run.program("homeserver_client"), "load", server.url, "--connections", str(connections),
                             "--requests", str(requests), "--max-seconds", "240"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    held = []
    try:
        time.sleep(0.5)  # the clients registered, their messages under way
        generation = modules(server.url, token)["generation"]
        for k in range(reloads):
            if k % 2 == 0:
                status, body, _ = request(server.url, "POST", "/_synapse/admin/v1/modules/reload", token=token,
                                          timeout=30)
                check(status == 200, f"reload {k + 1}: {status} {body}")
                answer = json.loads(body)
                check(answer["generation"] == generation + 1, f"reload {k + 1}: {answer}")
                held.append(answer["requests_in_previous_modules"])
            else:
                server.proc.send_signal(signal.SIGHUP)
                deadline = time.monotonic() + 30
                while modules(server.url, token)["generation"] != generation + 1:
                    check(time.monotonic() < deadline, f"SIGHUP {k + 1}: no reload within 30 s:\n{server.output()[-2000:]}")
                    time.sleep(0.02)
                match = re.findall(rf"generation {generation + 1}, \d+ modules, (\d+) requests still", server.output())
                check(len(match) == 1, f"SIGHUP {k + 1}: the reload is not logged once:\n{server.output()[-2000:]}")
                held.append(int(match[0]))
            generation += 1
            time.sleep(0.15)
        out, err = load.communicate(timeout=300)
    finally:
        if load.poll() is None:
            load.kill()
            load.wait()
    check(load.returncode == 0, f"a request failed under the reloads: {out}{err}")
    return out, held


def test_reload(run):
    """22 reloads (SIGHUP and the admin route in turn) while 32 clients send messages that the
    censorer sends to a slow censor service: every request answered 200; reloads land while
    the censorer waits; each replaced library is unmapped once its last request ended; a
    reload that fails keeps the running modules and says why."""
    censor = run.censor("--delay-ms", "100")
    config, text, server = shipped_copy(run, censor)
    base = server.url
    token = admin_token(base)
    before = modules(base, token)
    check(before["generation"] == 1 and [m["name"] for m in before["modules"]] ==
          ["flaky_module", "event_censorer", "invite_blocker", "room_guard", "account_expiry", "audit_logger"],
          f"at start-up: {before}")
    check(copies_mapped(server) == {1: {m["name"] for m in before["modules"]}}, f"mapped: {copies_mapped(server)}")

    out, held = reload_under_load(run, server, token, reloads=22, connections=32, requests=3000)
    print(out, end="")
    print(f"reloads: {len(held)}; requests still in the previous modules at each: {held}")
    check(re.search(r"load: 3000 requests", out) is not None, f"load: {out}")
    check(sum(1 for h in held if h > 0) >= 5, f"few reloads landed while requests were in the modules: {held}")
    after = modules(base, token)
    check(after["generation"] == 23, f"after 22 reloads: {after}")
    # Every request is over: only the current generation's libraries are left, on disk too.
    mapped = copies_mapped(server)
    check(mapped == {23: {m["name"] for m in after["modules"]}}, f"still mapped after the load: {mapped}")
    check(after["previous_generations_in_use"] == [], f"{after}")
    folder = os.path.dirname(after["modules"][0]["loaded_from"])
    check(sorted(os.listdir(os.path.dirname(folder))) == ["23"], f"copies left: {os.listdir(os.path.dirname(folder))}")

    # A reload that fails: the running modules stay, and the answer says why, and where.
    run.config("homeserver.yaml", text.replace("module: room_guard", "module: room_gaurd"))
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/reload", token=token)
    line = text[:text.index("module: room_guard")].count("\n") + 1
    check(status == 400 and f"homeserver.yaml:{line}: modules entry 4 (room_gaurd): unknown module: no room_gaurd.so" in body,
          f"a reload naming an unknown module: {status} {body}")
    check(modules(base, token)["modules"] == after["modules"], "the failed reload changed the modules")
    check(copies_mapped(server) == mapped, f"a failed reload left libraries: {copies_mapped(server)}")
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while server.output().count("reload refused") < 2:
        check(time.monotonic() < deadline, f"SIGHUP's refusal not logged:\n{server.output()[-2000:]}")
        time.sleep(0.02)
    check(modules(base, token)["generation"] == 23, "a failed SIGHUP reload changed the generation")
    # Refused inside the change: event_censorer (entry 2) rejects its config after flaky_module loaded.
    run.config("homeserver.yaml", text.replace("${CENSOR_ENDPOINT}", "not a url"))
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/reload", token=token)
    check(status == 400 and "modules entry 2 (event_censorer): modhook: module \\\"event_censorer\\\": failed to load: "
          "event_censorer: 'endpoint' not a url" in body, f"a module refusing its config: {status} {body}")
    check(modules(base, token)["modules"] == after["modules"], "the refused change changed the modules")
    check(copies_mapped(server) == mapped, f"the refused change left libraries: {copies_mapped(server)}")
    check(sorted(os.listdir(os.path.dirname(folder))) == ["23"], f"copies left: {os.listdir(os.path.dirname(folder))}")
    user = register(base, "after_reloads")
    status, body, _ = request(base, "POST", "/_matrix/client/v3/createRoom", {"room_alias_name": "after"}, user)
    check(status == 200, f"createRoom after the reloads: {status} {body}")
    status, body, _ = send_message(base, user, json.loads(body)["room_id"], "t1", "what a darn day")
    check(status == 200, f"a message after the failed reloads: {status} {body}")
    server.stop()
    censor.stop()


def with_keys(text, module, *lines):
    """The config `text` with `lines` added to the entry of `module`."""
    entry = f"  - module: {module}\n"
    check(entry in text, f"no entry for {module}")
    return text.replace(entry, entry + "".join(f"    {line}\n" for line in lines))


def test_module_admin(run):
    """The admin API's modules: listed with their order, state and library; disabled and
    enabled (callbacks and web resources); placed and disabled by the config on a reload; a
    cycle among the placements refused, naming it, with the running modules kept."""
    censor = run.censor()
    config, text, server = shipped_copy(run, censor)
    base = server.url
    token = admin_token(base)
    user = register(base, "alice")
    status, body, _ = request(base, "GET", "/_synapse/admin/v1/modules", token=user)
    check(status == 403, f"a user lists the modules: {status} {body}")
    listed = modules(base, token)
    check([(m["name"], m["load_order"], m["enabled"]) for m in listed["modules"]] ==
          [(n, i + 1, True) for i, n in enumerate(["flaky_module", "event_censorer", "invite_blocker", "room_guard",
                                                   "account_expiry", "audit_logger"])], f"{listed}")
    check(all(m["library"].endswith("/" + m["name"] + ".so") and "/1/" in m["loaded_from"] for m in listed["modules"]),
          f"{listed}")
    check(listed["call_order"]["third_party_rules::check_event_allowed"] == ["flaky_module", "event_censorer"], f"{listed}")

    status, body, _ = request(base, "POST", "/_matrix/client/v3/createRoom", {"room_alias_name": "r"}, user)
    check(status == 200, f"createRoom: {status} {body}")
    room = json.loads(body)["room_id"]

    def sent(txn):
        status, body, _ = send_message(base, user, room, txn, "what a darn day")
        check(status == 200, f"send {txn}: {status} {body}")
        status, body, _ = request(base, "GET", f"/_matrix/client/v3/rooms/{room}/event/{json.loads(body)['event_id']}",
                                  token=user)
        return json.loads(body)["content"]["body"]

    check(sent("t1") == "what a **** day", "censored while enabled")
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/event_censorer/disable", token=token)
    check(status == 200 and [m["enabled"] for m in json.loads(body)["modules"]][1] is False, f"disable: {status} {body}")
    check(sent("t2") == "what a darn day", "not censored while disabled")
    status, body, _ = request(base, "GET", "/_synapse/client/censor/stats")
    check(status == 404 and "is disabled" in body, f"a disabled module's web resource: {status} {body}")
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/event_censorer/enable", token=token)
    check(status == 200, f"enable: {status} {body}")
    check(sent("t3") == "what a **** day", "censored once enabled again")
    status, body, _ = request(base, "GET", "/_synapse/client/censor/stats")
    check(status == 200 and json.loads(body) == {"censored": 2}, f"the censorer kept its state: {status} {body}")
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/nope/disable", token=token)
    check(status == 404 and "nope" in body, f"disabling a module that is not loaded: {status} {body}")

    # The config places and disables modules; a reload applies it.
    placed = with_keys(with_keys(text, "audit_logger", "position: first"), "account_expiry", "before: [flaky_module]")
    run.config("homeserver.yaml", with_keys(placed, "invite_blocker", "enabled: false"))
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/reload", token=token)
    check(status == 200 and json.loads(body)["generation"] == 2, f"reload: {status} {body}")
    listed = modules(base, token)
    orders = listed["call_order"]
    check(orders["third_party_rules::on_new_event"] == ["audit_logger", "flaky_module"], f"{orders}")
    check(orders["third_party_rules::check_can_deactivate_user"] == ["account_expiry", "flaky_module"], f"{orders}")
    check(orders["spam_checker::user_may_invite"] == [], f"a disabled module is called: {orders}")
    check([m["enabled"] for m in listed["modules"]] == [True, True, False, True, True, True], f"{listed}")
    check(sent("t4") == "what a **** day", "censored after the reload")

    # A cycle: refused, named, and nothing changes.
    run.config("homeserver.yaml", with_keys(placed, "flaky_module", "before: [account_expiry]"))
    status, body, _ = request(base, "POST", "/_synapse/admin/v1/modules/reload", token=token)
    check(status == 400 and 'module \\"flaky_module\\": placements form a cycle for ' in body and
          "flaky_module before account_expiry (flaky_module: before account_expiry), account_expiry before "
          "flaky_module (account_expiry: before flaky_module)" in body, f"a cycle: {status} {body}")
    check(modules(base, token) == listed, "a refused reload changed the modules")
    check(copies_mapped(server) == {2: {m["name"] for m in listed["modules"]}}, f"{copies_mapped(server)}")
    server.stop()
    censor.stop()


TESTS = {
    "js-client": test_js_client,
    "censor-down": test_censor_down,
    "censor-slow": test_censor_slow,
    "censor-garbage": test_censor_garbage,
    "censor-deep": test_censor_deep,
    "floods": test_floods,
    "web-resources": test_web_resources,
    "bad-requests": test_bad_requests,
    "many-clients": test_many_clients,
    "port-in-use": test_port_in_use,
    "stale-module": test_stale_module,
    "replay-errors": test_replay_errors,
    "reload": test_reload,
    "module-admin": test_module_admin,
}


def main(argv):
    # The admin's password, which data/*.yaml and the scenario read from the environment.
    os.environ.setdefault("HOMESERVER_ADMIN_PASSWORD", secrets.token_urlsafe(16))
    if len(argv) < 3 or (argv[2] not in TESTS and argv[2] not in ("main", "transcript")):
        print(__doc__ + "\ntests: " + ", ".join(TESTS), file=sys.stderr)
        return 2
    bin_dir, what = argv[1], argv[2]
    with tempfile.TemporaryDirectory(prefix="homeserver-") as work:
        run = Run(bin_dir, work)
        try:
            if what == "main":
                main_command(run)
            elif what == "transcript":
                transcript(run, argv[3])
            else:
                TESTS[what](run)
        except (Failure, subprocess.TimeoutExpired, OSError) as e:
            for p in Process.running:
                print(f"--- {p.name}'s output:\n{p.output()[-4000:]}", file=sys.stderr)
            print(f"run.py {what}: FAILED: {e}", file=sys.stderr)
            return 1
        finally:
            Process.kill_all()
    if what != "main":
        print(f"run.py {what}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
