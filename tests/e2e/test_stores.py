#!/usr/bin/env python3
# ISC license.
# End-to-end hand-off stores: the lmtp store in front of a real Dovecot LMTP
# server, the smtp store relaying to Postfix's smtp-sink(1) and to a second
# cartero-smtpd (STARTTLS, AUTH PLAIN), routing by [domain NAME] (exact,
# "*.parent" wildcards, [relay]), and what the client hears when a next hop
# fails: at RCPT (dead, silent, refusing), after DATA (all or nothing, the
# local copies undone, event=hand-off-partial), in --lmtp mode one reply per
# recipient.  Every server is started here on loopback with a temporary
# configuration and stopped at the end; every wait is bounded.
#
# The servers:
#   dovecot     dovecot -F -c CONF: protocols = lmtp, an inet listener on a
#               free port and the unix one in its base_dir, users from a
#               passwd-file (carol, dave @dove.test, erin @dove-unix.test),
#               Maildirs under its temp folder owned by nobody (as root)
#   smtp-sink   -d DIR/%M. dumps each message (LF line ends, its own
#               X-*/Received lines first); -r/-f with -b/-B make it answer
#               4xx/5xx to a command, -W .:2 makes it slow after the data
#   smart-tls   cartero-smtpd with [tls] and RELAYCLIENT, [relay] maildir
#   smart-auth  cartero-smtpd with auth = passwd ({PLAIN} users), AUTH in
#               cleartext from 127.0.0.1, [tls], [relay] maildir (relaying
#               needs AUTH)
#   stubs       tiny LMTP/SMTP servers in threads here: scripted replies
#               after DATA, silent after DATA, or silent from the start
#   front       the cartero-smtpd under test: one configuration routing
#               each test domain to one of the above; siblings with
#               RELAYCLIENT and with --lmtp
# The mbox leg of the routing case runs when $CARTERO_PLUGINS/mbox.so
# exists.
import atexit
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, PLUGINS, TIMEOUT,  # noqa: E402
                         Failure, Raw, Reporter, Server, check, openssl_in,
                         check_handlers_clean, free_port, listening,
                         received, strip_trace, wait_for)

R = Reporter()
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
AS_ROOT = os.getuid() == 0
# Who Dovecot and smtp-sink run as: as root, an unprivileged user (both
# refuse to deliver or dump as root); else ourselves.
RUN_USER = "nobody" if AS_ROOT else pwd.getpwuid(os.getuid()).pw_name
RUN_GROUP = (grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name if AS_ROOT
             else grp.getgrgid(os.getgid()).gr_name)
HOP_TIMEOUT = 2         # timeout = of the dead and silent hops
SENDER = "sender@client.example"
PKI = tempfile.mkdtemp(prefix="cartero-e2e-pki-")
HAS_MBOX = os.path.exists(os.path.join(PLUGINS, "mbox.so"))


# -- processes the test starts ------------------------------------------------
_daemons = []


@atexit.register
def _stop_all():
    for d in _daemons:
        try:
            d.stop()
        except Exception:
            pass
    shutil.rmtree(PKI, ignore_errors=True)


