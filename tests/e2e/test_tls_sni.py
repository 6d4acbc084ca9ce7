#!/usr/bin/env python3
# ISC license.
# End-to-end SNI ([tls] sni_dir): the certificate a TLS client gets follows
# the server name it asks for (RFC 6066 3).  sni_dir holds one folder a
# name, with fullchain.pem and privkey.pem (certbot's live/ layout), or
# "*.PARENT" for any name one label below PARENT; every other case gets
# [tls] cert, and nothing that goes wrong with a name's folder fails the
# handshake.  Clients: Python's ssl (server_hostname), gnutls-cli
# (--sni-hostname, STARTTLS for SMTP and POP3).  Throw-away EC P-256
# certificates made with openssl in a temp folder.  A name that is not a
# host name never gets that far: GnuTLS ends the handshake (checked too).
#
# Checked, per case: the subject of the certificate the client got, the
# event=tls-sni log line (name, cert= the file or "default", error=), and
# that the session then works (220 greeting, EHLO/CAPA, a message sent);
# with [tls] ca, a client certificate verifies under a name's certificate.
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, SANITIZER_MARKS, TIMEOUT,  # noqa: E402
                         Failure, Pop3Server, Reporter, check, openssl_in,
                         wait_for)

R = Reporter()
PKI = tempfile.mkdtemp(prefix="cartero-e2e-sni-")


def openssl(*args):
    openssl_in(PKI, *args)


def self_signed(cert, key, cn, san):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", cert, "-days", "2", "-subj", "/CN=" + cn, "-addext",
            "subjectAltName=" + san)


def make_pki():
    """default.crt (mx.example.test); sni/mail.example.org,
    sni/*.example.net with their own; sni/bad.example.org whose key is
    another certificate's; sni/empty.example.org with no files."""
    self_signed("default.crt", "default.key", "mx.example.test",
                "DNS:mx.example.test")
    for name in ("mail.example.org", "*.example.net"):
        os.makedirs(os.path.join(PKI, "sni", name))
        self_signed(os.path.join("sni", name, "fullchain.pem"),
                    os.path.join("sni", name, "privkey.pem"), name,
                    "DNS:" + name)
    bad = os.path.join(PKI, "sni", "bad.example.org")
    os.makedirs(bad)
    shutil.copy(os.path.join(PKI, "sni", "mail.example.org",
                             "fullchain.pem"), bad)
    shutil.copy(os.path.join(PKI, "default.key"),
                os.path.join(bad, "privkey.pem"))
    os.makedirs(os.path.join(PKI, "sni", "empty.example.org"))
    # RSA for key encipherment only: no TLS 1.3 signature with it
    kex = os.path.join("sni", "kex.example.org")
    os.makedirs(os.path.join(PKI, kex))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
            os.path.join(kex, "privkey.pem"), "-out",
            os.path.join(kex, "fullchain.pem"), "-days", "2", "-subj",
            "/CN=kex.example.org", "-addext",
            "subjectAltName=DNS:kex.example.org", "-addext",
            "keyUsage=critical,keyEncipherment")
    # a CA and a client certificate it signed, for [tls] ca
    self_signed("ca.crt", "ca.key", "sni test CA", "DNS:ca.example")
    openssl("req", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            "client.key", "-out", "client.csr", "-subj",
            "/CN=client.example")
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey",
            "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2")


# X448 left out, so that a client whose first key share is X448 gets a
# HelloRetryRequest and sends a second hello.
PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-GROUP-X448"


def tls_section(extra=""):
    return "\n[tls]\ncert = %s\nkey = %s\nsni_dir = %s\npriority = %s\n%s" \
        % (os.path.join(PKI, "default.crt"), os.path.join(PKI, "default.key"),
           os.path.join(PKI, "sni"), PRIORITY, extra)


