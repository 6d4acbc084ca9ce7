#!/usr/bin/env python3
# ISC license.
# End-to-end tests of the dnsbl filter against a real DNS server: dnsmasq,
# started here on a loopback port and authoritative (--local) for the test
# zones bl.test, ok.test and dbl.test; never the machine's resolver.
#  - IPv4 and IPv6 clients listed and not listed (the handler runs over
#    pipes with TCPREMOTEIP), two lists queried in parallel, answer
#    filters, the 127.255.255.x answers ignored;
#  - RHSBL on the sender domain, the allowlist, postmaster and
#    authenticated clients let through;
#  - a server that never answers ends within the budget with 451 (defer)
#    or 250 (pass), and so does a port where nothing listens;
#  - a real launcher (the peer is 127.0.0.1, listed as 1.0.0.127.bl.test);
#  - under strace: no resolv.conf, hosts or nsswitch file is opened, and
#    the only address connected to is the configured server;
#  - dnsbl.so needs libcares and libc, nothing else.
import base64
import ipaddress
import os
import shutil
import smtplib
import socket
import select
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BASE_CONF, BIN, HOST, LAUNCHERS,  # noqa: E402
                         PLUGINS, SANITIZER_MARKS, TIMEOUT, Failure,
                         Reporter, Server, check, check_handlers_clean,
                         wait_for)

R = Reporter()
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
ZONES = ("bl.test", "ok.test", "dbl.test")


def v6_prefix(ip):
    """The RFC 5782 nibble prefix, from Python's own reverse_pointer."""
    return ipaddress.ip_address(ip).reverse_pointer[:-len(".ip6.arpa")]


RECORDS = {
    "99.2.0.192.bl.test": "127.0.0.2",
    "98.2.0.192.bl.test": "127.0.0.4",
    "97.2.0.192.bl.test": "127.255.255.254",
    "1.0.0.127.bl.test": "127.0.0.2",
    v6_prefix("2001:db8::99") + ".bl.test": "127.0.0.2",
    "spam.example.dbl.test": "127.0.1.2",
}


def needed(so):
    """The NEEDED entries of a shared object, from readelf -d."""
    out = subprocess.run(["readelf", "-d", so], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=TIMEOUT,
                         check=True).stdout.decode()
    return sorted(l.split("[", 1)[1].split("]", 1)[0]
                  for l in out.splitlines() if "(NEEDED)" in l)


def links_only():
    so = os.path.join(PLUGINS, "dnsbl.so")
    libs = [l for l in needed(so) if not l.startswith(("libasan.",
            "libubsan."))]
    want = ["libc", "libcares"]
    check([l.split(".so")[0] for l in libs] == want,
          "%s needs %r, expected %r" % (so, libs, want))


def dns_query(port, name, timeout=0.5):
    """One A query over UDP: the answer's addresses, or None for no
    answer in time.  (Only what the readiness check needs.)"""
    qid = os.getpid() & 0xffff
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(q, (HOST, port))
        r, _, _ = select.select([s], [], [], timeout)
        if not r:
            return None
        data = s.recv(4096)
    except OSError:
        return None
    finally:
        s.close()
    rcode = data[3] & 0xf
    n_answers = struct.unpack(">H", data[6:8])[0]
    if rcode != 0 or n_answers == 0:
        return []
    # The last 4 octets of a one-A answer are the address.
    return [socket.inet_ntoa(data[-4:])]


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