class Daemon:
    """A server program in a session of its own in a temp folder; stopped
    by its process group id (TERM, then KILL), the folder removed."""

    def __init__(self, prefix):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.tmp, 0o755)       # RUN_USER walks through it
        self.logpath = os.path.join(self.tmp, "out")
        self.proc = None
        _daemons.append(self)

    def spawn(self, argv, ready):
        """Starts ARGV; bounded wait until READY() or it exited."""
        with open(self.logpath, "ab") as log:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                cwd=self.tmp, start_new_session=True)
        ok = wait_for(lambda: ready() or self.proc.poll() is not None,
                      TIMEOUT)
        return bool(ok) and self.proc.poll() is None

    def kill(self):
        """TERM to the process group, KILL if it lingers; bounded."""
        if self.proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None

    def stop(self):
        self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def logtext(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


DOVECOT_CONF = """protocols = lmtp
listen = 127.0.0.1
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
ssl = no
default_login_user = {user}
default_internal_user = {user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = {tmp}/users
}}
userdb {{
  driver = passwd-file
  args = {tmp}/users
  default_fields = uid={user} gid={group} home={tmp}/home/%u
}}
mail_location = maildir:{tmp}/mail/%u
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""


class Dovecot(Daemon):
    """dovecot -F with LMTP only, on 127.0.0.1:port and unix:socket."""

    def __init__(self, users):
        Daemon.__init__(self, "cartero-e2e-dovecot-")
        for d in ("run", "state", "mail", "home"):
            os.makedirs(os.path.join(self.tmp, d))
        for d in ("mail", "home"):
            shutil.chown(os.path.join(self.tmp, d), RUN_USER, RUN_GROUP)
        with open(os.path.join(self.tmp, "users"), "w") as f:
            for u in users:
                f.write("%s:{PLAIN}unused::::::\n" % u)
        self.conf = os.path.join(self.tmp, "dovecot.conf")
        self.socket = os.path.join(self.tmp, "run", "lmtp")

    def start(self):
        for _ in range(3):              # the port may be taken meanwhile
            self.port = free_port()
            with open(self.conf, "w") as f:
                f.write(DOVECOT_CONF.format(tmp=self.tmp, port=self.port,
                                            user=RUN_USER, group=RUN_GROUP))
            if self.spawn([DOVECOT, "-F", "-c", self.conf],
                          lambda: listening(self.port) and
                          os.path.exists(self.socket)):
                return self
            self.kill()
        raise Failure("dovecot did not listen:\n%s" % self.logtext())

    def messages(self, user):
        d = os.path.join(self.tmp, "mail", user, "new")
        if not os.path.isdir(d):
            return []
        out = []
        for p in sorted((os.path.join(d, f) for f in os.listdir(d)),
                        key=lambda p: (os.stat(p).st_mtime_ns, p)):
            with open(p, "rb") as f:
                out.append(f.read())
        return out

    def logtext(self):
        out = Daemon.logtext(self)
        try:
            with open(os.path.join(self.tmp, "dovecot.log"), "rb") as f:
                out += f.read().decode("utf-8", "replace")
        except OSError:
            pass
        return out


class Sink(Daemon):
    """Postfix's smtp-sink dumping each message to a file of its own."""

    def __init__(self, *opts):
        Daemon.__init__(self, "cartero-e2e-sink-")
        self.dumps = os.path.join(self.tmp, "dumps")
        os.makedirs(self.dumps)
        shutil.chown(self.dumps, RUN_USER, RUN_GROUP)
        self.opts = list(opts)

    def start(self):
        user = ["-u", RUN_USER] if AS_ROOT else []
        for _ in range(3):
            self.port = free_port()
            if self.spawn([SMTP_SINK] + user + self.opts +
                          ["-d", self.dumps + "/%M.",
                           "%s:%d" % (HOST, self.port), "100"],
                          lambda: listening(self.port)):
                return self
            self.kill()
        raise Failure("smtp-sink did not listen:\n%s" % self.logtext())

    def files(self):
        return sorted((os.path.join(self.dumps, f)
                       for f in os.listdir(self.dumps)),
                      key=lambda p: (os.stat(p).st_mtime_ns, p))

    def wait_dumps(self, n):
        """Bounded wait for N dumps, each complete (the message ends with
        a line break, the dump with one empty line more); their bytes."""
        def done():
            out = []
            for p in self.files():
                with open(p, "rb") as f:
                    out.append(f.read())
            return out if len(out) >= n and all(
                d.endswith(b"\n\n") for d in out) else None
        return wait_for(done, TIMEOUT) or []


def sink_parts(dump):
    """A dump -> (envelope {X-Mail-Args: [...], X-Rcpt-Args: [...]}, the
    message as it came, LF line ends).  smtp-sink writes its X- lines and
    a folded Received of its own first, and an empty line last."""
    lines = dump.split(b"\n")
    env = {}
    i = 0
    while i < len(lines) and not lines[i].startswith(b"Received: "):
        k, _, v = lines[i].partition(b": ")
        env.setdefault(k.decode(), []).append(v.decode())
        i += 1
    check(i < len(lines), "no smtp-sink Received in dump %r" % dump[:300])
    i += 1
    while i < len(lines) and lines[i][:1] == b"\t":
        i += 1
    rest = b"\n".join(lines[i:])
    check(rest.endswith(b"\n\n"), "dump does not end in an empty line")
    return env, rest[:-1]


class Stub:
    """A tiny LMTP or SMTP server in threads: 250 to everything but what
    DATA_REPLIES scripts (LMTP: one per recipient, the last repeated);
    SILENT: accepts and never says a word; MUTE_AFTER_DATA: takes the
    message and never answers it."""

    def __init__(self, lmtp=True, data_replies=("250 2.0.0 stored",),
                 silent=False, mute_after_data=False):
        self.lmtp = lmtp
        self.data_replies = list(data_replies)
        self.silent = silent
        self.mute_after_data = mute_after_data
        self.messages = []      # (sender, [rcpts], data)
        self.conns = []
        self.is_done = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        _daemons.append(self)

    def _accept(self):
        while not self.is_done.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _hold(self, c):
        """Says nothing until the peer goes (bounded)."""
        c.settimeout(0.2)
        deadline = time.monotonic() + TIMEOUT * 3
        while not self.is_done.is_set() and time.monotonic() < deadline:
            try:
                if c.recv(4096) == b"":
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def _serve(self, c):
        try:
            if self.silent:
                self._hold(c)
                return
            c.settimeout(TIMEOUT * 3)
            f = c.makefile("rb")
            c.sendall(b"220 stub.example ready\r\n")
            sender, rcpts = None, []
            while True:
                line = f.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"LHLO", b"EHLO", b"HELO"):
                    c.sendall(b"250-stub.example\r\n250 PIPELINING\r\n")
                elif verb == b"MAIL":
                    sender, rcpts = line[10:].strip(), []
                    c.sendall(b"250 2.1.0 ok\r\n")
                elif verb == b"RCPT":
                    rcpts.append(line[8:].strip().decode())
                    c.sendall(b"250 2.1.5 ok\r\n")
                elif verb == b"DATA":
                    c.sendall(b"354 go on\r\n")
                    data = []
                    while True:
                        l = f.readline()
                        if not l or l == b".\r\n":
                            break
                        data.append(l[1:] if l.startswith(b".") else l)
                    self.messages.append((sender, rcpts, b"".join(data)))
                    if self.mute_after_data:
                        self._hold(c)
                        return
                    n = len(rcpts) if self.lmtp else 1
                    for i in range(n):
                        r = self.data_replies[min(i,
                                                  len(self.data_replies) - 1)]
                        c.sendall(r.encode() + b"\r\n")
                    sender, rcpts = None, []
                elif verb == b"QUIT":
                    c.sendall(b"221 2.0.0 bye\r\n")
                    return
                else:
                    c.sendall(b"250 2.0.0 ok\r\n")
        except OSError:
            pass
        finally:
            c.close()

    def stop(self):
        self.is_done.set()
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass

    def logtext(self):
        return ""


# -- the throw-away PKI (as in test_tls.py) -----------------------------------
EXT = """[srv]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:smart.example.test, IP:127.0.0.1
"""


def openssl(*args):
    openssl_in(PKI, *args)


def make_pki():
    """ca, other-ca, and server.crt (smart.example.test, 127.0.0.1) signed
    by ca.  EC P-256: fast."""
    with open(os.path.join(PKI, "ext.cnf"), "w") as f:
        f.write(EXT)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes")
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", *ec, "-keyout", ca + ".key", "-out",
                ca + ".crt", "-days", "2", "-subj", "/CN=%s" % ca)
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=smart.example.test")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey",
            "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2",
            "-extfile", "ext.cnf", "-extensions", "srv")


