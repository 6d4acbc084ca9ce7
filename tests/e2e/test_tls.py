#!/usr/bin/env python3
# ISC license.
# End-to-end TLS: STARTTLS (RFC 3207), STLS (RFC 2595) and implicit TLS
# (RFC 8314, --tls) through the GnuTLS module plugins/tls.so, driven by
# clients nobody here wrote: Python smtplib/poplib/ssl, gnutls-cli, curl,
# swaks, and stunnel wrapping the plain handlers.  A throw-away CA, server
# and client certificates are made with openssl in a temp folder.
#
# Checked: what EHLO/CAPA offer before and after TLS, the Received field
# ("(using TLSv1.x with cipher NAME)", ESMTPS/ESMTPSA), the reset after the
# handshake (HELO and a cleartext login forgotten), CVE-2011-0411 (bytes
# pipelined after STARTTLS/STLS are dropped, logged as starttls-injection),
# failed handshakes (garbage, TLS 1.1, [tls] priority), a missing or
# unreadable certificate (no STARTTLS, 454, --tls exits 111), client
# certificates ([tls] ca, relay_client_certs), and that only tls.so links
# GnuTLS.  Every wait is bounded; the whole file runs in a few seconds.
#
# Groups (each a folder with one configuration, handlers as siblings):
#   LAUNCHER       POP3 STLS (owner), SMTP STARTTLS, SMTP --tls, POP3 --tls;
#                  tcpserver runs the basic client cases only
#   missing/unreadable cert   (unreadable: user = nobody, files 0600 root)
#   client certs   [tls] ca + relay_client_certs = yes, [relay] maildir
#   [tls] priority TLS 1.2 only
#   stunnel        socket-activate --inetd -> stunnel (inetd mode, exec=)
#                  -> the plain handlers
import base64
import os
import poplib
import re
import select
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, LAUNCHERS, PLUGINS, POP3_BIN,  # noqa: E402
                         SANITIZER_MARKS, TIMEOUT, Failure, Pop3Server, Raw,
                         Reporter, Server, check, openssl_in, proc_children,
                         received, run, strip_trace, wait_for)

warnings.filterwarnings("ignore", category=DeprecationWarning)

R = Reporter()
SHORT = 0.5             # "no reply arrives": how long we listen for one
STUNNEL = shutil.which("stunnel4") or shutil.which("stunnel") or "stunnel"
PKI = tempfile.mkdtemp(prefix="cartero-e2e-pki-")
ALICE, ALICE_PW = "alice@example.test", "alice s3cret pw"
_n = [0]


# -- the throw-away PKI -------------------------------------------------------
EXT = """[srv]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:mx.example.test, IP:127.0.0.1
[cli]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
"""


def openssl(*args):
    openssl_in(PKI, *args)


def make_pki():
    """ca (CN=cartero test CA), other-ca; server.crt (mx.example.test,
    127.0.0.1) and client.crt (CN=client.example) signed by ca, rogue.crt
    (CN=rogue.example) signed by other-ca.  EC P-256: fast."""
    with open(os.path.join(PKI, "ext.cnf"), "w") as f:
        f.write(EXT)
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes")
    for ca, cn in (("ca", "cartero test CA"), ("other-ca", "other CA")):
        openssl("req", "-x509", *ec, "-keyout", ca + ".key", "-out",
                ca + ".crt", "-days", "2", "-subj",
                "/O=cartero tests/CN=%s" % cn)
    for name, ca, subj, ext in (
            ("server", "ca", "/CN=mx.example.test", "srv"),
            ("client", "ca", "/O=cartero tests/CN=client.example", "cli"),
            ("rogue", "other-ca", "/O=elsewhere/CN=rogue.example", "cli")):
        openssl("req", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", subj)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt",
                "-CAkey", ca + ".key", "-CAcreateserial", "-out",
                name + ".crt", "-days", "2", "-extfile", "ext.cnf",
                "-extensions", ext)
    # an RSA server certificate, for the key/certificate match check
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key",
            "-out", "rsa.csr", "-subj", "/CN=mx.example.test")
    openssl("x509", "-req", "-in", "rsa.csr", "-CA", "ca.crt", "-CAkey",
            "ca.key", "-CAcreateserial", "-out", "rsa.crt", "-days", "2",
            "-extfile", "ext.cnf", "-extensions", "srv")


def pki(name):
    return os.path.join(PKI, name)


def ctx(cert=None):
    """A client context that verifies the server against our CA (the
    server certificate names 127.0.0.1); CERT: present NAME.crt/.key."""
    c = ssl.create_default_context(cafile=pki("ca.crt"))
    if cert:
        c.load_cert_chain(pki(cert + ".crt"), pki(cert + ".key"))
    return c


def ctx_tls11():
    """A client that offers TLS 1.1 only (None if OpenSSL refuses)."""
    try:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.check_hostname = False
        c.verify_mode = ssl.CERT_NONE
        c.set_ciphers("DEFAULT:@SECLEVEL=0")
        c.minimum_version = ssl.TLSVersion.TLSv1_1
        c.maximum_version = ssl.TLSVersion.TLSv1_1
        return c
    except (ValueError, ssl.SSLError, AttributeError):
        return None


# -- configuration ------------------------------------------------------------
def tls_section(cert=None, key=None, extra=""):
    return "\n[tls]\ncert = %s\nkey = %s\n%s" % (
        cert or pki("server.crt"), key or pki("server.key"), extra)


SMTP_AUTH = """
[smtpd]
auth = passwd
auth_requires_tls = yes
auth_delay = 20
{smtpd}
[plugin passwd]
file = passwd
"""


class TlsServer(Server):
    """A Server whose handler gets ARGS after "-c CONF" (e.g. --tls)."""

    def __init__(self, *a, args=(), **kw):
        self.args = list(args)
        Server.__init__(self, *a, **kw)

    def argv(self, port):
        return Server.argv(self, port) + self.args


class Stunneled(Server):
    """systemd-socket-activate --inetd runs stunnel (inetd mode: no
    accept=), which does TLS and runs the plain handler (exec=)."""

    def argv(self, port):
        conf = os.path.join(self.tmp, "stunnel-%s.conf" %
                            os.path.basename(self.bin))
        with open(conf, "w") as f:
            f.write("; inetd mode: no service section, no accept\n"
                    "foreground = yes\n"   # keeps the handler's fd 2
                    "pid =\n"
                    "syslog = no\n"
                    "RNDoverwrite = no\n"
                    "debug = notice\n"
                    "cert = %s\nkey = %s\n"
                    "exec = %s\nexecArgs = %s -c %s\n" % (
                        pki("server.crt"), pki("server.key"), self.bin,
                        os.path.basename(self.bin), self.conf))
        a = ["systemd-socket-activate", "--inetd", "-a",
             "-l", "%s:%d" % (HOST, port)]
        for k, v in sorted(self.child_env().items()):
            a += ["-E", "%s=%s" % (k, v)]
        return a + [STUNNEL, conf]

    def handlers(self):
        return [] if self.proc is None else proc_children(self.proc.pid)


def add_passwd(srv, addr, pw="x"):
    """A passwd-plugin user (also makes the maildrop): recipients must be
    known to the auth plugin when [smtpd] auth is set."""
    with open(os.path.join(srv.tmp, "passwd"), "a") as f:
        f.write("%s:{PLAIN}%s\n" % (addr, pw))
    local, _, dom = addr.rpartition("@")
    srv.add_user("%s/%s" % (dom, local))


