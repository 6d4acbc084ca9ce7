#!/usr/bin/env python3
# ISC license.
# End-to-end round trip: messages go in by SMTP (bin/cartero-smtpd under
# systemd-socket-activate, Python smtplib or a raw socket) and come out by
# POP3 (bin/cartero-pop3d under tcpserver, Python poplib), both handlers on
# one configuration file and one Maildir tree.  What RETR gives back, once
# poplib has un-stuffed it and cartero's two trace fields (Return-Path,
# Received) are removed, must be exactly what the client sent (CRLF); LIST
# must announce what RETR sends; DELE+QUIT must empty the maildrop.
import base64
import os
import poplib
import smtplib
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (HOST, TIMEOUT, POP3_BIN, Failure, Raw, Reporter,  # noqa: E402
                         Server, check, check_handlers_clean, received,
                         spec_of, strip_trace)

R = Reporter()
USER = "alice@example.test"
PASSWORD = "round trip"
SENDER = "bob@example.net"
BIG_TIMEOUT = 45.0          # the 20 MB message, ASan build included


def big_attachment():
    """A ~20 MB message: a text part and a base64 attachment (76-column
    lines) made of pseudo-random bytes generated here."""
    data = os.urandom(15 * 1000 * 1000)
    b64 = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (b"From: " + SENDER.encode() + b"\r\nTo: " + USER.encode() +
            b"\r\nSubject: big attachment\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b0undary\"\r\n\r\n"
            b"--b0undary\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            b".\r\n--b0undary\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"random.bin\"\r\n"
            b"\r\n" + b64 + b"--b0undary--\r\n")


# (subject, how it is sent, the client's message, what must come back)
def messages():
    dots = (b"From: bob@example.net\r\nSubject: dots\r\n\r\n"
            b".\r\n..x\r\n.hidden\r\n...\r\n. \r\n..\r\nmiddle\r\n.\r\n")
    eight = (b"From: bob@example.net\r\nSubject: 8bit\r\n"
             b"Content-Type: text/plain; charset=iso-8859-1\r\n"
             b"Content-Transfer-Encoding: 8bit\r\n\r\n" +
             "Grüße aus Köln, ¿qué tal? 日本語\r\n".encode("utf-8") +
             bytes(range(0x80, 0x100)) + b"\r\n" +
             b"\x01\x02\x1b\x7f\tcontrol bytes\r\n.\xe9t\xe9\r\n")
    nofinal = (b"From: bob@example.net\r\nSubject: no final newline\r\n\r\n"
               b"first line\r\n.dotted\r\nlast line without a newline")
    onlydot = b"Subject: last line is a dot\r\n\r\n."
    return [
        ("dots", "smtplib", dots, dots),
        ("8bit", "smtplib", eight, eight),
        # SMTP always ends the data with CRLF, so the stored (and
        # retrieved) message is the CRLF-normalised content
        ("no final newline", "raw", nofinal, nofinal + b"\r\n"),
        ("last line is a dot", "raw", onlydot, onlydot + b"\r\n"),
        ("big attachment", "smtplib", None, None),
    ]


def send_smtplib(srv, msg):
    timeout = BIG_TIMEOUT if len(msg) > 1000000 else TIMEOUT
    with smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                      timeout=timeout) as c:
        refused = c.sendmail(SENDER, [USER], msg,
                             mail_options=["BODY=8BITMIME"])
        check(refused == {}, "refused: %r" % refused)


def send_raw(srv, msg):
    """The message's own bytes, stuffed, then CRLF.CRLF: a message that
    does not end in CRLF has its last line end right before it."""
    c = Raw(srv.port)
    try:
        c.expect(220, "greeting")
        c.send(b"EHLO raw.example\r\n")
        c.expect(250, "EHLO")
        c.send(b"MAIL FROM:<%s> BODY=8BITMIME\r\n" % SENDER.encode())
        c.expect(250, "MAIL")
        c.send(b"RCPT TO:<%s>\r\n" % USER.encode())
        c.expect(250, "RCPT")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        stuffed = b"\r\n".join(b"." + l if l.startswith(b".") else l
                               for l in msg.split(b"\r\n"))
        c.send(stuffed + b"\r\n.\r\n")
        c.expect(250, "end of data")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
    finally:
        c.close()