class Dns:
    """dnsmasq on 127.0.0.1:PORT answering RECORDS, NXDOMAIN for any other
    name in ZONES; it logs every query."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.proc = None
        self.port = None
        self.logpath = os.path.join(tmp, "dnsmasq.log")

    def start(self):
        check(os.access(DNSMASQ, os.X_OK),
              "no dnsmasq (scripts/deps test installs dnsmasq-base)")
        for _ in range(5):
            port = free_udp_port()
            argv = [DNSMASQ, "--keep-in-foreground", "--port=%d" % port,
                    "--listen-address=" + HOST, "--bind-interfaces",
                    "--no-resolv", "--no-hosts", "--no-poll",
                    "--conf-file=/dev/null", "--pid-file=",
                    "--log-facility=-", "--log-queries"]
            argv += ["--local=/%s/" % z for z in ZONES]
            argv += ["--host-record=%s,%s" % kv for kv in RECORDS.items()]
            log = open(self.logpath, "ab")
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
            log.close()
            ok = wait_for(lambda: self.proc.poll() is not None or
                          dns_query(port, "1.0.0.127.bl.test", 0.2) ==
                          ["127.0.0.2"], TIMEOUT)
            if ok and self.proc.poll() is None:
                self.port = port
                return self
            self.stop()
        raise Failure("dnsmasq did not start; log:\n" + self.logtext())

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def logtext(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


class Pipe:
    """cartero-smtpd over pipes, as a launcher would run it, with the
    client address in TCPREMOTEIP; every wait is bounded."""

    def __init__(self, plugin_conf, ip, prefix=(), extra_conf="",
                 extra_env=None):
        self.tmp = tempfile.mkdtemp(prefix="cartero-dnsbl-")
        for u in ("alice", "postmaster"):
            for sub in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(self.tmp, "mail", "example.test",
                                         u, sub))
        self.conf = os.path.join(self.tmp, "cartero.conf")
        with open(self.conf, "w") as f:
            f.write(BASE_CONF.format(plugins=PLUGINS, store="maildir"))
            f.write("\n[smtpd]\nfilters = dnsbl\n" + extra_conf +
                    "\n[plugin dnsbl]\n" + plugin_conf + "\n")
        env = {k: v for k, v in os.environ.items()
               if k not in ("TCPREMOTEIP", "TCPREMOTEPORT", "REMOTE_ADDR",
                            "REMOTE_PORT", "RELAYCLIENT")}
        env.update(TCPREMOTEIP=ip, TCPREMOTEPORT="40000", TMPDIR=self.tmp)
        env.update(extra_env or {})
        self.logpath = os.path.join(self.tmp, "log")
        log = open(self.logpath, "wb")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(list(prefix) + [BIN, "-c", self.conf],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=log,
                                  env=env, cwd=self.tmp)
        log.close()
        self.buf = b""

    def line(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            r = select.select([self.p.stdout], [], [], max(left, 0))[0]
            if not r:
                raise Failure("no reply within %ss (have %r)" %
                              (timeout, self.buf))
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise Failure("handler closed (have %r); log:\n%s" %
                              (self.buf, self.logtext()))
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("utf-8", "replace")

    def reply(self):
        """(code, text of the last line with its status, seconds since the
        handler started)."""
        while True:
            l = self.line()
            if l[3:4] != "-":
                return int(l[:3]), l[4:], time.monotonic() - self.t0

    def cmd(self, text):
        self.p.stdin.write(text.encode() + b"\r\n")
        self.p.stdin.flush()
        return self.reply()

    def expect(self, text, code, want_text=None):
        c, t, at = self.cmd(text)
        check(c == code, "%s: expected %d, got %d %s" % (text, code, c, t))
        check(want_text is None or t == want_text,
              "%s: text %r, expected %r" % (text, t, want_text))
        return at

    def logtext(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def finish(self, want_exit=0):
        """QUIT, the exit status, no sanitizer report; the log."""
        try:
            self.expect("QUIT", 221)
            self.p.stdin.close()
            rc = self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise Failure("handler did not exit")
        log = self.logtext()
        for bad in SANITIZER_MARKS:
            check(bad not in log, "log has %r:\n%s" % (bad, log))
        check(rc == want_exit, "exit %s; log:\n%s" % (rc, log))
        return log

    def cleanup(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def session(dns_port, conf, ip, fn, **kw):
    """Runs fn(pipe) against a handler whose [plugin dnsbl] is CONF plus
    server = the given port; returns fn's result."""
    p = Pipe("server = %s:%d\n%s" % (HOST, dns_port, conf), ip, **kw)
    try:
        c, t, at = p.reply()
        check(c == 220, "greeting %d %s" % (c, t))
        p.greeting_at = at
        return fn(p)
    except Failure as e:
        raise Failure("%s\n[client %s] handler log:\n%s" % (e, ip,
                                                            p.logtext()))
    finally:
        p.cleanup()


def has(log, *wants):
    for w in wants:
        check(w in log, "log lacks %r:\n%s" % (w, log))


def hasnt(log, *wants):
    for w in wants:
        check(w not in log, "log has %r:\n%s" % (w, log))