def fresh(srv):
    """A new local recipient: (spec, address)."""
    _n[0] += 1
    addr = "u%d@example.test" % _n[0]
    add_passwd(srv, addr)
    return "example.test/u%d" % _n[0], addr


def log_events(srv, event):
    return [l for l in srv.logtext().splitlines()
            if " event=%s " % event in l + " "]


def check_tls_logged(srv, n_before, version=None, peer=""):
    """A new event=tls line: version=TLSv1.x cipher=... peer="PEER"."""
    ev = wait_for(lambda: len(log_events(srv, "tls")) > n_before, 2.0) and \
        log_events(srv, "tls")
    check(ev, "no event=tls logged:\n" + srv.logtext()[-1500:])
    last = ev[-1]
    m = re.search(r'version=(TLSv1\.[23]) cipher=(\S+) peer="(.*)"$', last)
    check(m, "event=tls line malformed: %r" % last)
    if version:
        check(m.group(1) == version, "logged %s, client saw %s" %
              (m.group(1), version))
    check(peer in m.group(3) if peer else m.group(3) == "",
          "peer=%r, expected %r" % (m.group(3), peer or ""))
    return m


def check_stored_tls(srv, spec, body, version, cipher=None, with_="ESMTPS"):
    msgs = srv.wait_messages(spec, 1)
    check(len(msgs) == 1, "%s has %d messages" % (spec, len(msgs)))
    rec = received(msgs[0])
    check("(using %s with cipher " % version in rec,
          "Received lacks (using %s with cipher ...): %r" % (version, rec))
    if cipher and version == "TLSv1.3":
        check("with cipher %s)" % cipher in rec,
              "Received cipher is not %s: %r" % (cipher, rec))
    check(" with %s id " % with_ in rec, "Received lacks 'with %s': %r" %
          (with_, rec))
    check(strip_trace(msgs[0]) == body, "stored %r, sent %r" %
          (strip_trace(msgs[0]), body))
    return rec


def wrap(raw, context=None, cert=None):
    """Raw's socket, after a 220/+OK, becomes TLS (Raw keeps working)."""
    check(raw.buf == b"", "bytes after the go-ahead: %r" % raw.buf)
    raw.s = (context or ctx(cert)).wrap_socket(raw.s, server_hostname=HOST)
    raw.s.settimeout(TIMEOUT)
    return raw


def nothing_within(raw, secs=SHORT):
    """No byte arrives within SECS (a reply to an injected command)."""
    raw.s.settimeout(secs)
    try:
        data = raw.s.recv(4096)
    except (socket.timeout, ssl.SSLWantReadError):
        data = None
    finally:
        raw.s.settimeout(TIMEOUT)
    check(data is None, "got %r where nothing should come" % data)


def read_to_eof(sock, timeout=TIMEOUT):
    """All bytes until the peer closes; Failure if it does not."""
    sock.settimeout(timeout)
    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            break
        except (ConnectionResetError, ssl.SSLError, OSError):
            return got
        if not chunk:
            return got
        got += chunk
    raise Failure("connection still open after %ss (got %r)" % (timeout, got))


def smtp_ehlo(c, name="raw.example"):
    c.send(b"EHLO %s\r\n" % name.encode())
    return [l[4:] for l in c.expect(250, "EHLO")]


def smtp_raw(port):
    c = Raw(port)
    c.expect(220, "greeting")
    return c


def pop_raw(port):
    c = Raw(port)
    l = c.line()
    check(l.startswith(b"+OK"), "greeting: %r" % l)
    return c


def pop_multi(c):
    """A +OK multi-line response: its lines (without the final dot)."""
    first = c.line()
    check(first.startswith(b"+OK"), "expected +OK, got %r" % first)
    out = []
    while True:
        l = c.line()
        check(l != b"<EOF>", "EOF inside a multi-line response")
        if l == b".":
            return out
        out.append(l)


# -- an interactive client program (gnutls-cli) -------------------------------
class Interact:
    """A client program on pipes: send() to its stdin, expect() a regex in
    its stdout; every wait bounded."""

    def __init__(self, argv):
        self.argv = argv
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.out = b""
        self.pos = 0

    def expect(self, pattern, timeout=TIMEOUT):
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("%s: no %r within %ss; output:\n%s" % (
                    self.argv[0], pattern, timeout,
                    self.out[-1500:].decode("utf-8", "replace")))
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise Failure("%s exited before %r; output:\n%s" % (
                        self.argv[0], pattern,
                        self.out[-1500:].decode("utf-8", "replace")))
                self.out += chunk

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, 9)
            self.p.wait(timeout=TIMEOUT)
        self.p.stdout.close()


def gnutls_cli(port, proto=None, *extra):
    a = ["gnutls-cli", "--x509cafile", pki("ca.crt"), "-p", str(port)]
    if proto:
        a.append("--starttls-proto=" + proto)
    return a + list(extra) + [HOST]


# =============================================================================
# STARTTLS (SMTP)
def smtplib_starttls(srv, pop=None):
    spec, rcpt = fresh(srv)
    body = b"Subject: starttls\r\n\r\nover TLS\r\n"
    n = len(log_events(srv, "tls"))
    with smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                      timeout=TIMEOUT) as c:
        c.ehlo()
        check(c.has_extn("starttls"), "no STARTTLS in EHLO")
        code, text = c.starttls(context=ctx())
        check((code, text) == (220, b"2.0.0 Ready to start TLS"),
              "STARTTLS: %r" % ((code, text),))
        version, cipher = c.sock.version(), c.sock.cipher()[0]
        c.ehlo()
        check(not c.has_extn("starttls"), "STARTTLS offered over TLS")
        refused = c.sendmail("bob@example.net", [rcpt], body)
        check(refused == {}, "refused: %r" % refused)
    check(version in ("TLSv1.2", "TLSv1.3"), "negotiated %s" % version)
    check_tls_logged(srv, n, version)
    rec = check_stored_tls(srv, spec, body, version, cipher)
    check(rec.startswith("Received: from client.example ([127.0.0.1]) "
                         "(using "), "Received: %r" % rec)
    return "%s %s" % (version, cipher)


def smtplib_tls12(srv, pop=None):
    """A client that stops at TLS 1.2 (the default priority allows it):
    Received says TLSv1.2."""
    spec, rcpt = fresh(srv)
    body = b"Subject: tls 1.2\r\n\r\ntwelve\r\n"
    n = len(log_events(srv, "tls"))
    c12 = ctx()
    c12.maximum_version = ssl.TLSVersion.TLSv1_2
    with smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                      timeout=TIMEOUT) as c:
        c.starttls(context=c12)
        version, cipher = c.sock.version(), c.sock.cipher()[0]
        refused = c.sendmail("bob@example.net", [rcpt], body)
        check(refused == {}, "refused: %r" % refused)
    check(version == "TLSv1.2", "negotiated %s" % version)
    m = check_tls_logged(srv, n, version)
    check_stored_tls(srv, spec, body, version)
    return "%s %s (OpenSSL: %s)" % (version, m.group(2), cipher)


