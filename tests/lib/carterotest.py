# ISC license.
# Helpers for the end-to-end tests: a throw-away configuration and Maildir
# tree, the real handler behind a real launcher on a loopback port, and a
# tiny "ok - NAME" / "not ok - NAME: why" reporter (see tests/run).
#
# Only the standard library.  Every wait has a timeout.
#
#   srv = Server("socket-activate", users=["example.test/alice"])
#   with srv:                      # start(); ...; stop() + rmtree
#       smtplib.SMTP("127.0.0.1", srv.port, timeout=T)
#       srv.messages("example.test/alice")   # bytes of each file in new/
#
# Launchers (the handler's fd 2 goes to srv.logpath, shown on failure):
#   socket-activate  systemd-socket-activate --inetd -a -l 127.0.0.1:PORT
#                    [-E K=V ...] BIN -c CONF
#                    (it hands the child only TERM PATH USER HOME and -E
#                    variables, so extra environment goes through -E)
#   tcpserver        tcpserver -q -H -R -l 0 127.0.0.1 PORT BIN -c CONF
#                    (-l 0: no DNS lookup of the local name either; the
#                    machine has loopback only)
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.path.join(ROOT, os.environ.get("CARTERO_BIN", "bin/cartero-smtpd"))
PLUGINS = os.path.join(ROOT, os.environ.get("CARTERO_PLUGINS", "plugins"))
HOST = "127.0.0.1"
TIMEOUT = 10.0          # any single wait: connect, reply, child exit
LAUNCHERS = ("socket-activate", "tcpserver")

BASE_CONF = """hostname = mx.example.test
plugin_dir = {plugins}

[domain example.test]
store = {store}
path = mail/%d/%u

[domain example.org]
store = {store}
path = mail/%d/%u
"""


class Failure(Exception):
    """A check that did not hold; the message is the 'why'."""


def check(cond, why):
    if not cond:
        raise Failure(why)