def subject_cn(der):
    """The CN of a DER certificate (openssl x509 -subject)."""
    p = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout",
                        "-subject", "-nameopt", "multiline"], input=der,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=TIMEOUT)
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        k, _, v = line.strip().partition("=")
        if k.strip() == "commonName":
            return v.strip()
    raise Failure("no CN in %r" % p.stdout)


def client_ctx(max_version=None):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE       # the names are checked by hand
    if max_version:
        c.maximum_version = max_version
    return c


def sni_lines(srv):
    return [l for l in srv.logtext().splitlines() if " event=tls-sni " in l]


def new_sni_line(srv, n):
    """The event=tls-sni line after the first N (None when none came)."""
    lines = wait_for(lambda: len(sni_lines(srv)) > n, 2.0) and sni_lines(srv)
    check(not lines or len(lines) == n + 1, "more than one line: %r" % lines)
    return lines[n] if lines else None


def implicit(srv, name, max_version=None, context=None):
    """--tls: a handshake asking for NAME (None: no SNI); the CN got, the
    greeting."""
    c = context or client_ctx(max_version)
    with socket.create_connection((HOST, srv.port), timeout=TIMEOUT) as s, \
            c.wrap_socket(s, server_hostname=name) as t:
        cn = subject_cn(t.getpeercert(binary_form=True))
        greeting = t.recv(512)
        t.sendall(b"QUIT\r\n")
        t.recv(512)
    return cn, greeting


def case_implicit(srv, name, want_cn, want_log, max_version=None):
    n = len(sni_lines(srv))
    cn, greeting = implicit(srv, name, max_version)
    check(cn == want_cn, "asked for %r, got CN %r, want %r" % (
        name, cn, want_cn))
    check(greeting.startswith(b"220 "), "greeting %r" % greeting)
    line = new_sni_line(srv, n)
    if want_log is None:
        check(line is None, "a tls-sni line without SNI: %r" % line)
    else:
        check(line is not None and all(w in line for w in want_log),
              "log %r lacks %r" % (line, want_log))


def case_unsuitable(srv):
    """A name's certificate that cannot serve the client (RSA for key
    encipherment only, a TLS 1.3 client): [tls] cert instead, and the log
    says so after the handshake."""
    n = len(sni_lines(srv))
    cn, greeting = implicit(srv, "kex.example.org", None)
    check(cn == "mx.example.test", "got CN %r" % cn)
    check(greeting.startswith(b"220 "), "greeting %r" % greeting)
    lines = wait_for(lambda: len(sni_lines(srv)) >= n + 2, 2.0) and \
        sni_lines(srv)[n:]
    check(lines and len(lines) == 2 and "/kex.example.org/fullchain.pem"
          in lines[0] and "name=kex.example.org cert=default error=" in
          lines[1] and "does not suit" in lines[1], "log %r" % lines)