def deliver(p, sender="a@ok.example"):
    p.expect("HELO client.example", 250)
    p.expect("MAIL FROM:<%s>" % sender, 250)
    p.expect("RCPT TO:<alice@example.test>", 250)
    p.expect("DATA", 354)
    p.expect("Subject: hi\r\n\r\nbody\r\n.", 250)


def refused(ip, zone):
    return "5.7.1 Service unavailable; client [%s] listed at %s" % (ip, zone)


# -- the cases ---------------------------------------------------------------
def main():
    R.case("dnsbl.so links libcares and libc only", links_only)
    tmp = tempfile.mkdtemp(prefix="cartero-dns-")
    dns = Dns(tmp)
    try:
        dns.start()
    except Failure as e:
        R.not_ok("dnsmasq", e)
        shutil.rmtree(tmp, ignore_errors=True)
        return R.done()
    port = dns.port
    try:
        run_cases(dns, port)
    finally:
        dns.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return R.done()


def run_cases(dns, port):
    two = "lists = ok.test bl.test\ntimeout = 3\n"

    def v4_listed(p):
        p.expect("EHLO client.example", 250)
        p.expect("MAIL FROM:<a@ok.example>", 250)
        p.expect("RCPT TO:<alice@example.test>", 554,
                 refused("192.0.2.99", "bl.test"))
        # postmaster is let through (RFC 5321 4.5.1), in any case
        p.expect("RCPT TO:<Postmaster@example.test>", 250)
        p.expect("RCPT TO:<alice@example.test>", 554)
        log = p.finish()
        has(log, "plugin=dnsbl client=192.0.2.99 zone=bl.test "
            "answer=127.0.0.2 result=listed",
            "plugin=dnsbl client=192.0.2.99 lists=2 listed=1 errors=0",
            "plugin=dnsbl client=192.0.2.99 zone=bl.test verdict=reject "
            'rcpt="alice@example.test"',
            "plugin=dnsbl hook=rcpt verdict=reject code=554")
        # both lists were asked, and the summary is logged once
        q = dns.logtext()
        check("query[A] 99.2.0.192.ok.test" in q and
              "query[A] 99.2.0.192.bl.test" in q, "dnsmasq log:\n" + q)
        check(log.count("lists=2 listed=1") == 1, log)
    R.case("IPv4 client listed at the second of two lists: 554 at RCPT",
           lambda: session(port, two, "192.0.2.99", v4_listed))

    def v4_clean(p):
        deliver(p)
        log = p.finish()
        has(log, "plugin=dnsbl client=192.0.2.7 lists=2 listed=0 errors=0")
        hasnt(log, "result=listed", "result=error")
    R.case("IPv4 client not listed: delivered",
           lambda: session(port, two, "192.0.2.7", v4_clean))

    def v6_listed(p):
        p.expect("HELO client.example", 250)
        p.expect("MAIL FROM:<a@ok.example>", 250)
        p.expect("RCPT TO:<alice@example.test>", 554,
                 refused("2001:db8::99", "bl.test"))
        log = p.finish()
        has(log, "client=2001:db8::99 zone=bl.test answer=127.0.0.2 "
            "result=listed")
        check("query[A] %s.bl.test" % v6_prefix("2001:db8::99") in
              dns.logtext(), "no nibble query in:\n" + dns.logtext())
    R.case("IPv6 client listed (reversed nibbles)",
           lambda: session(port, two, "2001:db8::99", v6_listed))

    def v6_clean(p):
        deliver(p)
        log = p.finish()
        has(log, "client=2001:db8::7 lists=2 listed=0 errors=0")
    R.case("IPv6 client not listed: delivered",
           lambda: session(port, two, "2001:db8::7", v6_clean))

    filt = "lists = bl.test=127.0.0.4,127.0.0.10\n"

    def filtered_out(p):
        deliver(p)
        log = p.finish()
        has(log, "client=192.0.2.99 zone=bl.test answer=127.0.0.2 "
            "result=ignored", "listed=0 errors=0")
    R.case("answer filter: 127.0.0.2 is not one of bl.test=127.0.0.4,...",
           lambda: session(port, filt, "192.0.2.99", filtered_out))

    def filtered_in(p):
        p.expect("HELO client.example", 250)
        p.expect("MAIL FROM:<a@ok.example>", 250)
        p.expect("RCPT TO:<alice@example.test>", 554,
                 refused("192.0.2.98", "bl.test"))
        p.finish()
    R.case("answer filter: 127.0.0.4 is a listing",
           lambda: session(port, filt, "192.0.2.98", filtered_in))

    def open_resolver_code(p):
        deliver(p)
        log = p.finish()
        has(log, "answer=127.255.255.254 result=ignored")
    R.case("127.255.255.254 (a list's error answer) is not a listing",
           lambda: session(port, "lists = bl.test\n", "192.0.2.97",
                           open_resolver_code))

    rhs = "rhsbl = dbl.test\nlists = bl.test\n"

    def rhsbl(p):
        p.expect("HELO client.example", 250)
        p.expect("MAIL FROM:<x@spam.example>", 250)
        p.expect("RCPT TO:<alice@example.test>", 554, "5.7.1 Service "
                 "unavailable; sender domain spam.example listed at "
                 "dbl.test")
        p.expect("RCPT TO:<postmaster@example.test>", 250)
        p.expect("RSET", 250)
        # a new transaction: the sender domain is looked up afresh
        p.expect("MAIL FROM:<x@ok.example>", 250)
        p.expect("RCPT TO:<alice@example.test>", 250)
        p.expect("RSET", 250)
        p.expect("MAIL FROM:<>", 250)
        p.expect("RCPT TO:<alice@example.test>", 250)
        log = p.finish()
        has(log, "plugin=dnsbl domain=spam.example zone=dbl.test "
            "answer=127.0.1.2 result=listed",
            "plugin=dnsbl domain=spam.example zone=dbl.test "
            "verdict=reject",
            "plugin=dnsbl domain=ok.example lists=1 listed=0 errors=0")
        check("query[A] ok.example.dbl.test" in dns.logtext(),
              dns.logtext())
    R.case("RHSBL: sender domain listed, then not, then the null sender",
           lambda: session(port, rhs, "192.0.2.7", rhsbl))

    def allowed(p):
        p.expect("HELO client.example", 250)
        p.expect("MAIL FROM:<x@spam.example>", 250)
        p.expect("RCPT TO:<alice@example.test>", 250)
        log = p.finish()
        has(log, "plugin=dnsbl client=192.0.2.99 verdict=allow")
        hasnt(log, "result=listed", "lists=")

    def allow_case():
        d = tempfile.mkdtemp(prefix="cartero-allow-")
        try:
            path = os.path.join(d, "allow")
            with open(path, "w") as f:
                f.write("# test net\n198.51.100.0/24\n192.0.2.96/28\n")
            return session(port, rhs + "allow = %s\n" % path, "192.0.2.99",
                           allowed)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    R.case("allowlist: a listed client in it is never checked", allow_case)

    def authenticated(p):
        p.expect("EHLO client.example", 250)
        token = base64.b64encode(b"\0alice@example.test\0s3cr3t").decode()
        p.expect("AUTH PLAIN " + token, 235)
        p.expect("MAIL FROM:<alice@example.test>", 250)
        p.expect("RCPT TO:<alice@example.test>", 250)
        p.finish()

    def auth_case():
        d = tempfile.mkdtemp(prefix="cartero-users-")
        try:
            users = os.path.join(d, "users")
            with open(users, "w") as f:
                f.write("alice@example.test:{PLAIN}s3cr3t\n")
            extra = ("auth = passwd\nauth_requires_tls = no\n"
                     "auth_delay = 10\n[plugin passwd]\nfile = %s\n" % users)
            return session(port, two, "192.0.2.99", authenticated,
                           extra_conf=extra)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    R.case("an authenticated client is not refused", auth_case)

    # -- a server that never answers, and a port where none listens ------
    def dead(on_error, code, budget):
        def fn(p):
            p.expect("HELO client.example", 250)
            # The last lookup (rhsbl) starts at MAIL, the client's at
            # connect: the budget is bounded from MAIL, so the handler's
            # start-up (ASan, a busy machine) does not count against it.
            mail_at = time.monotonic() - p.t0
            p.expect("MAIL FROM:<a@ok.example>", 250)
            at = p.expect("RCPT TO:<alice@example.test>", code,
                          "4.7.1 DNSBL lookup failed; try again later"
                          if code == 451 else None)
            check(at - mail_at < budget + 1.0, "RCPT answered %.2fs after "
                  "MAIL, budget %ss" % (at - mail_at, budget))
            check(at > budget * 0.8, "RCPT answered after %.2fs: the "
                  "budget (%ss) was not used" % (at, budget))
            # lookups that held the greeting would have taken the budget
            check(p.greeting_at < budget, "greeting after %.2fs" %
                  p.greeting_at)
            log = p.finish()
            has(log, "zone=bl.test result=error on_error=%s" % on_error,
                "zone=dbl.test result=error on_error=%s" % on_error)
            return "RCPT after %.2fs" % at
        return fn

    def silent(on_error, code):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((HOST, 0))
        try:
            return session(s.getsockname()[1],
                           "lists = ok.test bl.test\nrhsbl = dbl.test\n"
                           "timeout = 1.5\non_error = %s\n" % on_error,
                           "192.0.2.99", dead(on_error, code, 1.5))
        finally:
            s.close()
    R.case("silent server, on_error = defer: 451 within the budget",
           lambda: silent("defer", 451))
    R.case("silent server, on_error = pass: 250 within the budget",
           lambda: silent("pass", 250))

    def nobody(p):
        p.expect("HELO client.example", 250)
        p.expect("MAIL FROM:<a@ok.example>", 250)
        at = p.expect("RCPT TO:<alice@example.test>", 451)
        check(at < 3.0, "RCPT answered %.2fs after start" % at)
        log = p.finish()
        has(log, "zone=bl.test result=error on_error=defer")
    R.case("nothing listening (connection refused): 451",
           lambda: session(free_udp_port(), "lists = bl.test\ntimeout = 2\n",
                           "192.0.2.7", nobody))

    # -- a real launcher: the peer is 127.0.0.1 --------------------------
    for launcher in LAUNCHERS:
        def real(launcher=launcher):
            conf = ("\n[smtpd]\nfilters = dnsbl\n\n[plugin dnsbl]\n"
                    "lists = ok.test bl.test\nserver = %s:%d\n"
                    "timeout = 3\n" % (HOST, port))
            srv = Server(launcher, users=["example.test/alice",
                                          "example.test/postmaster"],
                         conf_extra=conf)
            with srv:
                c = smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT)
                try:
                    c.ehlo("client.example")
                    c.mail("a@ok.example")
                    code, msg = c.rcpt("alice@example.test")
                    check(code == 554 and msg.decode() ==
                          refused("127.0.0.1", "bl.test"),
                          "RCPT: %d %r" % (code, msg))
                    code, msg = c.rcpt("postmaster@example.test")
                    check(code == 250, "postmaster: %d %r" % (code, msg))
                    c.quit()
                finally:
                    c.close()
                check_handlers_clean(srv, need=(
                    "event=connect", "event=disconnect",
                    "client=127.0.0.1 zone=bl.test answer=127.0.0.2 "
                    "result=listed"))
        R.case("%s: client 127.0.0.1 listed as 1.0.0.127.bl.test" %
               launcher, real)

    # -- the system resolver is never used --------------------------------
    strace = shutil.which("strace")

    def traced():
        d = tempfile.mkdtemp(prefix="cartero-strace-")
        out = os.path.join(d, "trace")
        try:
            def fn(p):
                deliver(p)
                p.finish()
            session(port, two + "rhsbl = dbl.test\n", "192.0.2.7", fn,
                    prefix=[strace, "-f", "-qq", "-o", out, "-e",
                            "trace=open,openat,connect"],
                    # LeakSanitizer cannot run under ptrace
                    extra_env={"ASAN_OPTIONS": "detect_leaks=0"})
            with open(out) as f:
                trace = f.read()
        finally:
            shutil.rmtree(d, ignore_errors=True)
        for name in ("resolv.conf", "nsswitch.conf", "host.conf",
                     "/etc/hosts", "svc.conf"):
            check(name not in trace, "%s opened:\n%s" % (name, trace))
        connects = [l for l in trace.splitlines() if "connect(" in l]
        check(connects, "no connect() in:\n" + trace)
        for l in connects:
            check("sin_port=htons(%d)" % port in l and
                  'inet_addr("127.0.0.1")' in l, "connect: " + l)
    if strace is None:
        R.skip("no system resolver files are read", "no strace")
    else:
        R.case("no system resolver files are read; only the server is "
               "asked", traced)


if __name__ == "__main__":
    sys.exit(main())