def priority_tls12_only(srv):
    """[tls] priority = NORMAL:-VERS-ALL:+VERS-TLS1.2: a default client
    gets TLS 1.2, a TLS 1.3-only client is refused."""
    n = len(log_events(srv, "tls"))
    with smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT) as c:
        c.starttls(context=ctx())
        version = c.sock.version()
        c.ehlo()
        c.docmd("QUIT")
    check(version == "TLSv1.2", "negotiated %s" % version)
    check_tls_logged(srv, n, version)
    n = len(log_events(srv, "tls-failed"))
    c13 = ctx()
    c13.minimum_version = ssl.TLSVersion.TLSv1_3
    c = smtp_raw(srv.port)
    try:
        smtp_ehlo(c)
        c.send(b"STARTTLS\r\n")
        c.expect(220)
        try:
            t = c13.wrap_socket(c.s, server_hostname=HOST)
            raise Failure("TLS 1.3 handshake succeeded: %s" % t.version())
        except (ssl.SSLError, OSError):
            pass
    finally:
        c.close()
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) > n, 2.0) and \
        log_events(srv, "tls-failed")
    check(ev, "no tls-failed for the TLS 1.3-only client")
    return ev[-1].split("error=", 1)[1]


def smtp_auth_after_tls(srv, pop=None):
    spec, rcpt = fresh(srv)
    add_passwd(srv, ALICE, ALICE_PW)
    c = smtp_raw(srv.port)
    try:
        ext = smtp_ehlo(c)
        check(not any(e.startswith("AUTH") for e in ext),
              "AUTH offered in cleartext: %r" % ext)
        c.send(b"AUTH PLAIN %s\r\n" % base64.b64encode(
            b"\0" + ALICE.encode() + b"\0" + ALICE_PW.encode()))
        code, lines = c.reply()
        check(code is not None and code >= 500, "cleartext AUTH: %r" % lines)
        before = lines[-1]
        c.send(b"QUIT\r\n")
        c.expect(221)
    finally:
        c.close()
    body = b"Subject: authenticated\r\n\r\nhi\r\n"
    with smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                      timeout=TIMEOUT) as s:
        s.starttls(context=ctx())
        s.ehlo()
        check(s.has_extn("auth") and "PLAIN" in s.esmtp_features["auth"],
              "no AUTH PLAIN after STARTTLS: %r" % s.esmtp_features)
        version = s.sock.version()
        code, _ = s.login(ALICE, ALICE_PW)
        check(code == 235, "login: %d" % code)
        refused = s.sendmail(ALICE, [rcpt], body)
        check(refused == {}, "refused: %r" % refused)
    rec = check_stored_tls(srv, spec, body, version, with_="ESMTPSA")
    check("(Authenticated sender: %s)" % ALICE in rec, "Received: %r" % rec)
    return "cleartext AUTH -> " + before


def smtp_reset_after_tls(srv, pop=None):
    c = smtp_raw(srv.port)
    try:
        smtp_ehlo(c)
        c.send(b"MAIL FROM:<a@example.net>\r\n")
        c.expect(250, "MAIL")
        c.send(b"STARTTLS\r\n")     # not inside a mail transaction
        c.expect(503, "STARTTLS during a transaction")
        c.send(b"RCPT TO:<postmaster@example.test>\r\n")
        c.expect(250, "RCPT after the refused STARTTLS")
        c.send(b"RSET\r\n")
        c.expect(250, "RSET")
        c.send(b"STARTTLS\r\n")
        c.expect(220, "STARTTLS")
        wrap(c)
        c.send(b"MAIL FROM:<a@example.net>\r\n")
        lines = c.expect(503, "MAIL before a new EHLO over TLS")
        check("5.5.1" in lines[-1], "503 without 5.5.1: %r" % lines)
        ext = smtp_ehlo(c, "again.example")
        check("STARTTLS" not in ext, "STARTTLS offered over TLS: %r" % ext)
        check(any(e.startswith("AUTH") for e in ext),
              "no AUTH over TLS: %r" % ext)
        c.send(b"STARTTLS\r\n")
        lines = c.expect(503, "second STARTTLS")
        check(lines == ["503 5.5.1 TLS already active"],
              "second STARTTLS: %r" % lines)
        c.send(b"NOOP\r\n")
        c.expect(250, "NOOP after the 503")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
    finally:
        c.close()


def smtp_injection(srv, pop=None):
    n = len(log_events(srv, "starttls-injection"))
    c = smtp_raw(srv.port)
    try:
        smtp_ehlo(c)
        c.send(b"STARTTLS\r\nRSET\r\n")          # one write, one segment
        c.expect(220, "STARTTLS")
        wrap(c)
        nothing_within(c)                        # no "250 2.0.0" for RSET
        c.send(b"NOOP\r\n")
        lines = c.expect(250, "NOOP")
        check(lines == ["250 2.0.0 Ok"], "first reply over TLS: %r" % lines)
        c.send(b"QUIT\r\n")
        c.expect(221)
    finally:
        c.close()
    inj = wait_for(lambda: len(log_events(srv, "starttls-injection")) > n,
                   2.0) and log_events(srv, "starttls-injection")
    check(inj and inj[-1].endswith(" dropped=6"),
          "no starttls-injection dropped=6 logged: %r" % inj)
    # An injected EHLO + MAIL are not executed either: RCPT finds no HELO.
    c = smtp_raw(srv.port)
    try:
        smtp_ehlo(c)
        c.send(b"STARTTLS\r\nEHLO evil.example\r\n"
               b"MAIL FROM:<evil@example.net>\r\n")
        c.expect(220, "STARTTLS")
        wrap(c)
        nothing_within(c)
        c.send(b"RCPT TO:<postmaster@example.test>\r\n")
        lines = c.expect(503, "RCPT after injected EHLO/MAIL")
        check("HELO" in lines[-1], "RCPT: %r" % lines)
        c.send(b"QUIT\r\n")
        c.expect(221)
    finally:
        c.close()


def smtp_failed_handshake(srv, pop=None):
    n = len(log_events(srv, "tls-failed"))
    c = smtp_raw(srv.port)
    try:
        smtp_ehlo(c)
        c.send(b"STARTTLS\r\n")
        c.expect(220, "STARTTLS")
        c.send(b"this is not a TLS ClientHello\r\nQUIT\r\n")
        got = read_to_eof(c.s)
        check(b"221" not in got and b"250" not in got,
              "plaintext after the failed handshake: %r" % got)
    finally:
        c.close()
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) > n, 2.0) and \
        log_events(srv, "tls-failed")
    check(ev and 'error="handshake: ' in ev[-1], "tls-failed: %r" % ev)
    return ev[-1].split("error=", 1)[1]


def smtp_tls11_refused(srv, pop=None):
    n = len(log_events(srv, "tls-failed"))
    rc, out = run(gnutls_cli(srv.port, "smtp", "--priority",
                             "NORMAL:-VERS-ALL:+VERS-TLS1.1"),
                  timeout=TIMEOUT)
    check(rc != 0, "gnutls-cli TLS 1.1 succeeded:\n" + out[-800:])
    c11 = ctx_tls11()
    note = "gnutls-cli"
    if c11 is not None:
        c = smtp_raw(srv.port)
        try:
            smtp_ehlo(c)
            c.send(b"STARTTLS\r\n")
            c.expect(220)
            try:
                t = c11.wrap_socket(c.s)
                raise Failure("TLS 1.1 handshake succeeded: %s" % t.version())
            except (ssl.SSLError, OSError):
                pass
        finally:
            c.close()
        note += " + Python ssl"
    want = n + (2 if c11 is not None else 1)
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) >= want,
                  2.0) and log_events(srv, "tls-failed")
    check(ev and len(ev) >= want, "tls-failed lines %d, want %d" %
          (len(ev or []), want))
    return note + ": " + ev[-1].split("error=", 1)[1]