def crlf(data):
    """Client-side LF -> CRLF conversion (no-op on CRLF text)."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def strip_trace(msg):
    """Drops Return-Path and the first Received field (with its folds)."""
    lines = msg.split(b"\r\n")
    i = 0
    if lines and lines[0].startswith(b"Return-Path:"):
        i = 1
    if i < len(lines) and lines[i].startswith(b"Received:"):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\r\n".join(lines[i:])


def received(msg):
    """The first Received field, unfolded, as text ('' if none)."""
    lines = msg.split(b"\r\n")
    for i, l in enumerate(lines):
        if l.startswith(b"Received:"):
            out = [l]
            for more in lines[i + 1:]:
                if more[:1] not in (b" ", b"\t"):
                    break
                out.append(more)
            return b" ".join(x.strip() for x in out).decode("utf-8",
                                                             "replace")
        if l == b"":
            break
    return ""


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def listening(port):
    """True when something LISTENs on 127.0.0.1:PORT (from /proc/net/tcp,
    so probing does not start a handler)."""
    want = "0100007F:%04X" % port
    try:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[1] == want and parts[3] == "0A":
                    return True
    except OSError:
        pass
    return False


def wait_for(pred, timeout=TIMEOUT, step=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(step)


def proc_children(pid):
    """Live (non-zombie) child pids of PID, oldest first."""
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        if int(rest[1]) == pid and rest[0] != "Z":
            kids.append((int(rest[19]), int(d)))     # starttime, pid
    return [p for _, p in sorted(kids)]


def proc_exe(pid):
    try:
        return os.path.realpath("/proc/%d/exe" % pid)
    except OSError:
        return ""


_servers = []


@atexit.register
def _cleanup_all():
    """No launcher outlives the test script, whatever happened."""
    for srv in _servers:
        try:
            srv.cleanup()
        except Exception:
            pass


class Server:
    """A temp dir with cartero.conf and Maildirs, served on a free port."""

    def __init__(self, launcher="socket-activate", users=(), conf_extra="",
                 env=None, plugin_dir=None, store="maildir", conf=None):
        assert launcher in LAUNCHERS, launcher
        self.launcher = launcher
        self.tmp = tempfile.mkdtemp(prefix="cartero-e2e-")
        self.conf = os.path.join(self.tmp, "cartero.conf")
        self.logpath = os.path.join(self.tmp, "log")
        self.env = dict(env or {})
        if conf is None:
            conf = BASE_CONF.format(plugins=plugin_dir or PLUGINS,
                                    store=store) + conf_extra
        with open(self.conf, "w") as f:
            f.write(conf)
        for u in users:
            self.add_user(u)
        self.proc = None
        self.port = None
        _servers.append(self)

    # -- Maildirs ---------------------------------------------------------
    def maildrop(self, spec):
        dom, local = spec.split("/", 1)
        return os.path.join(self.tmp, "mail", dom, local)

    def add_user(self, spec):
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(self.maildrop(spec), sub), mode=0o700,
                        exist_ok=True)

    def files(self, spec, sub="new"):
        d = os.path.join(self.maildrop(spec), sub)
        if not os.path.isdir(d):
            return []
        return sorted((os.path.join(d, f) for f in os.listdir(d)),
                      key=lambda p: (os.stat(p).st_mtime_ns, p))

    def messages(self, spec):
        out = []
        for p in self.files(spec):
            with open(p, "rb") as f:
                out.append(f.read())
        return out

    def wait_messages(self, spec, n, timeout=TIMEOUT):
        """Bounded wait until SPEC's new/ holds at least N messages."""
        wait_for(lambda: len(self.files(spec)) >= n, timeout)
        return self.messages(spec)

    # -- the launcher -----------------------------------------------------
    def argv(self, port):
        if self.launcher == "socket-activate":
            a = ["systemd-socket-activate", "--inetd", "-a",
                 "-l", "%s:%d" % (HOST, port)]
            for k, v in sorted(self.child_env().items()):
                a += ["-E", "%s=%s" % (k, v)]
            return a + [BIN, "-c", self.conf]
        return ["tcpserver", "-q", "-H", "-R", "-l", "0", HOST, str(port),
                BIN, "-c", self.conf]

    def child_env(self):
        e = {"TMPDIR": self.tmp}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if k in os.environ:
                e[k] = os.environ[k]
        e.update(self.env)
        return e

    def start(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("TCPREMOTEIP", "TCPREMOTEPORT", "REMOTE_ADDR",
                            "REMOTE_PORT", "RELAYCLIENT", "LISTEN_FDS",
                            "LISTEN_PID", "CARTERO_CONF")}
        env.update(self.child_env())
        self.log = open(self.logpath, "ab")
        last = ""
        for attempt in range(5):        # the port may be taken meanwhile
            port = free_port()
            self.proc = subprocess.Popen(
                self.argv(port), stdin=subprocess.DEVNULL,
                stdout=self.log, stderr=self.log, env=env, cwd=self.tmp,
                start_new_session=True)
            ok = wait_for(lambda: listening(port) or
                          self.proc.poll() is not None, TIMEOUT)
            if ok and self.proc.poll() is None:
                self.port = port
                return self
            last = "launcher exited %s" % self.proc.poll()
            self.kill()
        raise Failure("%s did not listen: %s; log:\n%s" %
                      (self.launcher, last, self.logtext()))

    def kill(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=TIMEOUT)
        # handlers still alive in the group (tcpserver does not wait)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None

    def stop(self):
        self.kill()
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def handlers(self):
        """Live handler pids (children of the launcher running BIN)."""
        if self.proc is None:
            return []
        exe = os.path.realpath(BIN)
        return [p for p in proc_children(self.proc.pid) if proc_exe(p) == exe]

    def logtext(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def child_exits(self):
        """Exit codes systemd-socket-activate logged for its children."""
        return [int(c) for c in
                re.findall(r"Child \d+ died with code (\d+)", self.logtext())]

    def wait_idle(self, timeout=TIMEOUT):
        """Bounded wait until no handler runs (all sessions finished)."""
        return wait_for(lambda: not self.handlers(), timeout)


# -- raw SMTP over a socket ------------------------------------------------
class Raw:
    """A bare SMTP client for pipelining, BDAT and broken input."""

    def __init__(self, port, timeout=TIMEOUT):
        self.s = socket.create_connection((HOST, port), timeout=timeout)
        self.s.settimeout(timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        """One reply line without CRLF; b'<EOF>' at end of stream."""
        while b"\r\n" not in self.buf:
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                raise Failure("no reply within %ss (have %r)" %
                              (self.s.gettimeout(), self.buf))
            if not chunk:
                if self.buf:
                    l, self.buf = self.buf, b""
                    return l
                return b"<EOF>"
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def reply(self):
        """A whole (possibly multi-line) reply: (code, [lines])."""
        lines = []
        while True:
            l = self.line()
            if l == b"<EOF>":
                return (None, lines + [l.decode()])
            lines.append(l.decode("utf-8", "replace"))
            if len(l) < 4 or l[3:4] != b"-":
                try:
                    return (int(l[:3]), lines)
                except ValueError:
                    return (None, lines)

    def expect(self, code, what=""):
        c, lines = self.reply()
        check(c == code, "%sexpected %d, got %r" %
              (what + ": " if what else "", code, lines))
        return lines

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def run(argv, timeout=TIMEOUT * 3, **kw):
    """Runs a client program; (exit status, stdout+stderr text)."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=kw.pop(
                               "stdin", subprocess.DEVNULL),
                           timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise Failure("%s timed out after %ss: %r" %
                      (argv[0], timeout, (e.stdout or b"")[-800:]))
    return p.returncode, p.stdout.decode("utf-8", "replace")


# -- the reporter ----------------------------------------------------------
class Reporter:
    """Prints 'ok - NAME' or 'not ok - NAME: why' (+ '# ' detail lines)."""

    def __init__(self):
        self.failed = 0
        self.passed = 0

    def ok(self, name, note=""):
        self.passed += 1
        print("ok - %s%s" % (name, " # " + note if note else ""), flush=True)

    def skip(self, name, why):
        self.ok(name, "SKIP " + why)

    def not_ok(self, name, why, log=None):
        self.failed += 1
        first, _, rest = str(why).partition("\n")
        print("not ok - %s: %s" % (name, first), flush=True)
        for l in rest.splitlines():
            print("#   " + l)
        if log is not None:
            print("#   handler log:")
            for l in log.splitlines()[-60:]:
                print("#   | " + l)
        sys.stdout.flush()

    def case(self, name, fn, server=None):
        """Runs fn(); a Failure or any exception makes the case fail and
        shows the handler log of SERVER."""
        try:
            note = fn()
        except Failure as e:
            self.not_ok(name, e, server.logtext() if server else None)
        except Exception as e:
            self.not_ok(name, "%s: %s\n%s" % (type(e).__name__, e,
                                               traceback.format_exc()),
                        server.logtext() if server else None)
        else:
            self.ok(name, note if isinstance(note, str) else "")

    def done(self):
        return 1 if self.failed else 0
