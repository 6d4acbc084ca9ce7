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
# POP3 (cartero-pop3d, logging in through the test-only auth plugin
# tests/plugins/testauth.so; its users file holds "user@domain:password"
# lines, the password doubling as the APOP secret):
#
#   srv = Pop3Server("tcpserver", accounts={"alice@example.test": "pw"})
#   srv.put_message("example.test/alice", b"Subject: x\r\n\r\nbody\r\n")
#   with srv:
#       poplib.POP3("127.0.0.1", srv.port, timeout=T)
#
# Two handlers over one configuration and one Maildir tree (SMTP in, POP3
# out): pop = smtp_srv.sibling(POP3_BIN); pop.start(); the sibling shares
# the folder (removed by its owner) and has a log file of its own.
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
import itertools
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
POP3_BIN = os.path.join(ROOT, os.environ.get("CARTERO_POP3_BIN",
                                             "bin/cartero-pop3d"))
TEST_PLUGINS = os.path.join(ROOT, "tests", "plugins")
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

# cartero-pop3d (and cartero-smtpd, when [smtpd] auth = testauth) log in
# through the test-only plugin; "users" is relative to the config's folder.
# Loopback without TLS, so cleartext logins are allowed, and a failed login
# waits 10 ms, not 1 s.  A line given in Server(pop3d=...) replaces the
# default of the same key.
POP3_DEFAULTS = (("auth", "testauth"), ("auth_delay", "10"),
                 ("auth_requires_tls", "no"))
POP3_CONF = """
[pop3d]
{pop3d}

[plugin testauth]
file = users
"""


def pop3d_section(extra=""):
    """The [pop3d] lines: POP3_DEFAULTS, overridden or extended by EXTRA
    ('key = value' lines)."""
    lines = [l.strip() for l in extra.splitlines() if l.strip()]
    given = {l.split("=", 1)[0].strip() for l in lines}
    return "\n".join(["%s = %s" % kv for kv in POP3_DEFAULTS
                      if kv[0] not in given] + lines)


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


def spec_of(address):
    """'alice@example.test' -> 'example.test/alice' (a maildrop spec)."""
    local, _, dom = address.rpartition("@")
    return "%s/%s" % (dom, local)


def make_plugin_dir(dest, plugins=None):
    """DEST (created) holds symlinks to every NAME.so of PLUGINS (default
    $CARTERO_PLUGINS) and of tests/plugins/: the real plugins beside the
    test-only ones (testauth, probe, ...).  Returns DEST."""
    os.makedirs(dest, exist_ok=True)
    for d in (plugins or PLUGINS, TEST_PLUGINS):
        for so in sorted(os.listdir(d)):
            link = os.path.join(dest, so)
            if so.endswith(".so") and not os.path.lexists(link):
                os.symlink(os.path.join(d, so), link)
    check(os.path.exists(os.path.join(dest, "testauth.so")),
          "no testauth.so in %s: run make tests/plugins/testauth.so" %
          TEST_PLUGINS)
    return dest


_uniq = [0, 0]          # last (seconds, microseconds) handed out
_deliveries = itertools.count(1)