def gnutls_cli_smtp(srv, pop=None):
    spec, rcpt = fresh(srv)
    body = b"Subject: gnutls-cli\r\n\r\n..dot\r\nend\r\n"
    g = Interact(gnutls_cli(srv.port, "smtp"))
    try:
        g.expect(rb"Handshake was completed")
        g.send(b"EHLO gnutls.example\r\n")
        g.expect(rb"^250 CHUNKING")
        check(b"250-STARTTLS" not in g.out[g.out.find(b"Handshake"):],
              "STARTTLS offered over TLS")
        g.send(b"MAIL FROM:<g@example.net>\r\n")
        g.expect(rb"^250 2\.1\.0")
        g.send(b"RCPT TO:<%s>\r\n" % rcpt.encode())
        g.expect(rb"^250 2\.1\.5")
        g.send(b"DATA\r\n")
        g.expect(rb"^354 ")
        g.send(body + b".\r\n")
        g.expect(rb"^250 2\.0\.0")
        g.send(b"QUIT\r\n")
        g.expect(rb"^221 ")
    finally:
        g.close()
    check_stored_tls(srv, spec, b"Subject: gnutls-cli\r\n\r\n.dot\r\nend\r\n",
                     "TLSv1.3")


def curl_smtp_starttls(srv, pop=None):
    spec, rcpt = fresh(srv)
    body = b"Subject: curl starttls\r\n\r\nhello\r\n"
    path = os.path.join(srv.tmp, "curl-msg")
    with open(path, "wb") as f:
        f.write(body)
    rc, out = run(["curl", "-sS", "--max-time", str(int(TIMEOUT)),
                   "--cacert", pki("ca.crt"), "--ssl-reqd",
                   "smtp://%s:%d/curl.example" % (HOST, srv.port),
                   "--mail-from", "c@example.net", "--mail-rcpt", rcpt,
                   "-T", path])
    check(rc == 0, "curl exit %d: %s" % (rc, out))
    check_stored_tls(srv, spec, body, "TLSv1.3")


def swaks_starttls(srv, pop=None):
    spec, rcpt = fresh(srv)
    rc, out = run(["swaks", "--tls", "--tls-verify", "--tls-ca-path",
                   pki("ca.crt"), "-s", HOST, "-p", str(srv.port),
                   "--timeout", str(int(TIMEOUT)), "--helo", "swaks.example",
                   "-f", "s@example.net", "-t", rcpt,
                   "--header", "Subject: swaks tls", "--body", "swaks body"])
    check(rc == 0, "swaks exit %d:\n%s" % (rc, out[-1500:]))
    check("TLS started with cipher" in out, "swaks: no TLS:\n" + out[-800:])
    msgs = srv.wait_messages(spec, 1)
    check(len(msgs) == 1, "%d messages" % len(msgs))
    rec = received(msgs[0])
    check("(using TLSv1." in rec and " with ESMTPS id " in rec,
          "Received: %r" % rec)


# -- implicit TLS (SMTP) ------------------------------------------------------
def smtplib_implicit(srv, pop=None):
    spec, rcpt = fresh(srv)
    body = b"Subject: implicit\r\n\r\nsmtps\r\n"
    n = len(log_events(srv, "tls"))
    with smtplib.SMTP_SSL(HOST, srv.port, local_hostname="client.example",
                          timeout=TIMEOUT, context=ctx()) as c:
        version, cipher = c.sock.version(), c.sock.cipher()[0]
        code, _ = c.ehlo()
        check(code == 250, "EHLO %d" % code)
        check(not c.has_extn("starttls"), "STARTTLS offered over --tls")
        check(c.has_extn("auth"), "no AUTH over --tls: %r" %
              c.esmtp_features)
        refused = c.sendmail("bob@example.net", [rcpt], body)
        check(refused == {}, "refused: %r" % refused)
        code, text = c.docmd("STARTTLS")
        check((code, text) == (503, b"5.5.1 TLS already active"),
              "STARTTLS over --tls: %r" % ((code, text),))
    check_tls_logged(srv, n, version)
    check_stored_tls(srv, spec, body, version, cipher)
    return "%s %s" % (version, cipher)


def curl_smtps(srv, pop=None):
    spec, rcpt = fresh(srv)
    body = b"Subject: curl smtps\r\n\r\nhello\r\n"
    path = os.path.join(srv.tmp, "curl-msg")
    with open(path, "wb") as f:
        f.write(body)
    rc, out = run(["curl", "-sS", "--max-time", str(int(TIMEOUT)),
                   "--cacert", pki("ca.crt"),
                   "smtps://%s:%d/curl.example" % (HOST, srv.port),
                   "--mail-from", "c@example.net", "--mail-rcpt", rcpt,
                   "-T", path])
    check(rc == 0, "curl exit %d: %s" % (rc, out))
    check_stored_tls(srv, spec, body, "TLSv1.3")


def swaks_tlsc(srv, pop=None):
    spec, rcpt = fresh(srv)
    rc, out = run(["swaks", "--tls-on-connect", "--tls-verify",
                   "--tls-ca-path", pki("ca.crt"), "-s", HOST,
                   "-p", str(srv.port), "--timeout", str(int(TIMEOUT)),
                   "--helo", "swaks.example", "-f", "s@example.net",
                   "-t", rcpt, "--header", "Subject: swaks tlsc"])
    check(rc == 0, "swaks exit %d:\n%s" % (rc, out[-1500:]))
    check("TLS started with cipher" in out, "swaks: no TLS:\n" + out[-800:])
    rec = received(srv.wait_messages(spec, 1)[0])
    check("(using TLSv1." in rec and " with ESMTPS id " in rec,
          "Received: %r" % rec)


def implicit_plaintext_client(srv, pop=None):
    """A client that speaks first in cleartext: no greeting, a close,
    tls-failed in the log (and exit 111, checked at the end)."""
    n = len(log_events(srv, "tls-failed"))
    s = socket.create_connection((HOST, srv.port), timeout=TIMEOUT)
    try:
        s.sendall(b"EHLO plain.example\r\n")
        got = read_to_eof(s)
        check(b"220" not in got and b"+OK" not in got,
              "plaintext greeting on a --tls port: %r" % got)
    finally:
        s.close()
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) > n, 2.0)
    check(ev, "no tls-failed logged")


def implicit_tls11_refused(srv, pop=None):
    n = len(log_events(srv, "tls-failed"))
    rc, out = run(gnutls_cli(srv.port, None, "--priority",
                             "NORMAL:-VERS-ALL:+VERS-TLS1.1"),
                  timeout=TIMEOUT)
    check(rc != 0, "gnutls-cli TLS 1.1 succeeded:\n" + out[-800:])
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) > n, 2.0) and \
        log_events(srv, "tls-failed")
    check(ev, "no tls-failed logged")
    return ev[-1].split("error=", 1)[1]


# =============================================================================
# STLS (POP3)
def pop_account(pop, body=None):
    _n[0] += 1
    addr = "p%d@example.test" % _n[0]
    pop.add_account(addr, "pop pw %d" % _n[0])
    msg = body or (b"From: bob@example.net\r\nSubject: pop %d\r\n\r\n"
                   b".dot\r\nbody\r\n" % _n[0])
    pop.put_message("example.test/p%d" % _n[0], msg)
    return addr, "pop pw %d" % _n[0], msg