def pki(name):
    return os.path.join(PKI, name)


# -- the smarthosts and the front ---------------------------------------------
SMART_CONF = """hostname = smart.example.test
plugin_dir = {plugins}

[tls]
cert = {cert}
key = {key}

[relay]
store = maildir
path = relay/%d/%u
{extra}"""

SMART_AUTH = """
[smtpd]
auth = passwd
auth_cleartext_from = 127.0.0.1
auth_delay = 20

[plugin passwd]
file = passwd
argon2_ops = 1
argon2_mem = 8192
"""
AUTH_USER, AUTH_PW = "front@relay.example", "relay s3cret"


def relayed(srv, address):
    """Messages a smarthost stored for ADDRESS ([relay] maildir)."""
    local, _, dom = address.rpartition("@")
    d = os.path.join(srv.tmp, "relay", dom, local, "new")
    out = []
    if os.path.isdir(d):
        for p in sorted(os.listdir(d)):
            with open(os.path.join(d, p), "rb") as f:
                out.append(f.read())
    return out


def front_conf(h):
    """The front's configuration: H maps names to ports and folders."""
    hop = lambda store, addr, extra="": (
        "store = %s\naddress = %s\n%s" % (store, addr, extra))
    tcp = lambda port: "%s:%d" % (HOST, port)
    to = "timeout = %d\n" % HOP_TIMEOUT
    verify = "tls_verify = yes\nca = %s\n" % pki("ca.crt")
    domains = [
        ("example.test", "store = maildir\npath = mail/%d/%u\n"),
        ("*.example.test", "store = maildir\npath = wild/%d/%u\n"),
        ("*.wild.test", "store = maildir\npath = wild/%d/%u\n"),
        ("exact.wild.test", "store = maildir\npath = mail/%d/%u\n"),
        ("dove.test", hop("lmtp", tcp(h["dove"]), "timeout = 10\n")),
        ("dove-unix.test", hop("lmtp", "unix:" + h["dove_unix"])),
        ("sink.test", hop("smtp", tcp(h["sink"]))),
        ("rcpt451.test", hop("smtp", tcp(h["rcpt451"]))),
        ("rcpt550.test", hop("smtp", tcp(h["rcpt550"]))),
        ("data451.test", hop("smtp", tcp(h["data451"]))),
        ("slow.test", hop("smtp", tcp(h["slow"]))),
        ("tlsreq.test", hop("smtp", tcp(h["sink"]), "tls = require\n")),
        ("tls.test", hop("smtp", tcp(h["smart_tls"]),
                         "tls = require\nhelo = relay.front.test\n" +
                         verify)),
        ("tlsauto.test", hop("smtp", tcp(h["smart_tls"]))),
        ("tlsno.test", hop("smtp", tcp(h["smart_tls"]), "tls = no\n")),
        ("tlsbadca.test", hop("smtp", tcp(h["smart_tls"]),
                              "tls_verify = yes\nca = %s\n" %
                              pki("other-ca.crt"))),
        ("auth.test", hop("smtp", tcp(h["smart_auth"]),
                          "tls = no\nuser = %s\npassword = %s\n" %
                          (AUTH_USER, AUTH_PW))),
        ("authtls.test", hop("smtp", tcp(h["smart_auth"]),
                             "tls = require\nuser = %s\npassword = %s\n" %
                             (AUTH_USER, AUTH_PW) + verify)),
        ("authbad.test", hop("smtp", tcp(h["smart_auth"]),
                             "tls = no\nuser = %s\npassword = wrong\n" %
                             AUTH_USER)),
        ("authnone.test", hop("smtp", tcp(h["smart_auth"]), "tls = no\n")),
        ("deadlmtp.test", hop("lmtp", tcp(h["dead"]), to)),
        ("deadunix.test", hop("lmtp", "unix:" + h["dead_unix"], to)),
        ("deadsmtp.test", hop("smtp", tcp(h["dead"]), to)),
        ("silentlmtp.test", hop("lmtp", tcp(h["silent"]), to)),
        ("silentsmtp.test", hop("smtp", tcp(h["silent"]), to)),
        ("muteafter.test", hop("lmtp", tcp(h["mute_after"]), to)),
        ("stub451.test", hop("lmtp", tcp(h["stub451"]))),
        ("stub554.test", hop("lmtp", tcp(h["stub554"]))),
        ("stubmix.test", hop("lmtp", tcp(h["stubmix"]))),
    ]
    if HAS_MBOX:
        domains.append(("mbox.test", "store = mbox\npath = mbox/%d/%u\n"))
    out = "hostname = mx.example.test\nplugin_dir = %s\n" % PLUGINS
    for name, body in domains:
        out += "\n[domain %s]\n%s" % (name, body)
    out += "\n[relay]\n" + hop("smtp", tcp(h["sink"]))
    return out


# -- a client -----------------------------------------------------------------
def dot_stuff(msg):
    return b"".join(b"." + l if l.startswith(b".") else l
                    for l in msg.splitlines(keepends=True))


class Client:
    """One SMTP (or LMTP) session through Raw: per-command replies."""

    def __init__(self, port, lmtp=False, helo="client.example"):
        self.lmtp = lmtp
        self.c = Raw(port)
        self.c.expect(220, "greeting")
        self.cmd("%s %s" % ("LHLO" if lmtp else "EHLO", helo), 250)

    def cmd(self, line, want=None):
        self.c.send(line.encode() + b"\r\n")
        code, lines = self.c.reply()
        if want is not None:
            check(code == want, "%s: expected %d, got %r" % (line, want,
                                                             lines))
        return code, lines

    def mail(self, sender=SENDER):
        return self.cmd("MAIL FROM:<%s>" % sender, 250)

    def rcpt(self, address):
        return self.cmd("RCPT TO:<%s>" % address)

    def data(self, msg, n=1):
        """Sends MSG; N replies (LMTP: one per accepted recipient)."""
        self.cmd("DATA", 354)
        self.c.send(dot_stuff(msg) + b".\r\n")
        return [self.c.reply() for _ in range(n)]

    def quit(self):
        try:
            self.c.send(b"QUIT\r\n")
            self.c.reply()
        except (OSError, Failure):
            pass
        self.c.close()


