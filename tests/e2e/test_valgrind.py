#!/usr/bin/env python3
# ISC license.
# valgrind memcheck over whole sessions of the plain build, plugins loaded
# (maildir, testauth, tls), under systemd-socket-activate: the launcher
# runs "valgrind ... cartero-smtpd -c CONF" for each connection, so no
# --trace-children is needed.  Each handler must exit 0 with "ERROR
# SUMMARY: 0 errors" (--error-exitcode=97; definite and indirect leaks
# count as errors).
#   SMTP: two messages (DATA to two recipients, BDAT in two chunks), RSET
#   AUTH: PLAIN and LOGIN through testauth, a wrong password, then mail
#   STARTTLS: upgrade, AUTH over TLS, a message
#   POP3: STAT, LIST, UIDL, RETR, TOP, DELE, QUIT (UPDATE); and STLS
# The ASan variant of the runner skips this (valgrind and ASan exclude
# each other).  About 15 s.
import glob
import os
import poplib
import re
import shutil
import smtplib
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, POP3_BIN, Failure, Raw,  # noqa: E402
                         Reporter, Server, check, wait_for)
from pipeproc import is_asan  # noqa: E402

R = Reporter()
SLOW = 60.0     # a handler under valgrind starts in about a second
VG_OPTS = ["--error-exitcode=97", "--leak-check=full",
           "--errors-for-leak-kinds=definite,indirect",
           "--show-leak-kinds=definite,indirect", "--num-callers=30"]


class VgServer(Server):
    """The handler behind systemd-socket-activate, run by valgrind."""

    def argv(self, port):
        a = Server.argv(self, port)
        i = a.index(self.bin)
        vglog = os.path.join(self.tmp, "vg.%s.%%p.log" %
                             os.path.basename(self.bin))
        return a[:i] + ["valgrind", "--log-file=" + vglog] + VG_OPTS + a[i:]

    def handlers(self):
        spawned = self.logtext().count("Spawned ")
        return ["?"] * (spawned - len(self.child_exits()))