def poplib_stls(srv, pop):
    addr, pw, msg = pop_account(pop)
    n = len(log_events(pop, "tls"))
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        capa = p.capa()
        check("STLS" in capa, "no STLS in CAPA: %r" % capa)
        check("USER" not in capa and "SASL" not in capa,
              "plaintext login offered in cleartext: %r" % capa)
        for cmd in ("USER %s" % addr, "AUTH PLAIN"):
            try:
                r = p._shortcmd(cmd)
                raise Failure("%s in cleartext: %r" % (cmd, r))
            except poplib.error_proto as e:
                check(e.args[0] == b"-ERR [AUTH] Plaintext authentication "
                      b"disallowed on non-secure connections; use STLS",
                      "%s: %r" % (cmd, e.args[0]))
        r = p.stls(context=ctx())
        check(r == b"+OK Begin TLS negotiation", "STLS: %r" % r)
        version = p.sock.version()
        capa = p.capa()
        check("STLS" not in capa, "STLS offered over TLS: %r" % capa)
        check("USER" in capa and "PLAIN" in capa.get("SASL", []),
              "no USER / SASL PLAIN over TLS: %r" % capa)
        p.user(addr)
        p.pass_(pw)
        _, lines, _ = p.retr(1)
        check(b"\r\n".join(lines) + b"\r\n" == msg,
              "RETR %r, stored %r" % (lines, msg))
        try:
            r = p._shortcmd("STLS")
            raise Failure("STLS in TRANSACTION: %r" % r)
        except poplib.error_proto:
            pass
        p.quit()
    finally:
        p.close()
    check_tls_logged(pop, n, version)
    return version


def pop_stls_twice(srv, pop):
    c = pop_raw(pop.port)
    try:
        c.send(b"STLS\r\n")
        l = c.line()
        check(l == b"+OK Begin TLS negotiation", "STLS: %r" % l)
        wrap(c)
        c.send(b"STLS\r\n")
        l = c.line()
        check(l.startswith(b"-ERR"), "second STLS: %r" % l)
        c.send(b"QUIT\r\n")
        check(c.line().startswith(b"+OK"), "QUIT")
    finally:
        c.close()
    return l.decode()


def pop_injection(srv, pop):
    addr, pw, _ = pop_account(pop)
    n = len(log_events(pop, "starttls-injection"))
    c = pop_raw(pop.port)
    try:
        c.send(b"STLS\r\nCAPA\r\n")
        l = c.line()
        check(l == b"+OK Begin TLS negotiation", "STLS: %r" % l)
        wrap(c)
        nothing_within(c)                       # no CAPA answer
        c.send(b"CAPA\r\n")
        capa = pop_multi(c)
        check(b"STLS" not in capa and b"USER" in capa, "CAPA: %r" % capa)
        c.send(b"QUIT\r\n")
        check(c.line().startswith(b"+OK"), "QUIT")
    finally:
        c.close()
    inj = wait_for(lambda: len(log_events(pop, "starttls-injection")) > n,
                   2.0) and log_events(pop, "starttls-injection")
    check(inj and inj[-1].endswith(" dropped=6"),
          "no starttls-injection dropped=6: %r" % inj)
    # an injected USER is forgotten: PASS over TLS finds no user
    c = pop_raw(pop.port)
    try:
        c.send(b"STLS\r\nUSER %s\r\n" % addr.encode())
        check(c.line() == b"+OK Begin TLS negotiation", "STLS")
        wrap(c)
        nothing_within(c)
        c.send(b"PASS %s\r\n" % pw.encode())
        l = c.line()
        check(l.startswith(b"-ERR"), "PASS after an injected USER: %r" % l)
        c.send(b"QUIT\r\n")
        c.line()
    finally:
        c.close()


def pop_failed_handshake(srv, pop):
    n = len(log_events(pop, "tls-failed"))
    c = pop_raw(pop.port)
    try:
        c.send(b"STLS\r\n")
        check(c.line() == b"+OK Begin TLS negotiation", "STLS")
        c.send(b"\x16\x03\x01\x00\x05garbage that is not a handshake\r\n")
        got = read_to_eof(c.s)
        check(b"+OK" not in got and b"-ERR" not in got,
              "plaintext after the failed handshake: %r" % got)
    finally:
        c.close()
    ev = wait_for(lambda: len(log_events(pop, "tls-failed")) > n, 2.0) and \
        log_events(pop, "tls-failed")
    check(ev and 'error="handshake: ' in ev[-1], "tls-failed: %r" % ev)
    return ev[-1].split("error=", 1)[1]


def gnutls_cli_pop3(srv, pop):
    addr, pw, msg = pop_account(pop)
    g = Interact(gnutls_cli(pop.port, "pop3"))
    try:
        g.expect(rb"Handshake was completed")
        g.send(b"CAPA\r\n")
        m = g.expect(rb"^\+OK[^\n]*\n((?:.*\n)*?)\.\r\n")
        check(b"STLS" not in m.group(1) and b"USER" in m.group(1),
              "CAPA over TLS: %r" % m.group(1))
        g.send(b"USER %s\r\n" % addr.encode())
        g.expect(rb"^\+OK")
        g.send(b"PASS %s\r\n" % pw.encode())
        g.expect(rb"^\+OK maildrop has 1 ")
        g.send(b"RETR 1\r\n")
        m = g.expect(rb"^\+OK[^\n]*\n((?:.*\n)*?)\.\r\n")
        check(m.group(1) == msg.replace(b"\r\n.", b"\r\n.."),
              "RETR %r, stored %r" % (m.group(1), msg))
        g.send(b"QUIT\r\n")
        g.expect(rb"^\+OK")
    finally:
        g.close()


def curl_pop3(srv, pop, implicit=False):
    addr, pw, msg = pop_account(pop)
    url = "%s://%s:%d/1" % ("pop3s" if implicit else "pop3", HOST, pop.port)
    rc, out = run(["curl", "-sS", "--max-time", str(int(TIMEOUT)),
                   "--cacert", pki("ca.crt")] +
                  ([] if implicit else ["--ssl-reqd"]) +
                  ["-u", "%s:%s" % (addr, pw), url])
    check(rc == 0, "curl exit %d: %s" % (rc, out))
    check(out.encode() == msg, "curl got %r, stored %r" % (out, msg))
    check(" user=\"%s\"" % addr in "\n".join(log_events(pop, "auth")),
          "no login logged")


def poplib_implicit(srv, pops):
    addr, pw, msg = pop_account(pops)
    n = len(log_events(pops, "tls"))
    p = poplib.POP3_SSL(HOST, pops.port, timeout=TIMEOUT, context=ctx())
    try:
        version = p.sock.version()
        capa = p.capa()
        check("STLS" not in capa and "USER" in capa and
              "PLAIN" in capa.get("SASL", []), "CAPA over --tls: %r" % capa)
        try:
            r = p._shortcmd("STLS")
            raise Failure("STLS over --tls: %r" % r)
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR TLS already active",
                  "STLS over --tls: %r" % e.args[0])
        p.user(addr)
        p.pass_(pw)
        _, lines, _ = p.retr(1)
        check(b"\r\n".join(lines) + b"\r\n" == msg, "RETR %r" % lines)
        p.quit()
    finally:
        p.close()
    check_tls_logged(pops, n, version)
    return version