def maildir_name(size, when=None, host="e2e.example"):
    """A Maildir base name the way cartero's maildir store makes one:
    TIME.M<usec>P<pid>Q<n>R<random>.HOST,S=<size>,W=<size>.  Successive
    calls sort in call order (POP3 numbers messages by name)."""
    if when is None:
        now = time.time()
        sec, usec = int(now), int((now % 1) * 1e6)
        if (sec, usec) <= tuple(_uniq):
            sec, usec = _uniq[0], _uniq[1] + 1
            if usec >= 1000000:
                sec, usec = sec + 1, 0
    else:
        sec, usec = int(when), int((when % 1) * 1e6)
    _uniq[:] = [sec, usec]
    return "%d.M%06dP%dQ%dR%s.%s,S=%d,W=%d" % (
        sec, usec, os.getpid(), next(_deliveries), os.urandom(4).hex(), host,
        size, size)


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
                 env=None, plugin_dir=None, store="maildir", conf=None,
                 bin=None, accounts=None, pop3d="", testplugins=False,
                 share=None, args=()):
        """BIN: the handler (default $CARTERO_BIN); ACCOUNTS: a dict
        address -> password: adds the [pop3d]/[plugin testauth] sections
        (POP3D: more lines for [pop3d]), writes the users file, makes each
        maildrop and implies TESTPLUGINS (plugin_dir is then a temp folder
        with the real and the test plugins).  SHARE: a Server whose folder
        and configuration this one serves too (see sibling()).  ARGS:
        handler options put before -c (e.g. ("--lmtp",))."""
        assert launcher in LAUNCHERS, launcher
        self.launcher = launcher
        self.bin_args = list(args)
        self.bin = os.path.join(ROOT, bin) if bin else BIN
        self.env = dict(env or {})
        self.proc = None
        self.port = None
        self.owner = share is None
        if share is not None:
            self.tmp, self.conf = share.tmp, share.conf
            self.users_file = share.users_file
            self.logpath = os.path.join(self.tmp, "log-%s-%s-%d" % (
                os.path.basename(self.bin), launcher, len(_servers)))
            _servers.append(self)
            return
        self.tmp = tempfile.mkdtemp(prefix="cartero-e2e-")
        self.conf = os.path.join(self.tmp, "cartero.conf")
        self.logpath = os.path.join(self.tmp, "log")
        self.users_file = os.path.join(self.tmp, "users")
        if accounts is not None:
            testplugins = True
        if testplugins and conf is None:
            plugin_dir = make_plugin_dir(os.path.join(self.tmp, "plugins"),
                                         plugin_dir)
        if conf is None:
            conf = BASE_CONF.format(plugins=plugin_dir or PLUGINS,
                                    store=store)
            if accounts is not None:
                conf += POP3_CONF.format(pop3d=pop3d_section(pop3d))
            conf += conf_extra
        with open(self.conf, "w") as f:
            f.write(conf)
        for u in users:
            self.add_user(u)
        if accounts is not None:
            open(self.users_file, "a").close()
            for addr, pw in accounts.items():
                self.add_account(addr, pw)
        _servers.append(self)

    def sibling(self, bin, launcher=None, env=None, args=()):
        """Another handler (BIN, e.g. POP3_BIN) over this configuration and
        Maildir tree, on its own port; its log is its own file.  ARGS:
        its options (e.g. ("--lmtp",))."""
        return Server(launcher or self.launcher, bin=bin,
                      env=dict(self.env, **(env or {})), share=self,
                      args=args)

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

    def add_account(self, address, password):
        """A POP3 login (a users-file line) and its maildrop."""
        with open(self.users_file, "a") as f:
            f.write("%s:%s\n" % (address, password))
        self.add_user(spec_of(address))

    def put_message(self, spec, data, sub="new", flags="", when=None,
                    name=None):
        """Stores DATA in SPEC's maildrop as a delivery would (written in
        tmp/, then linked into SUB/), named like cartero's maildir store
        (,S= and ,W= are len(DATA): give CRLF data) unless NAME is given.
        FLAGS: for cur/, the ':2,' info.  Returns the path."""
        self.add_user(spec)
        name = name or maildir_name(len(data), when)
        if sub == "cur":
            name += ":2," + flags
        d = self.maildrop(spec)
        tmp = os.path.join(d, "tmp", name.split(":")[0])
        with open(tmp, "wb") as f:
            f.write(data)
        path = os.path.join(d, sub, name)
        os.link(tmp, path)
        os.unlink(tmp)
        return path

    def all_files(self, spec):
        """SPEC's messages in new/ and cur/, in POP3 order (by name)."""
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.maildrop(spec), sub)
            if os.path.isdir(d):
                out += [os.path.join(d, f) for f in os.listdir(d)
                        if not f.startswith(".")]
        return sorted(out, key=os.path.basename)

    def snapshot(self, spec):
        """{base name without ':2,...' : bytes} of SPEC's new/ and cur/."""
        out = {}
        for p in self.all_files(spec):
            with open(p, "rb") as f:
                out[os.path.basename(p).split(":")[0]] = f.read()
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
            return a + [self.bin] + self.bin_args + ["-c", self.conf]
        return ["tcpserver", "-q", "-H", "-R", "-l", "0", HOST, str(port),
                self.bin] + self.bin_args + ["-c", self.conf]

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
        """Stops; the owner of the folder also removes it (and stops the
        siblings that serve it)."""
        self.stop()
        if getattr(self, "owner", True):
            for other in _servers:
                if other is not self and other.tmp == self.tmp:
                    other.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def handlers(self):
        """Live handler pids (children of the launcher running BIN)."""
        if self.proc is None:
            return []
        exe = os.path.realpath(self.bin)
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


class Pop3Server(Server):
    """cartero-pop3d ($CARTERO_POP3_BIN) with the testauth plugin:
    ACCOUNTS maps address -> password (default: none yet; add_account())."""

    def __init__(self, launcher="socket-activate", accounts=None, **kw):
        kw.setdefault("bin", POP3_BIN)
        Server.__init__(self, launcher, accounts=dict(accounts or {}), **kw)


SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "event=bug")


def check_handlers_clean(srv, need=("event=connect", "event=disconnect")):
    """After the cases: no handler left running, no sanitizer report or
    event=bug in the log, each NEED in it, and (systemd-socket-activate
    logs them) every handler exited 0."""
    check(srv.wait_idle(), "handlers still running: %r" % srv.handlers())
    log = srv.logtext()
    for bad in SANITIZER_MARKS:
        check(bad not in log, "log has %r" % bad)
    for want in need:
        check(want in log, "log lacks %r" % want)
    if srv.launcher == "socket-activate":
        codes = wait_for(lambda: len(srv.child_exits()) >=
                         srv.logtext().count("Spawned "), TIMEOUT) and \
            srv.child_exits()
        check(codes and all(c == 0 for c in codes),
              "handler exit codes %r" % codes)


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


def openssl_in(folder, *args):
    """openssl ARGS run in FOLDER (a throw-away PKI); fails the case with
    openssl's output when it fails."""
    try:
        p = subprocess.run(("openssl",) + args, cwd=folder, timeout=TIMEOUT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failure("openssl %s timed out" % args[0])
    check(p.returncode == 0, "openssl %s: %s" % (
        " ".join(args), p.stdout.decode("utf-8", "replace")))


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