def case_second_hello(srv):
    """openssl s_client with X448 first: the server asks for another
    key share (HelloRetryRequest), the client says hello twice; the
    folder is read once and its certificate served."""
    n = len(sni_lines(srv))
    p = subprocess.run(
        ["openssl", "s_client", "-connect", "%s:%d" % (HOST, srv.port),
         "-tls1_3", "-groups", "X448:X25519", "-servername",
         "mail.example.org", "-msg"], input=b"QUIT\r\n",
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    out = p.stdout.decode("utf-8", "replace")
    check(out.count("ClientHello") == 2, "not two hellos:\n%s" % out[-3000:])
    check("CN = mail.example.org" in out or "CN=mail.example.org" in out,
          "certificate served:\n%s" % out[-3000:])
    lines = wait_for(lambda: len(sni_lines(srv)) > n, 2.0) and \
        sni_lines(srv)[n:]
    check(lines and len(lines) == 1 and "name=mail.example.org " in
          lines[0], "tls-sni lines %r" % lines)


def case_bad_name(srv, name):
    """GnuTLS itself refuses a server name that is not a host name
    (before cartero's own check, which then never sees it): the handshake
    fails, tls-failed says why, and --tls exits 111."""
    n = len(sni_lines(srv))
    try:
        implicit(srv, name)
        raise Failure("handshake with SNI %r completed" % name)
    except (ssl.SSLError, ConnectionError):
        pass
    check(wait_for(lambda: "disallowed SNI server name" in srv.logtext(),
                   2.0), "no tls-failed line: %s" % srv.logtext())
    check(len(sni_lines(srv)) == n, "tls-sni logged for %r" % name)


def starttls_smtplib(srv, name, want_cn):
    """smtplib over STARTTLS with server_hostname NAME; a message sent."""
    n = len(sni_lines(srv))

    class Sni(smtplib.SMTP):
        def starttls(self, context=None):
            self._host = name       # smtplib sends SNI = the host it dialled
            return smtplib.SMTP.starttls(self, context=context)
    with Sni(HOST, srv.port, local_hostname="client.example",
             timeout=TIMEOUT) as c:
        c.ehlo()
        code, _ = c.starttls(context=client_ctx())
        check(code == 220, "STARTTLS %d" % code)
        cn = subject_cn(c.sock.getpeercert(binary_form=True))
        c.ehlo()
        refused = c.sendmail("s@example.org", ["alice@example.test"],
                             b"Subject: sni\r\n\r\nhello\r\n")
        check(refused == {}, "refused %r" % refused)
    check(cn == want_cn, "asked for %r, got CN %r" % (name, cn))
    line = new_sni_line(srv, n)
    check(line is not None and "name=%s " % name.lower() in line + " ",
          "log %r" % line)


def gnutls_cli(port, proto, name):
    """gnutls-cli STARTTLS for PROTO asking for NAME; what it printed
    about the server's certificate chain, up to QUIT's answer."""
    p = subprocess.run(
        ["gnutls-cli", "--insecure", "--starttls-proto=" + proto,
         "--sni-hostname=" + name, "--print-cert", "-p", str(port), HOST],
        input=b"QUIT\r\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def case_gnutls_cli(srv, proto, name, want_cn):
    n = len(sni_lines(srv))
    rc, out = gnutls_cli(srv.port, proto, name)
    check("Handshake was completed" in out, "gnutls-cli: %s" % out)
    check("CN=%s" % want_cn in out, "no CN=%s in %s" % (want_cn, out))
    line = new_sni_line(srv, n)
    check(line is not None and "name=%s " % name in line, "log %r" % line)


def case_client_cert(srv):
    """[tls] ca applies to a name's certificate too: the client's
    certificate verifies and its subject is logged."""
    n = len(sni_lines(srv))
    c = client_ctx()
    c.load_cert_chain(os.path.join(PKI, "client.crt"),
                      os.path.join(PKI, "client.key"))
    cn, greeting = implicit(srv, "mail.example.org", context=c)
    check(cn == "mail.example.org", "got CN %r" % cn)
    check(greeting.startswith(b"220 "), "greeting %r" % greeting)
    line = new_sni_line(srv, n)
    check(line is not None and "name=mail.example.org " in line,
          "log %r" % line)
    check(wait_for(lambda: 'peer="CN=client.example"' in srv.logtext(),
                   2.0), "no verified peer logged: %s" % srv.logtext())


def check_clean(srv):
    """No handler left, no sanitizer report, every handler exited 0 but
    one 111 for each failed implicit-TLS handshake."""
    check(srv.wait_idle(), "handlers still running")
    log = srv.logtext()
    for bad in SANITIZER_MARKS:
        check(bad not in log, "log has %r" % bad)
    codes = wait_for(lambda: len(srv.child_exits()) >=
                     log.count("Spawned "), TIMEOUT) and srv.child_exits()
    n111 = log.count(" event=tls-failed ")
    check(codes and sorted(codes) == [0] * (len(codes) - n111) +
          [111] * n111, "exit codes %r, %d tls-failed" % (codes, n111))


def main():
    try:
        make_pki()
    except Failure as e:
        R.not_ok("certificates made", e)
        return R.done()
    pop = Pop3Server("socket-activate", accounts={},
                     pop3d="auth_requires_tls = yes",
                     users=["example.test/alice"], conf_extra=tls_section())
    smtps = pop.sibling(BIN, args=["--tls"])
    smtp = pop.sibling(BIN)
    servers = [pop, smtps, smtp]
    try:
        for s in servers:
            s.start()
        cases = [
            ("--tls: the name's folder", lambda: case_implicit(
                smtps, "mail.example.org", "mail.example.org",
                ["name=mail.example.org ", "/mail.example.org/fullchain.pem"
                 ])),
            ("--tls: names compared without case", lambda: case_implicit(
                smtps, "MAIL.Example.ORG", "mail.example.org",
                ["name=mail.example.org "])),
            ("--tls: *.PARENT for a name one label below", lambda:
             case_implicit(smtps, "imap.example.net", "*.example.net",
                           ["name=imap.example.net ",
                            "/*.example.net/fullchain.pem"])),
            ("--tls: two labels below is no match: default", lambda:
             case_implicit(smtps, "a.b.example.net", "mx.example.test",
                           ["name=a.b.example.net cert=default"])),
            ("--tls: a name without a folder: default, logged", lambda:
             case_implicit(smtps, "other.example", "mx.example.test",
                           ["name=other.example cert=default"])),
            ("--tls: no SNI: default, no tls-sni line", lambda:
             case_implicit(smtps, None, "mx.example.test", None)),
            ("--tls: key not the certificate's: default, error logged",
             lambda: case_implicit(smtps, "bad.example.org",
                                   "mx.example.test",
                                   ["name=bad.example.org cert=default "
                                    "error=", "do not match"])),
            ("--tls: folder without files: default, error logged",
             lambda: case_implicit(smtps, "empty.example.org",
                                   "mx.example.test",
                                   ["name=empty.example.org cert=default "
                                    "error=", "fullchain.pem"])),
            ("--tls: not a host name ('_'): GnuTLS ends the handshake, "
             "logged", lambda: case_bad_name(smtps, "a_b.example.org")),
            ("--tls: a name's certificate unfit for the client: default, "
             "logged", lambda: case_unsuitable(smtps)),
            ("--tls: a second hello (HelloRetryRequest): the folder read "
             "once", lambda: case_second_hello(smtps)),
            ("--tls: TLS 1.2 client: the name's folder", lambda:
             case_implicit(smtps, "mail.example.org", "mail.example.org",
                           ["name=mail.example.org "],
                           ssl.TLSVersion.TLSv1_2)),
            ("smtplib STARTTLS: the name's folder, message sent", lambda:
             starttls_smtplib(smtp, "mail.example.org", "mail.example.org")),
            ("gnutls-cli --starttls-proto=smtp: wildcard folder", lambda:
             case_gnutls_cli(smtp, "smtp", "pop.example.net",
                             "*.example.net")),
            ("gnutls-cli --starttls-proto=pop3 (STLS): the name's folder",
             lambda: case_gnutls_cli(pop, "pop3", "mail.example.org",
                                     "mail.example.org")),
        ]
        for label, fn in cases:
            R.case(label, fn, servers[0])
        for s in servers:
            R.case("%s exited 0, log clean" % os.path.basename(s.bin),
                   lambda s=s: check_clean(s), s)
    finally:
        pop.cleanup()
    ca = Pop3Server("socket-activate", accounts={}, conf_extra=tls_section(
        "ca = %s\n" % os.path.join(PKI, "ca.crt")))
    ca_smtps = ca.sibling(BIN, args=["--tls"])
    try:
        ca_smtps.start()
        R.case("[tls] ca: a client certificate verifies under a name's "
               "certificate", lambda: case_client_cert(ca_smtps), ca_smtps)
        R.case("[tls] ca: handlers exited 0, log clean",
               lambda: check_clean(ca_smtps), ca_smtps)
    finally:
        ca.cleanup()
        shutil.rmtree(PKI, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