# =============================================================================
# a missing or unreadable certificate
def starttls_refused(srv, offered):
    """EHLO offers STARTTLS or not (OFFERED); STARTTLS gets 454 4.7.0 and
    the session goes on in plaintext."""
    c = smtp_raw(srv.port)
    try:
        ext = smtp_ehlo(c)
        check(("STARTTLS" in ext) == offered, "STARTTLS %s: %r" % (
            "not offered" if offered else "offered", ext))
        c.send(b"STARTTLS\r\n")
        lines = c.expect(454, "STARTTLS")
        check(lines[-1].startswith("454 4.7.0 "), "STARTTLS: %r" % lines)
        c.send(b"NOOP\r\n")
        c.expect(250, "NOOP after 454")
        c.send(b"QUIT\r\n")
        c.expect(221)
    finally:
        c.close()


def nocert_smtp(srv):
    starttls_refused(srv, offered=False)


def nocert_pop3(pop):
    c = pop_raw(pop.port)
    try:
        c.send(b"CAPA\r\n")
        capa = pop_multi(c)
        check(b"STLS" not in capa, "STLS offered: %r" % capa)
        c.send(b"STLS\r\n")
        l = c.line()
        check(l.startswith(b"-ERR [SYS/TEMP]"), "STLS: %r" % l)
        c.send(b"QUIT\r\n")
        check(c.line().startswith(b"+OK"), "QUIT")
    finally:
        c.close()


def nocert_implicit(srv):
    n = len(log_events(srv, "tls-failed"))
    s = socket.create_connection((HOST, srv.port), timeout=TIMEOUT)
    try:
        try:
            t = ctx().wrap_socket(s, server_hostname=HOST)
            raise Failure("handshake succeeded: %s" % t.version())
        except (ssl.SSLError, OSError):
            pass
    finally:
        s.close()
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) > n, 2.0) and \
        log_events(srv, "tls-failed")
    check(ev and "no readable certificate" in ev[-1], "tls-failed: %r" % ev)
    codes = wait_for(lambda: 111 in srv.child_exits(), TIMEOUT) and \
        srv.child_exits()
    check(codes and 111 in codes, "exit codes %r, want 111" % codes)


# =============================================================================
# client certificates
def client_cert_relay(srv, rcpt_ok=True, peer="CN=client.example",
                      cert="client"):
    """STARTTLS presenting CERT; the log names PEER; a remote recipient is
    relayed (RCPT_OK) into relay/remote.example/NAME or refused 550 5.7.1."""
    _n[0] += 1
    local = "r%d" % _n[0]
    n = len(log_events(srv, "tls"))
    body = b"Subject: relay %d\r\n\r\nrelay\r\n" % _n[0]
    with smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                      timeout=TIMEOUT) as c:
        c.starttls(context=ctx(cert))
        c.ehlo()
        try:
            refused = c.sendmail("a@example.net",
                                 ["%s@remote.example" % local], body)
        except smtplib.SMTPRecipientsRefused as e:
            refused = e.recipients
    check_tls_logged(srv, n, peer=peer)
    d = os.path.join(srv.tmp, "relay", "remote.example", local, "new")
    if rcpt_ok:
        check(refused == {}, "refused: %r" % refused)
        got = wait_for(lambda: os.path.isdir(d) and os.listdir(d), TIMEOUT)
        check(got and len(got) == 1, "nothing relayed into %s" % d)
        with open(os.path.join(d, got[0]), "rb") as f:
            check(strip_trace(f.read()) == body, "relayed bytes differ")
    else:
        r = refused.get("%s@remote.example" % local)
        check(r and r[0] == 550 and r[1].startswith(b"5.7.1"),
              "remote recipient: %r" % refused)
        check(not os.path.exists(d), "relayed anyway")
    return log_events(srv, "tls")[-1].split("peer=", 1)[1]


def session_fixation(srv):
    """auth_cleartext_from = 127.0.0.1: AUTH in cleartext, then STARTTLS:
    the login is forgotten (no relay, ESMTPS not ESMTPSA)."""
    spec, rcpt = fresh(srv)
    add_passwd(srv, ALICE, ALICE_PW)
    c = smtp_raw(srv.port)
    try:
        ext = smtp_ehlo(c)
        check(any(e.startswith("AUTH") for e in ext), "no AUTH: %r" % ext)
        c.send(b"AUTH PLAIN %s\r\n" % base64.b64encode(
            b"\0" + ALICE.encode() + b"\0" + ALICE_PW.encode()))
        c.expect(235, "cleartext AUTH")
        c.send(b"STARTTLS\r\n")
        c.expect(220, "STARTTLS")
        wrap(c)
        ext = smtp_ehlo(c)
        check(any(e.startswith("AUTH") for e in ext),
              "AUTH not offered again after STARTTLS: %r" % ext)
        c.send(b"MAIL FROM:<%s>\r\n" % ALICE.encode())
        c.expect(250, "MAIL")
        c.send(b"RCPT TO:<far@remote.example>\r\n")
        lines = c.expect(550, "relay after a pre-TLS login")
        check("5.7.1" in lines[-1], "RCPT: %r" % lines)
        c.send(b"RCPT TO:<%s>\r\nDATA\r\n" % rcpt.encode())
        c.expect(250, "local RCPT")
        c.expect(354, "DATA")
        c.send(b"Subject: fixation\r\n\r\nx\r\n.\r\n")
        c.expect(250, "end of data")
        c.send(b"QUIT\r\n")
        c.expect(221)
    finally:
        c.close()
    rec = received(srv.wait_messages(spec, 1)[0])
    check(" with ESMTPS id " in rec and "Authenticated" not in rec,
          "Received after a forgotten login: %r" % rec)


# =============================================================================
# stunnel in inetd mode wrapping the plain handlers
def stunnel_smtp(srv):
    spec, rcpt = fresh(srv)
    body = b"Subject: via stunnel\r\n\r\nwrapped\r\n"
    with smtplib.SMTP_SSL(HOST, srv.port, local_hostname="client.example",
                          timeout=TIMEOUT, context=ctx()) as c:
        version = c.sock.version()
        refused = c.sendmail("bob@example.net", [rcpt], body)
        check(refused == {}, "refused: %r" % refused)
    msgs = srv.wait_messages(spec, 1)
    check(len(msgs) == 1 and strip_trace(msgs[0]) == body,
          "stored %r" % msgs)
    # cartero did no TLS itself: plain ESMTP in Received
    rec = received(msgs[0])
    check(" with ESMTP id " in rec and "using" not in rec,
          "Received: %r" % rec)
    return version


def stunnel_pop3(pop):
    addr, pw, msg = pop_account(pop)
    p = poplib.POP3_SSL(HOST, pop.port, timeout=TIMEOUT, context=ctx())
    try:
        version = p.sock.version()
        p.user(addr)
        p.pass_(pw)
        _, lines, _ = p.retr(1)
        check(b"\r\n".join(lines) + b"\r\n" == msg, "RETR %r" % lines)
        p.quit()
    finally:
        p.close()
    return version


# =============================================================================
def ldd_gnutls():
    def libs(path):
        rc, out = run(["ldd", path], timeout=TIMEOUT)
        check(rc == 0, "ldd %s: %s" % (path, out))
        return out
    for b in (BIN, POP3_BIN):
        check("libgnutls" not in libs(b), "%s links libgnutls" % b)
    tls = os.path.join(PLUGINS, "tls.so")
    check("libgnutls" in libs(tls), "%s does not link libgnutls" % tls)