class Trip:
    def __init__(self):
        self.smtp = Server("socket-activate", accounts={USER: PASSWORD})
        self.pop = self.smtp.sibling(POP3_BIN, "tcpserver")
        self.sent = []              # (subject, expected back)

    def __enter__(self):
        self.smtp.start()
        self.pop.start()
        return self

    def __exit__(self, *exc):
        self.smtp.cleanup()


def send_all(t):
    spec = spec_of(USER)
    for subject, how, msg, want in messages():
        if msg is None:
            msg = want = big_attachment()
        t0 = time.monotonic()
        (send_smtplib if how == "smtplib" else send_raw)(t.smtp, msg)
        n = len(t.sent) + 1
        t.smtp.wait_messages(spec, n, BIG_TIMEOUT)
        check(len(t.smtp.all_files(spec)) == n,
              "%s: %d messages stored, want %d" %
              (subject, len(t.smtp.all_files(spec)), n))
        t.sent.append((subject, want, time.monotonic() - t0))
    return "%d messages, %.1f MB" % (len(t.sent),
                                     sum(len(w) for _, w, _ in t.sent) / 1e6)


def retrieve_all(t):
    p = poplib.POP3(HOST, t.pop.port, timeout=BIG_TIMEOUT)
    try:
        p.user(USER)
        p.pass_(PASSWORD)
        n, size = p.stat()
        check(n == len(t.sent), "STAT %r, sent %d" % ((n, size), len(t.sent)))
        sizes = [int(l.split()[1]) for l in p.list()[1]]
        files = t.pop.all_files(spec_of(USER))
        check(sum(sizes) == size and
              sizes == [os.path.getsize(f) for f in files],
              "LIST %r, file sizes %r" %
              (sizes, [os.path.getsize(f) for f in files]))
        notes = []
        for i, (subject, want, secs) in enumerate(t.sent):
            t0 = time.monotonic()
            resp, lines, octets = p.retr(i + 1)
            got = b"\r\n".join(lines) + b"\r\n"
            check(octets == sizes[i], "%s: RETR gave %d octets, LIST said "
                  "%d" % (subject, octets, sizes[i]))
            check(got.startswith(b"Return-Path: <%s>\r\n" %
                                 SENDER.encode()),
                  "%s: no Return-Path first: %r" % (subject, got[:100]))
            rec = received(got)
            check("[127.0.0.1]" in rec and "for <%s>;" % USER in rec,
                  "%s: Received %r" % (subject, rec))
            body = strip_trace(got)
            if body != want:
                at = next((k for k in range(min(len(body), len(want)))
                           if body[k] != want[k]), min(len(body), len(want)))
                raise Failure("%s: RETR differs from what was sent at "
                              "byte %d of %d/%d: got %r, sent %r" %
                              (subject, at, len(body), len(want),
                               body[at - 20:at + 40], want[at - 20:at + 40]))
            if len(want) > 1000000:
                notes.append("%s: SMTP %.1fs, POP3 %.1fs" %
                             (subject, secs, time.monotonic() - t0))
        for i in range(len(t.sent)):
            p.dele(i + 1)
        r = p.quit()
        check(r.startswith(b"+OK") and b"(0 messages left)" in r,
              "QUIT: %r" % r)
    finally:
        p.close()
    left = t.pop.all_files(spec_of(USER))
    check(left == [], "maildrop not empty after DELE all + QUIT: %r" % left)
    return "; ".join(notes)


def handlers_clean(t):
    check_handlers_clean(t.smtp, ("event=connect", "event=stored"))
    check_handlers_clean(t.pop, ("event=auth result=ok",
                                 "event=update result=ok deleted=%d " %
                                 len(t.sent)))


def main():
    try:
        t = Trip()
        t.__enter__()
    except Failure as e:
        R.not_ok("start smtpd + pop3d", e)
        return R.done()
    try:
        R.case("SMTP in: dots, 8-bit, no final newline, 20 MB attachment",
               lambda: send_all(t), t.smtp)
        R.case("POP3 out: RETR = sent after the trace fields; DELE+QUIT",
               lambda: retrieve_all(t), t.pop)
        R.case("handlers exited 0, logs clean", lambda: handlers_clean(t),
               t.pop)
    finally:
        t.__exit__()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