def make_cert(d):
    key, crt = os.path.join(d, "key.pem"), os.path.join(d, "crt.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", key, "-out", crt, "-days", "2", "-subj",
                        "/CN=mx.example.test"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    check(p.returncode == 0, "openssl: %r" % p.stdout)
    return crt, key


def vg_reports(srv, prog):
    """(handlers run, [reports with errors])."""
    logs = glob.glob(os.path.join(srv.tmp, "vg.%s.*.log" % prog))
    bad = []
    for p in logs:
        with open(p) as f:
            text = f.read()
        m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        if m is None or m.group(1) != "0":
            bad.append(text[-4000:])
    return len(logs), bad


def finish(srv, prog, n_want):
    check(wait_for(lambda: not srv.handlers(), SLOW), "handlers still run")
    n, bad = vg_reports(srv, prog)
    check(n >= n_want, "%d valgrind reports, want %d" % (n, n_want))
    check(not bad, "memcheck errors:\n%s" % "\n----\n".join(bad))
    codes = srv.child_exits()
    check(codes and all(c == 0 for c in codes), "exit codes %r (97: "
          "memcheck errors)" % codes)
    return "%d %s sessions, 0 errors" % (n, prog)


def unverified():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def smtp_sessions(srv):
    # 1. DATA to two recipients, BDAT in two chunks, RSET
    c = Raw(srv.port, timeout=SLOW)
    try:
        c.expect(220)
        c.send(b"EHLO vg.example\r\n")
        c.expect(250)
        c.send(b"MAIL FROM:<s@example.net>\r\nRCPT TO:<alice@example.test>\r\n"
               b"RCPT TO:<bob@example.test>\r\nDATA\r\n")
        for code in (250, 250, 250, 354):
            c.expect(code)
        c.send(b"Subject: vg data\r\n\r\n..dot\r\nline\r\n.\r\n")
        c.expect(250, "DATA")
        body = b"Subject: vg bdat\r\n\r\nchunked\r\n"
        c.send(b"MAIL FROM:<s@example.net> SIZE=100 BODY=8BITMIME\r\n"
               b"RCPT TO:<alice@example.test>\r\n"
               b"BDAT 10\r\n" + body[:10] +
               b"BDAT %d LAST\r\n" % (len(body) - 10) + body[10:])
        for code in (250, 250, 250, 250):
            c.expect(code, "BDAT")
        c.send(b"MAIL FROM:<s@example.net>\r\nRSET\r\nNOOP\r\nVRFY x\r\n"
               b"HELP\r\nBOGUS\r\nQUIT\r\n")
        for _ in range(6):
            c.reply()
        c.expect(221)
    finally:
        c.close()
    # 2. AUTH PLAIN and LOGIN through testauth, a wrong password first
    s = smtplib.SMTP(HOST, srv.port, timeout=SLOW)
    try:
        s.ehlo("vg.example")
        s.user, s.password = "alice@example.test", "wrong"
        try:
            s.auth("PLAIN", s.auth_plain)
            raise Failure("a wrong password was taken")
        except smtplib.SMTPAuthenticationError:
            pass
        s.user, s.password = "alice@example.test", "pw"
        s.auth("PLAIN", s.auth_plain)
        s.sendmail("alice@example.test", ["bob@example.test"],
                   "Subject: vg auth\r\n\r\nx\r\n")
    finally:
        s.quit()
    s = smtplib.SMTP(HOST, srv.port, timeout=SLOW)
    try:
        s.ehlo("vg.example")
        s.user, s.password = "bob@example.test", "pw2"
        code, _ = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        check(code == 235, "AUTH LOGIN %d" % code)
    finally:
        s.quit()
    # 3. STARTTLS, then AUTH and a message over TLS
    s = smtplib.SMTP(HOST, srv.port, timeout=SLOW)
    try:
        s.ehlo("vg.example")
        s.starttls(context=unverified())
        s.ehlo("vg.example")
        s.login("alice@example.test", "pw")
        s.sendmail("alice@example.test", ["alice@example.test"],
                   "Subject: vg tls\r\n\r\nover TLS\r\n")
    finally:
        s.quit()
    n = len(srv.files("example.test/alice")) + \
        len(srv.files("example.test/bob"))
    check(n == 5, "%d messages stored, want 5" % n)
    return finish(srv, "cartero-smtpd", 4)


def pop3_sessions(pop):
    p = poplib.POP3(HOST, pop.port, timeout=SLOW)
    try:
        p.user("alice@example.test")
        p.pass_("pw")
        n, _ = p.stat()
        check(n >= 2, "STAT %d" % n)
        p.list()
        p.uidl()
        p.retr(1)
        p.top(2, 0)
        p.dele(1)
    finally:
        p.quit()
    p = poplib.POP3(HOST, pop.port, timeout=SLOW)
    try:
        p.stls(context=unverified())
        p.user("bob@example.test")
        p.pass_("pw2")
        p.stat()
        p.retr(1)
        p.dele(1)
    finally:
        p.quit()
    return finish(pop, "cartero-pop3d", 2)


def main():
    if is_asan(BIN):
        R.skip("valgrind memcheck", "the ASan build is not for valgrind")
        return R.done()
    if shutil.which("valgrind") is None:
        R.not_ok("valgrind memcheck", "valgrind is not installed "
                 "(scripts/deps test)")
        return R.done()
    srv = VgServer(accounts={"alice@example.test": "pw",
                             "bob@example.test": "pw2"})
    try:
        crt, key = make_cert(srv.tmp)
        with open(srv.conf, "a") as f:
            f.write("\n[smtpd]\nauth = testauth\nauth_requires_tls = no\n"
                    "auth_delay = 10\n\n[tls]\ncert = %s\nkey = %s\n" %
                    (crt, key))
        pop = VgServer("socket-activate", bin=POP3_BIN, share=srv)
        with srv:
            R.case("valgrind: SMTP, AUTH, STARTTLS sessions",
                   lambda: smtp_sessions(srv), srv)
            pop.start()
            R.case("valgrind: POP3 RETR/TOP/DELE/QUIT and STLS sessions",
                   lambda: pop3_sessions(pop), pop)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