def check_clean(srv, implicit=False, need=("event=connect",)):
    """No handler left, no sanitizer report; socket-activate: every handler
    exited 0, except (IMPLICIT) one 111 per tls-failed."""
    check(srv.wait_idle(), "handlers still running: %r" % srv.handlers())
    log = srv.logtext()
    for bad in SANITIZER_MARKS:
        check(bad not in log, "log has %r" % bad)
    for want in need:
        check(want in log, "log lacks %r" % want)
    if srv.launcher != "socket-activate":
        return
    codes = wait_for(lambda: len(srv.child_exits()) >=
                     srv.logtext().count("Spawned "), TIMEOUT) and \
        srv.child_exits()
    check(codes, "no exit codes logged")
    n111 = len(log_events(srv, "tls-failed")) if implicit else 0
    check(sorted(codes) == [0] * (len(codes) - n111) + [111] * n111,
          "exit codes %r, want %d x 111 and the rest 0" % (codes, n111))


def run_group(name, servers, cases, finals):
    """Starts SERVERS (the first owns the folder), runs CASES
    [(label, fn)], then FINALS [(label, fn)]; always cleans up."""
    try:
        for s in servers:
            s.start()
    except Exception as e:
        R.not_ok("%s: start" % name, e, servers[0].logtext())
        servers[0].cleanup()
        return
    try:
        for label, fn, logsrv in cases:
            R.case("%s: %s" % (name, label), fn, logsrv)
        for label, fn, logsrv in finals:
            R.case("%s: %s" % (name, label), fn, logsrv)
    finally:
        servers[0].cleanup()


def main_group(launcher):
    """One folder: POP3 with STLS (owner), SMTP with STARTTLS, SMTP --tls,
    POP3 --tls."""
    pop = Pop3Server(launcher, accounts={}, pop3d="auth_requires_tls = yes",
                     conf_extra=SMTP_AUTH.format(smtpd="") + tls_section())
    smtp = TlsServer(launcher, bin=BIN, share=pop)
    smtps = TlsServer(launcher, bin=BIN, share=pop, args=["--tls"])
    pops = TlsServer(launcher, bin=POP3_BIN, share=pop, args=["--tls"])
    basic = [
        ("smtplib starttls(): STARTTLS offered, Received has TLS, ESMTPS",
         lambda: smtplib_starttls(smtp), smtp),
        ("poplib stls(): CAPA before/after, USER/AUTH refused in "
         "cleartext, retr", lambda: poplib_stls(smtp, pop), pop),
        ("smtplib SMTP_SSL with --tls: no STARTTLS, 503 to it, Received",
         lambda: smtplib_implicit(smtps), smtps),
        ("poplib POP3_SSL with --tls: CAPA, STLS -ERR, retr",
         lambda: poplib_implicit(smtp, pops), pops),
    ]
    full = [
        ("TLS 1.2 client: Received (using TLSv1.2 ...), log version",
         lambda: smtplib_tls12(smtp), smtp),
        ("AUTH PLAIN only after STARTTLS (auth_requires_tls = yes), "
         "ESMTPSA", lambda: smtp_auth_after_tls(smtp), smtp),
        ("after STARTTLS: MAIL before EHLO 503, no STARTTLS in EHLO, "
         "second STARTTLS 503 5.5.1", lambda: smtp_reset_after_tls(smtp),
         smtp),
        ("STARTTLS\\r\\nRSET\\r\\n: RSET never answered, "
         "starttls-injection dropped=6", lambda: smtp_injection(smtp), smtp),
        ("garbage after 220 Ready: tls-failed, connection closed",
         lambda: smtp_failed_handshake(smtp), smtp),
        ("TLS 1.1-only client refused (STARTTLS)",
         lambda: smtp_tls11_refused(smtp), smtp),
        ("gnutls-cli --starttls-proto=smtp sends a message",
         lambda: gnutls_cli_smtp(smtp), smtp),
        ("curl smtp:// --ssl-reqd (STARTTLS)",
         lambda: curl_smtp_starttls(smtp), smtp),
        ("swaks --tls (STARTTLS)", lambda: swaks_starttls(smtp), smtp),
        ("curl smtps:// (--tls)", lambda: curl_smtps(smtps), smtps),
        ("swaks --tls-on-connect (--tls)", lambda: swaks_tlsc(smtps), smtps),
        ("--tls: a cleartext client gets no greeting, tls-failed",
         lambda: implicit_plaintext_client(smtps), smtps),
        ("--tls: TLS 1.1-only client refused",
         lambda: implicit_tls11_refused(smtps), smtps),
        ("POP3 STLS twice: -ERR", lambda: pop_stls_twice(smtp, pop), pop),
        ("STLS\\r\\nCAPA\\r\\n: CAPA never answered, injected USER "
         "forgotten, starttls-injection", lambda: pop_injection(smtp, pop),
         pop),
        ("POP3 garbage after +OK Begin: tls-failed, closed",
         lambda: pop_failed_handshake(smtp, pop), pop),
        ("gnutls-cli --starttls-proto=pop3: CAPA, USER/PASS, RETR",
         lambda: gnutls_cli_pop3(smtp, pop), pop),
        ("curl pop3:// --ssl-reqd (STLS)", lambda: curl_pop3(smtp, pop),
         pop),
        ("curl pop3s:// (--tls)", lambda: curl_pop3(smtp, pops, True), pops),
        ("--tls POP3: a cleartext client gets no greeting, tls-failed",
         lambda: implicit_plaintext_client(pops), pops),
    ]
    finals = [
        ("smtpd (STARTTLS) exited 0, log clean",
         lambda: check_clean(smtp, need=("event=connect", "event=tls ",
                                         "event=disconnect")), smtp),
        ("smtpd --tls: exit 111 only after tls-failed, log clean",
         lambda: check_clean(smtps, True), smtps),
        ("pop3d (STLS) exited 0, log clean",
         lambda: check_clean(pop, need=("event=connect", "event=tls ")),
         pop),
        ("pop3d --tls: exit 111 only after tls-failed, log clean",
         lambda: check_clean(pops, True), pops),
    ]
    cases = basic + (full if launcher == "socket-activate" else [])
    run_group(launcher, [pop, smtp, smtps, pops], cases, finals)


def nocert_group(kind):
    """[tls] cert/key missing, or (user = nobody) unreadable."""
    if kind == "missing":
        extra = tls_section("missing.crt", "missing.key")
    else:
        extra = tls_section("unreadable.crt", "unreadable.key")
    pop = Pop3Server("socket-activate", accounts={},
                     pop3d="auth_requires_tls = yes", conf_extra=extra)
    if kind == "unreadable":
        for n in ("crt", "key"):
            dst = os.path.join(pop.tmp, "unreadable." + n)
            shutil.copy(pki("server." + n), dst)
            os.chmod(dst, 0o600)            # root's; the handler is nobody
        with open(pop.conf) as f:
            text = f.read()
        with open(pop.conf, "w") as f:
            f.write("user = nobody\n" + text)
        os.chmod(pop.tmp, 0o711)            # nobody reaches plugins/
    smtp = TlsServer("socket-activate", bin=BIN, share=pop)
    smtps = TlsServer("socket-activate", bin=BIN, share=pop, args=["--tls"])
    pops = TlsServer("socket-activate", bin=POP3_BIN, share=pop,
                     args=["--tls"])
    run_group("%s cert" % kind, [pop, smtp, smtps, pops], [
        ("no STARTTLS in EHLO, STARTTLS -> 454 4.7.0, session goes on",
         lambda: nocert_smtp(smtp), smtp),
        ("no STLS in CAPA, STLS -> -ERR [SYS/TEMP]",
         lambda: nocert_pop3(pop), pop),
        ("smtpd --tls: tls-failed, exit 111", lambda: nocert_implicit(smtps),
         smtps),
        ("pop3d --tls: tls-failed, exit 111", lambda: nocert_implicit(pops),
         pops),
    ], [
        ("smtpd exited 0, log clean", lambda: check_clean(smtp), smtp),
        ("pop3d exited 0, log clean", lambda: check_clean(pop), pop),
        ("smtpd --tls: exit 111 per tls-failed",
         lambda: check_clean(smtps, True), smtps),
        ("pop3d --tls: exit 111 per tls-failed",
         lambda: check_clean(pops, True), pops),
    ])