def send(port, rcpts, msg, lmtp=False):
    """One transaction: {rcpt: (code, lines)}, and the DATA replies (none
    when no recipient was taken)."""
    cl = Client(port, lmtp=lmtp)
    try:
        cl.mail()
        said = {r: cl.rcpt(r) for r in rcpts}
        n = sum(1 for c, _ in said.values() if c == 250)
        replies = cl.data(msg, n if lmtp else 1) if n else []
        return said, replies
    finally:
        cl.quit()


def codes(said):
    return {r: c for r, (c, _) in said.items()}


def message(subject, body=b"Hello there.\r\n"):
    return (b"From: <%s>\r\nTo: <someone@example.test>\r\nSubject: %s\r\n"
            b"Message-ID: <%s@client.example>\r\n\r\n" %
            (SENDER.encode(), subject.encode(), os.urandom(6).hex().encode())
            + body)


def tricky_body(n=4000):
    """Lines that need dot-stuffing, a lone dot, a long line, and enough of
    them to cross the 64 KiB chunks the hop writes."""
    out = [b".leading dot\r\n", b"..two dots\r\n", b".\r\n", b"x" * 990 +
           b"\r\n", b"tab\tand trailing space \r\n"]
    for i in range(n):
        out.append(b"%s line %d of the big part\r\n" % (
            b"." if i % 3 == 0 else b"", i))
    return b"".join(out)


def lf(data):
    return data.replace(b"\r\n", b"\n")


def take_field(msg, name):
    """Splits the first header field of MSG (LF text), which must be NAME,
    with its folds: (field, rest)."""
    check(msg.startswith(name + b":"), "expected %r first, got %r" % (
        name, msg[:120]))
    lines = msg.split(b"\n")
    i = 1
    while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
        i += 1
    return b"\n".join(lines[:i]), b"\n".join(lines[i:])


def dovecot_parts(msg):
    """Dovecot's Return-Path, Delivered-To (only when the transaction had
    one recipient, else None) and Received, then the rest."""
    rp, rest = take_field(msg, b"Return-Path")
    dt = None
    if rest.startswith(b"Delivered-To:"):
        dt, rest = take_field(rest, b"Delivered-To")
    rc, rest = take_field(rest, b"Received")
    return rp, dt, rc, rest


def wild_files(srv, address):
    local, _, dom = address.rpartition("@")
    d = os.path.join(srv.tmp, "wild", dom, local, "new")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def make_wild(srv, address):
    local, _, dom = address.rpartition("@")
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(srv.tmp, "wild", dom, local, sub),
                    exist_ok=True)


def maildir_all(srv, spec):
    """Every file in SPEC's tmp/ and new/ (nothing may be left behind)."""
    out = []
    for sub in ("tmp", "new"):
        d = os.path.join(srv.maildrop(spec), sub)
        if os.path.isdir(d):
            out += [os.path.join(sub, f) for f in os.listdir(d)]
    return out


def timed_rcpt(port, rcpt):
    """(code, lines, seconds) for RCPT RCPT in a fresh session."""
    cl = Client(port)
    try:
        cl.mail()
        t0 = time.monotonic()
        code, lines = cl.rcpt(rcpt)
        return code, lines, time.monotonic() - t0
    finally:
        cl.quit()


class Logs:
    """What a failing case shows: NAME=server pairs' logs, each headed by
    its name and cut to its last lines (the reporter shows the end)."""

    def __init__(self, **parts):
        self.parts = parts

    def logtext(self):
        out = []
        for name, p in self.parts.items():
            t = [l for l in p.logtext().splitlines() if not l.startswith(
                ("Communication attempt", "Connection from", "Spawned ",
                 "Execing ", "Child "))]
            if t:
                out.append("== %s" % name)
                out += t[-20:]
        return "\n".join(out)