# a key that is not the certificate's (cartero compares key ids instead of
# GnuTLS's test signature): STARTTLS is offered (the files are readable),
# the command gets 454 before any go-ahead, the log names the mismatch; a
# matching RSA pair works
def mismatch_smtp(srv):
    n = len(log_events(srv, "tls-failed"))
    starttls_refused(srv, offered=True)
    ev = wait_for(lambda: len(log_events(srv, "tls-failed")) > n, 2.0) and \
        log_events(srv, "tls-failed")
    check(ev and "do not match" in ev[-1], "tls-failed: %r" % ev)


def rsa_smtp(srv):
    with smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT) as c:
        c.ehlo("client.example")
        c.starttls(context=ctx())
        check(c.sock.version() in ("TLSv1.2", "TLSv1.3"),
              "version %r" % c.sock.version())
        c.ehlo("client.example")
        check(c.noop()[0] == 250, "NOOP over TLS")


def mismatch_groups():
    for label, cert, key in (("EC certificate, another EC key", "server.crt",
                              "client.key"),
                             ("RSA certificate, an EC key", "rsa.crt",
                              "server.key"),
                             ("EC certificate, an RSA key", "server.crt",
                              "rsa.key")):
        srv = Server("socket-activate",
                     conf_extra=tls_section(pki(cert), pki(key)))
        run_group("mismatched key (%s)" % label, [srv], [
            ("%s: STARTTLS offered, 454 4.7.0, log says they do not match"
             % label, lambda: mismatch_smtp(srv), srv),
        ], [
            ("%s: smtpd exited 0, log clean" % label,
             lambda: check_clean(srv), srv),
        ])
    srv = Server("socket-activate", conf_extra=tls_section(
        pki("rsa.crt"), pki("rsa.key")))
    run_group("RSA key", [srv], [
        ("RSA 2048 pair: smtplib STARTTLS works", lambda: rsa_smtp(srv), srv),
    ], [])


def client_cert_groups():
    relay = "\n[relay]\nstore = maildir\npath = relay/%d/%u\n"
    srv = Server("socket-activate", conf_extra=SMTP_AUTH.format(
        smtpd="auth_cleartext_from = 127.0.0.1\n") + relay + tls_section(
        extra="ca = %s\nrelay_client_certs = yes\n" % pki("ca.crt")))
    smtps = TlsServer("socket-activate", bin=BIN, share=srv, args=["--tls"])

    def implicit_cert():
        n = len(log_events(smtps, "tls"))
        with smtplib.SMTP_SSL(HOST, smtps.port, timeout=TIMEOUT,
                              context=ctx("client")) as c:
            c.ehlo()
            code, text = c.docmd("MAIL FROM:<a@example.net>")
            check(code == 250, "MAIL %r" % text)
            code, text = c.docmd("RCPT TO:<x@remote.example>")
            check(code == 250, "RCPT to a remote domain: %d %r" %
                  (code, text))
            c.docmd("RSET")
        m = check_tls_logged(smtps, n, peer="CN=client.example")
        return m.group(3)

    run_group("client certs", [srv, smtps], [
        ("cert signed by [tls] ca: peer DN logged, relayed "
         "(relay_client_certs = yes)", lambda: client_cert_relay(srv), srv),
        ("no client cert: peer=\"\", 550 5.7.1",
         lambda: client_cert_relay(srv, False, "", None), srv),
        ("cert from another CA: peer=\"\", 550 5.7.1",
         lambda: client_cert_relay(srv, False, "", "rogue"), srv),
        ("cleartext AUTH then STARTTLS: login forgotten (no relay, ESMTPS)",
         lambda: session_fixation(srv), srv),
        ("--tls with a client cert: peer logged, may relay",
         implicit_cert, smtps),
    ], [
        ("smtpd exited 0, log clean", lambda: check_clean(srv), srv),
        ("smtpd --tls exited 0, log clean", lambda: check_clean(smtps, True),
         smtps),
    ])
    srv = Server("socket-activate", conf_extra=relay + tls_section(
        extra="ca = %s\n" % pki("ca.crt")))
    run_group("client certs, relay_client_certs unset", [srv], [
        ("cert logged but no relay: 550 5.7.1",
         lambda: client_cert_relay(srv, False, "CN=client.example"), srv),
    ], [
        ("smtpd exited 0, log clean", lambda: check_clean(srv), srv),
    ])


def priority_group():
    srv = Server("socket-activate", conf_extra=tls_section(
        extra="priority = NORMAL:-VERS-ALL:+VERS-TLS1.2\n"))
    run_group("[tls] priority", [srv], [
        ("TLS 1.2 only: default client gets 1.2, 1.3-only client refused",
         lambda: priority_tls12_only(srv), srv),
    ], [
        ("smtpd exited 0, log clean", lambda: check_clean(srv), srv),
    ])


def stunnel_group():
    pop = Pop3Server("socket-activate", accounts={}, pop3d=(
        "auth_requires_tls = yes\nauth_cleartext_from = 127.0.0.1"))
    smtp = Stunneled("socket-activate", bin=BIN, share=pop)
    pops = Stunneled("socket-activate", bin=POP3_BIN, share=pop)
    pop.add_user("example.test/s1")
    run_group("stunnel inetd mode", [pop, smtp, pops], [
        ("smtplib SMTP_SSL -> stunnel -> plain cartero-smtpd",
         lambda: stunnel_smtp(smtp), smtp),
        ("poplib POP3_SSL -> stunnel -> plain cartero-pop3d",
         lambda: stunnel_pop3(pops), pops),
    ], [
        ("smtp: stunnel exited 0, handler logged connect/disconnect",
         lambda: check_clean(smtp, need=("event=connect",
                                         "event=disconnect")), smtp),
        ("pop3: stunnel exited 0, handler logged connect/disconnect",
         lambda: check_clean(pops, need=("event=connect",
                                         "event=disconnect")), pops),
    ])


def main():
    try:
        make_pki()
    except Exception as e:
        R.not_ok("make a CA and certificates with openssl", e)
        shutil.rmtree(PKI, ignore_errors=True)
        return R.done()
    try:
        R.case("ldd: no libgnutls in cartero-smtpd/pop3d; tls.so has it",
               ldd_gnutls)
        for launcher in LAUNCHERS:
            main_group(launcher)
        for kind in ("missing", "unreadable"):
            nocert_group(kind)
        mismatch_groups()
        client_cert_groups()
        priority_group()
        stunnel_group()
    finally:
        shutil.rmtree(PKI, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