# -- the cases ----------------------------------------------------------------
def main():
    make_pki()
    dove = Dovecot(["carol@dove.test", "dave@dove.test",
                    "erin@dove-unix.test"]).start()
    sink = Sink().start()
    sinks = {
        "rcpt451": Sink("-r", "RCPT", "-b", "451 4.3.2 sink says later for "
                        "this one").start(),
        "rcpt550": Sink("-f", "RCPT", "-B", "550 5.1.1 sink knows no such "
                        "user").start(),
        "data451": Sink("-r", ".", "-b", "451 4.3.0 sink queue is "
                        "full").start(),
        "slow": Sink("-W", ".:2").start(),
    }
    stubs = {
        "silent": Stub(silent=True),
        "mute_after": Stub(mute_after_data=True),
        "stub451": Stub(data_replies=("451 4.2.0 stub mailbox busy",)),
        "stub554": Stub(data_replies=("554 5.6.0 stub hates this "
                                      "message",)),
        "stubmix": Stub(data_replies=("250 2.0.0 stored",
                                      "452 4.2.2 stub mailbox full")),
    }
    smart_tls = Server(conf=SMART_CONF.format(
        plugins=PLUGINS, cert=pki("server.crt"), key=pki("server.key"),
        extra=""), env={"RELAYCLIENT": ""}).start()
    smart_auth = Server(conf=SMART_CONF.format(
        plugins=PLUGINS, cert=pki("server.crt"), key=pki("server.key"),
        extra=SMART_AUTH))
    with open(os.path.join(smart_auth.tmp, "passwd"), "w") as f:
        f.write("%s:{PLAIN}%s\n" % (AUTH_USER, AUTH_PW))
    smart_auth.start()
    dead_port = free_port()             # nothing listens there
    h = {"dove": dove.port, "dove_unix": dove.socket, "sink": sink.port,
         "smart_tls": smart_tls.port, "smart_auth": smart_auth.port,
         "dead": dead_port, "dead_unix": os.path.join(PKI, "no-such.sock")}
    h.update({k: s.port for k, s in sinks.items()})
    h.update({k: s.port for k, s in stubs.items()})
    front = Server(conf=front_conf(h), users=["example.test/alice",
                                              "exact.wild.test/frank"])
    for a in ("gina@sub.example.test", "hal@a.b.example.test",
              "ivy@sub.wild.test"):
        make_wild(front, a)
    if HAS_MBOX:
        os.makedirs(os.path.join(front.tmp, "mbox", "mbox.test"))
        open(os.path.join(front.tmp, "mbox", "mbox.test", "kim"), "w").close()
    front.start()
    front_rc = front.sibling(BIN, env={"RELAYCLIENT": ""}).start()
    front_lmtp = front.sibling(BIN, args=("--lmtp",)).start()
    fronts = (front, front_rc, front_lmtp)
    logs = Logs(dovecot=dove, smart_tls=smart_tls, smart_auth=smart_auth,
                front_rc=front_rc, front_lmtp=front_lmtp, front=front)

    # 1. the lmtp store in front of Dovecot ----------------------------------
    def lmtp_good_and_unknown():
        msg = message("to dovecot", tricky_body(50))
        said, replies = send(front.port, ["nobody@dove.test",
                                          "carol@dove.test"], msg)
        c, lines = said["nobody@dove.test"]
        check(c == 550 and "5.1.1" in lines[-1] and "nobody@dove.test" in
              lines[-1], "unknown user at RCPT: %r" % lines)
        check(said["carol@dove.test"][0] == 250, "carol: %r" %
              (said["carol@dove.test"],))
        check([r[0] for r in replies] == [250], "DATA: %r" % replies)
        got = dove.messages("carol@dove.test")
        check(len(got) == 1, "dovecot has %d messages for carol, want 1 "
              "(and at once: the 250 came after Dovecot's)" % len(got))
        check(not dove.messages("nobody@dove.test"), "nobody got mail")
        rp, dt, rc, rest = dovecot_parts(got[0])
        check(rp == b"Return-Path: <%s>" % SENDER.encode(), "rp %r" % rp)
        check(dt == b"Delivered-To: carol@dove.test", "dt %r" % dt)
        check(b"from mx.example.test ([127.0.0.1])" in rc and b"LMTP" in rc,
              "dovecot's Received: %r" % rc)
        ours, body = take_field(rest, b"Received")
        check(b"Return-Path" not in rest.split(b"\n\n")[0],
              "cartero's Return-Path went to the next hop")
        ours = ours.replace(b"\n\t", b" ")
        check(ours.startswith(b"Received: from client.example ([127.0.0.1])"
                              b" by mx.example.test (cartero) with ESMTP "
                              b"id ") and b"for <carol@dove.test>" in ours,
              "cartero's Received: %r" % ours)
        check(body == lf(msg), "body differs:\n%r\n%r" % (body[:300],
                                                          lf(msg)[:300]))
    R.case("lmtp: Dovecot refuses an unknown user at RCPT (550 5.1.1), "
           "stores the other byte for byte", lmtp_good_and_unknown, logs)

    def lmtp_unix():
        said, replies = send(front.port, ["erin@dove-unix.test"],
                             message("over a unix socket"))
        check(codes(said) == {"erin@dove-unix.test": 250}, "rcpt %r" % said)
        check([r[0] for r in replies] == [250], "DATA: %r" % replies)
        check(len(dove.messages("erin@dove-unix.test")) == 1, "not stored")
    R.case("lmtp: address = unix:PATH (Dovecot's socket)", lmtp_unix, logs)

    def lmtp_hop_with_no_rcpt():
        before = len(dove.messages("carol@dove.test"))
        msg = message("local only")
        n = len(front.messages("example.test/alice"))
        said, replies = send(front.port, ["nobody@dove.test",
                                          "a@rcpt550.test",
                                          "alice@example.test"], msg)
        check(codes(said) == {"nobody@dove.test": 550, "a@rcpt550.test": 550,
                              "alice@example.test": 250}, "rcpt %r" % said)
        check([r[0] for r in replies] == [250], "DATA: %r" % replies)
        check(len(front.messages("example.test/alice")) == n + 1,
              "alice: not stored")
        check(len(dove.messages("carol@dove.test")) == before, "dovecot?")
    R.case("lmtp, smtp: a hop whose every recipient was refused gets no "
           "DATA and spoils nothing", lmtp_hop_with_no_rcpt, logs)

    def lmtp_mode_front():
        msg = message("lmtp in front")
        before = len(front.messages("example.test/alice"))
        cl = Client(front_lmtp.port, lmtp=True)
        try:
            cl.mail()
            got = [cl.rcpt(r)[0] for r in (
                "carol@dove.test", "nobody@dove.test", "alice@example.test",
                "dave@dove.test")]
            check(got == [250, 550, 250, 250], "RCPT replies %r" % got)
            replies = cl.data(msg, 3)
            check([r[0] for r in replies] == [250, 250, 250],
                  "one reply per recipient: %r" % replies)
            # Mixed answers of one hop map to their recipients, in order.
            cl.mail()
            got = [cl.rcpt(r)[0] for r in ("p@stubmix.test",
                                           "alice@example.test",
                                           "q@stubmix.test")]
            check(got == [250, 250, 250], "RCPT replies %r" % got)
            replies = cl.data(message("mixed"), 3)
            check([r[0] for r in replies] == [250, 250, 452],
                  "per-recipient replies %r" % replies)
            check("4.2.2" in replies[2][1][-1] and "stub mailbox full" in
                  replies[2][1][-1], "the hop's text: %r" % replies[2][1])
        finally:
            cl.quit()
        check(len(dove.messages("dave@dove.test")) == 1, "dave: not stored")
        check(len(front.messages("example.test/alice")) == before + 2,
              "alice: each LMTP recipient stands alone")
    R.case("lmtp: --lmtp in front of an lmtp store, one reply per "
           "recipient", lmtp_mode_front, logs)

    # 2. the smtp store: smtp-sink and a cartero smarthost ------------------
    def relay_byte_exact():
        msg = message("relayed", tricky_body())
        before = len(front.messages("example.test/alice"))
        n = len(sink.files())
        t0 = time.monotonic()
        said, replies = send(front.port, ["alice@example.test",
                                          "dan@sink.test", "eve@sink.test"],
                             msg)
        check(set(codes(said).values()) == {250}, "rcpt %r" % said)
        check([r[0] for r in replies] == [250], "DATA: %r" % replies)
        dumps = sink.wait_dumps(n + 1)
        check(len(dumps) == n + 1, "sink has %d new dumps, want 1" %
              (len(dumps) - n))
        env, got = sink_parts(dumps[-1])
        check(env.get("X-Rcpt-Args") == ["<dan@sink.test>",
                                         "<eve@sink.test>"],
              "one transaction with both recipients: %r" % env)
        check(env.get("X-Mail-Args") == ["<%s>" % SENDER], "MAIL %r" % env)
        check(env.get("X-Helo-Args") == ["mx.example.test"], "EHLO %r" % env)
        local = front.messages("example.test/alice")[before]
        check(local.startswith(b"Return-Path: "), "local copy %r" %
              local[:80])
        check(got == lf(local.split(b"\r\n", 1)[1]),
              "the relayed bytes differ from the local copy less its "
              "Return-Path")
        check(got.split(b"\n\n", 1)[1] == lf(msg.split(b"\r\n\r\n", 1)[1]),
              "body differs")
        return "%.1f KiB in %.2fs" % (len(msg) / 1024.0,
                                      time.monotonic() - t0)
    R.case("smtp: a relayed message reaches smtp-sink byte for byte "
           "(without cartero's Return-Path)", relay_byte_exact, logs)

    def relay_synchronous():
        t0 = time.monotonic()
        said, replies = send(front.port, ["x@slow.test"], message("slow"))
        took = time.monotonic() - t0
        check(codes(said) == {"x@slow.test": 250}, "rcpt %r" % said)
        check([r[0] for r in replies] == [250], "DATA: %r" % replies)
        check(took >= 1.9, "250 after %.2fs: before the smarthost's (2s)" %
              took)
        check(len(sinks["slow"].wait_dumps(1)) == 1, "not at the sink")
    R.case("smtp: 250 only after the smarthost's 250", relay_synchronous,
           logs)

    def relay_refusals():
        said, _ = send(front.port, ["a@rcpt451.test", "alice@example.test"],
                       message("x"))
        c, lines = said["a@rcpt451.test"]
        check(c == 451 and "4.3.2" in lines[-1] and "sink says later" in
              lines[-1], "smarthost's 451 at RCPT: %r" % lines)
        said, _ = send(front.port, ["a@rcpt550.test"], message("x"))
        c, lines = said["a@rcpt550.test"]
        check(c == 550 and "5.1.1" in lines[-1] and "no such user" in
              lines[-1], "smarthost's 550 at RCPT: %r" % lines)
        said, replies = send(front.port, ["a@data451.test"], message("x"))
        check(codes(said) == {"a@data451.test": 250}, "rcpt %r" % said)
        check(len(replies) == 1 and replies[0][0] == 451 and "4.3.0" in
              replies[0][1][-1] and "sink queue is full" in
              replies[0][1][-1], "smarthost's 451 after DATA: %r" % replies)
    R.case("smtp: the smarthost's 4xx/5xx reach the client (RCPT, DATA)",
           relay_refusals, logs)

    def relay_tls_require_plain():
        n = len(sink.files())
        code, lines, _ = timed_rcpt(front.port, "a@tlsreq.test")
        check(code == 451, "tls = require, no STARTTLS: %r" % lines)
        check("does not offer STARTTLS" in front.logtext(), "not logged")
        time.sleep(0.2)
        check(len(sink.files()) == n, "something reached the sink")
    R.case("smtp: tls = require and a smarthost without STARTTLS: 451 at "
           "RCPT", relay_tls_require_plain, logs)

    def relay_starttls():
        msg = message("over tls", tricky_body(20))
        for rcpt, helo, verified in (("a@tls.test", "relay.front.test", 1),
                                     ("b@tlsauto.test", "mx.example.test",
                                      0)):
            said, replies = send(front.port, [rcpt], msg)
            check(codes(said) == {rcpt: 250}, "rcpt %r" % said)
            check([r[0] for r in replies] == [250], "DATA %r" % replies)
            got = relayed(smart_tls, rcpt)
            check(len(got) == 1, "%s: %d messages at the smarthost" %
                  (rcpt, len(got)))
            rc = received(got[0])
            check(("from %s ([127.0.0.1])" % helo) in rc and
                  "(using TLSv1." in rc and "with ESMTPS" in rc,
                  "smarthost's Received: %r" % rc)
            check(strip_trace(strip_trace(got[0])) == msg,
                  "the message changed on the way")
        said, replies = send(front.port, ["c@tlsno.test"], msg)
        check([r[0] for r in replies] == [250], "tls = no: %r" % replies)
        rc = received(relayed(smart_tls, "c@tlsno.test")[0])
        check("using" not in rc and "with ESMTP id" in rc,
              "tls = no went over TLS: %r" % rc)
        code, lines, _ = timed_rcpt(front.port, "d@tlsbadca.test")
        check(code == 451, "a certificate from another CA: %r" % lines)
        check(not relayed(smart_tls, "d@tlsbadca.test"), "relayed anyway")
    R.case("smtp: STARTTLS to a smarthost (verified, auto, no, wrong CA)",
           relay_starttls, logs)

    def relay_auth():
        msg = message("with auth")
        for rcpt, with_ in (("a@auth.test", "with ESMTPA"),
                            ("b@authtls.test", "with ESMTPSA")):
            said, replies = send(front.port, [rcpt], msg)
            check(codes(said) == {rcpt: 250}, "rcpt %r" % said)
            check([r[0] for r in replies] == [250], "DATA %r" % replies)
            got = relayed(smart_auth, rcpt)
            check(len(got) == 1, "%s: %d at the smarthost" % (rcpt,
                                                              len(got)))
            rc = received(got[0])
            check(with_ in rc and "(Authenticated sender: %s)" % AUTH_USER
                  in rc, "smarthost's Received: %r" % rc)
            check(strip_trace(strip_trace(got[0])) == msg, "changed")
        code, lines, _ = timed_rcpt(front.port, "c@authbad.test")
        check(code == 451, "wrong password: %r" % lines)
        check("refused our AUTH" in front.logtext(), "not logged")
        code, lines, _ = timed_rcpt(front.port, "d@authnone.test")
        check(code == 550 and "5.7.1" in lines[-1],
              "no AUTH: the smarthost's relay refusal: %r" % lines)
        check(AUTH_PW not in front.logtext() and AUTH_PW not in
              smart_auth.logtext(), "the password is in a log")
    R.case("smtp: AUTH PLAIN to a smarthost that requires it (ESMTPA, "
           "ESMTPSA; wrong or no password)", relay_auth, logs)

    # 3. routing ---------------------------------------------------------------
    def routing_three_stores():
        msg = message("three stores")
        before = len(front.messages("example.test/alice"))
        nd = {u: len(dove.messages(u)) for u in ("carol@dove.test",
                                                 "dave@dove.test")}
        ns = len(sink.files())
        conns = dove.logtext().count("Connect from")
        rcpts = ["alice@example.test", "carol@dove.test", "dave@dove.test",
                 "fay@sink.test", "gus@sink.test"]
        if HAS_MBOX:
            rcpts.append("kim@mbox.test")
        said, replies = send(front.port, rcpts, msg)
        check(set(codes(said).values()) == {250}, "rcpt %r" % said)
        check([r[0] for r in replies] == [250], "DATA %r" % replies)
        local = front.messages("example.test/alice")
        check(len(local) == before + 1, "maildir: %d new" %
              (len(local) - before))
        bare = local[-1].split(b"\r\n", 1)[1]
        for u in ("carol@dove.test", "dave@dove.test"):
            got = dove.messages(u)
            check(len(got) == nd[u] + 1, "dovecot %s: %d new" %
                  (u, len(got) - nd[u]))
            check(dovecot_parts(got[-1])[3] == lf(bare),
                  "Dovecot's copy differs from the local one")
        check(dove.logtext().count("Connect from") == conns + 1,
              "not one LMTP session for both Dovecot recipients")
        dumps = sink.wait_dumps(ns + 1)
        check(len(dumps) == ns + 1, "sink: %d new" % (len(dumps) - ns))
        env, got = sink_parts(dumps[-1])
        check(env.get("X-Rcpt-Args") == ["<fay@sink.test>",
                                         "<gus@sink.test>"], "sink %r" % env)
        check(got == lf(bare), "the sink's copy differs")
        if not HAS_MBOX:
            return "mbox leg skipped: no %s" % os.path.join(PLUGINS,
                                                            "mbox.so")
        with open(os.path.join(front.tmp, "mbox", "mbox.test", "kim"),
                  "rb") as f:
            mb = f.read()
        check(mb.startswith(b"From ") and mb.count(b"\nFrom ") == 0 and
              b"Subject: three stores" in mb, "mbox: %r" % mb[:200])
        return "maildir, lmtp, smtp and mbox"
    R.case("routing: one message, three stores (maildir, lmtp, smtp), "
           "stored once in each", routing_three_stores, logs)

    def routing_wildcards():
        msg = message("wildcards")
        before = len(front.messages("example.test/alice"))
        said, replies = send(front.port, [
            "gina@sub.example.test", "hal@a.b.example.test",
            "alice@example.test", "frank@exact.wild.test",
            "ivy@sub.wild.test", "bob@wild.test", "nobody@sub.example.test"],
            msg)
        check(codes(said) == {"gina@sub.example.test": 250,
                              "hal@a.b.example.test": 250,
                              "alice@example.test": 250,
                              "frank@exact.wild.test": 250,
                              "ivy@sub.wild.test": 250,
                              "bob@wild.test": 550,
                              "nobody@sub.example.test": 550},
              "rcpt %r" % codes(said))
        check("5.7.1" in said["bob@wild.test"][1][-1],
              "*.wild.test took the bare parent: %r" %
              (said["bob@wild.test"],))
        check("5.1.1" in said["nobody@sub.example.test"][1][-1],
              "wildcard domain, unknown user: %r" %
              (said["nobody@sub.example.test"],))
        check([r[0] for r in replies] == [250], "DATA %r" % replies)
        for a in ("gina@sub.example.test", "hal@a.b.example.test",
                  "ivy@sub.wild.test"):
            check(len(wild_files(front, a)) == 1, "%s: not in wild/" % a)
        check(len(front.messages("example.test/alice")) == before + 1,
              "example.test: the exact section")
        check(len(front.messages("exact.wild.test/frank")) == 1,
              "exact.wild.test: the exact name wins")
        check(not os.path.exists(os.path.join(front.tmp, "wild",
                                              "exact.wild.test")),
              "exact.wild.test went to the wildcard")
    R.case("routing: *.parent catches subdomains, not the parent; exact "
           "names win", routing_wildcards, logs)

    def routing_relay():
        code, lines, _ = timed_rcpt(front.port, "x@elsewhere.example")
        check(code == 550 and "5.7.1" in lines[-1], "no RELAYCLIENT: %r" %
              lines)
        n = len(sink.files())
        said, replies = send(front_rc.port, ["x@elsewhere.example",
                                             "bob@wild.test"],
                             message("relayed"))
        check(set(codes(said).values()) == {250}, "RELAYCLIENT: %r" % said)
        check([r[0] for r in replies] == [250], "DATA %r" % replies)
        dumps = sink.wait_dumps(n + 1)
        check(len(dumps) == n + 1, "nothing reached the relay")
        env, _ = sink_parts(dumps[-1])
        check(env.get("X-Rcpt-Args") == ["<x@elsewhere.example>",
                                         "<bob@wild.test>"], "%r" % env)
    R.case("routing: [relay] takes the rest, only with RELAYCLIENT",
           routing_relay, logs)

    # 4. partial failures ------------------------------------------------------
    def partial_undone():
        for dom, want, status in (("stub451.test", 451, "4.2.0"),
                                  ("stub554.test", 554, "5.6.0")):
            before = maildir_all(front, "example.test/alice")
            said, replies = send(front.port, ["alice@example.test",
                                              "z@" + dom], message(dom))
            check(set(codes(said).values()) == {250}, "rcpt %r" % said)
            check(len(replies) == 1 and replies[0][0] == want and status in
                  replies[0][1][-1], "%s: the hop's refusal: %r" %
                  (dom, replies))
            check(maildir_all(front, "example.test/alice") == before,
                  "%s: the local copy was not undone: %r" %
                  (dom, sorted(set(maildir_all(front, "example.test/alice"))
                               - set(before))))
    R.case("partial: a hop refuses after DATA, the local copy is undone "
           "(451 and 554 reach the client)", partial_undone, logs)

    def partial_two_hops():
        before = maildir_all(front, "example.test/alice")
        nd = len(dove.messages("carol@dove.test"))
        said, replies = send(front.port, ["carol@dove.test",
                                          "alice@example.test",
                                          "z@stub451.test"],
                             message("two hops"))
        check(set(codes(said).values()) == {250}, "rcpt %r" % said)
        check([r[0] for r in replies] == [451], "DATA %r" % replies)
        check(len(dove.messages("carol@dove.test")) == nd + 1,
              "Dovecot took it (a retry may duplicate)")
        check(maildir_all(front, "example.test/alice") == before,
              "the local copy was kept")
        log = front.logtext()
        check("event=hand-off-partial" in log and "taken=1 refused=1" in
              log, "no event=hand-off-partial")
        # One hop, mixed answers: partial too.
        said, replies = send(front.port, ["p@stubmix.test",
                                          "q@stubmix.test"],
                             message("mixed"))
        check([r[0] for r in replies] == [451], "mixed: %r" % replies)
        check(front.logtext().count("event=hand-off-partial") == 2,
              "mixed replies of one hop: no event=hand-off-partial")
    R.case("partial: one hop took it, another refused: 451 and "
           "event=hand-off-partial", partial_two_hops, logs)

    # 5. dead and silent hops ----------------------------------------------------
    def dead_hops():
        out = []
        for rcpt in ("a@deadlmtp.test", "b@deadunix.test",
                     "c@deadsmtp.test"):
            code, lines, took = timed_rcpt(front.port, rcpt)
            check(code == 451, "%s: %r" % (rcpt, lines))
            check(took < HOP_TIMEOUT, "%s: %.2fs" % (rcpt, took))
            out.append("%.2fs" % took)
        check("op=connect" in front.logtext(), "lmtp: connect not logged")
        return " ".join(out)
    R.case("timeout: nothing listening: 451 at RCPT at once", dead_hops,
           logs)

    def silent_hops():
        out = []
        for rcpt in ("a@silentlmtp.test", "b@silentsmtp.test"):
            code, lines, took = timed_rcpt(front.port, rcpt)
            check(code == 451, "%s: %r" % (rcpt, lines))
            check(HOP_TIMEOUT - 0.2 <= took <= HOP_TIMEOUT + 3,
                  "%s: 451 after %.2fs, timeout = %d" % (rcpt, took,
                                                         HOP_TIMEOUT))
            out.append("%.2fs" % took)
        before = maildir_all(front, "example.test/alice")
        cl = Client(front.port)
        try:
            cl.mail()
            check(cl.rcpt("a@muteafter.test")[0] == 250, "mute: rcpt")
            check(cl.rcpt("alice@example.test")[0] == 250, "alice")
            t0 = time.monotonic()
            replies = cl.data(message("never answered"))
            took = time.monotonic() - t0
        finally:
            cl.quit()
        check(replies[0][0] == 451, "no answer after DATA: %r" % replies)
        check(took <= HOP_TIMEOUT + 3, "after DATA: %.2fs" % took)
        check(maildir_all(front, "example.test/alice") == before,
              "local copy kept though the hop never answered")
        out.append("%.2fs" % took)
        return " ".join(out)
    R.case("timeout: a silent hop: 451 within timeout = %d" % HOP_TIMEOUT,
           silent_hops, logs)

    # the end --------------------------------------------------------------------
    def clean():
        for srv in fronts + (smart_tls, smart_auth):
            check_handlers_clean(srv, need=("event=connect",))
        for d in (dove,):
            log = d.logtext()
            check("Fatal" not in log and "Panic" not in log,
                  "dovecot: %s" % log[-500:])
    R.case("handlers exit 0, no sanitizer reports", clean, logs)

    for srv in fronts + (smart_tls, smart_auth):
        srv.cleanup()
    for d in list(_daemons):
        d.stop()
    return R.done()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        R.not_ok("set-up", e)
        sys.exit(1)
