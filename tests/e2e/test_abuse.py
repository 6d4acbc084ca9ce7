#!/usr/bin/env python3
# ISC license.
# Limits under abuse: the handler over pipes is fed what an attacker would
# send, and its peak resident set (VmHWM from /proc/PID/status, read while
# it still runs, just before QUIT) must stay bounded; the session must end
# with the right reply.
#
#  case                          CI        CARTERO_FULL=1   reply
#  pipelined RCPTs (120 users)   10^5      10^6             250 / 452 4.5.3
#  a line with no newline        20 MB     100 MB           500 5.5.2
#  the same line inside DATA     20 MB     100 MB           552 5.3.4
#  SIZE= with 20 digits          -         -                501 / 552 5.3.4
#  one byte a second (timeout 2) command, DATA, BDAT        421 4.4.2
#  NOOPs                         10^5      10^6             250 each
#
# The bound: the peak may exceed that of an idle handler (measured the
# same way, after its greeting) by at most GROWTH_KB = 6 MB.  Anything
# that kept a few bytes per RCPT or per NOOP, or buffered the long line,
# would pass it (10^6 RCPTs x 6 octets; a line of 20 MB); what the handler
# legitimately holds (8 kB I/O buffers, the spool buffer, 100 recipient
# slots, a 64 kB copy buffer) is far below.  The ASan build is held to the
# same growth (its idle peak is larger: shadow memory): it allocates no
# more per command, so its quarantine does not grow either.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import BIN, Reporter, Server, check  # noqa: E402
from pipeproc import Handler, full, handler_env, is_asan  # noqa: E402

R = Reporter()
FULL = full()
ASAN = is_asan(BIN)
N_RCPT = 10 ** 6 if FULL else 10 ** 5
N_NOOP = 10 ** 6 if FULL else 10 ** 5
LINE_MB = 100 if FULL else 20
GROWTH_KB = 6 * 1024
USERS = ["u%03d" % i for i in range(1, 121)]
MAX_SIZE = 10 * 1024 * 1024
PEAKS = []


class Abuse:
    def __init__(self, conf_extra=""):
        self.srv = Server(users=["example.test/" + u for u in USERS],
                          conf_extra=conf_extra)
        self.log = os.path.join(self.srv.tmp, "handler.log")

    def start(self):
        self.errf = open(self.log, "ab")
        h = Handler([BIN, "-c", self.srv.conf],
                    env=handler_env(self.srv.tmp), cwd=self.srv.tmp,
                    keep=False, stderr=self.errf)
        return h

    def idle_kb(self):
        """VmHWM of a handler that only greeted (and loaded plugins)."""
        h = self.start()
        try:
            h.wait_lines(1)
            time.sleep(0.05)
            return h.hwm_kb()
        finally:
            h.kill()

    def logtext(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cleanup(self):
        self.srv.cleanup()


def bounded(name, h, base, what):
    """Reads VmHWM now (before QUIT) and checks the bound."""
    kb = h.hwm_kb()
    PEAKS.append("%s %.1f MB" % (name, kb / 1024))
    check(kb - base < GROWTH_KB, "%s: VmHWM %d kB, %d kB over an idle "
          "handler (bound %d kB)" % (what, kb, kb - base, GROWTH_KB))
    return "VmHWM %.1f MB (idle %.1f MB)%s" % (kb / 1024, base / 1024,
                                              ", ASan" if ASAN else "")


def quit(h):
    h.send(b"QUIT\r\n")
    n = h.n_lines + 1
    h.wait_lines(n, 60)
    check(h.last and h.last[-1].startswith(b"221 "),
          "QUIT: last lines %r" % list(h.last)[-3:])
    rc = h.finish(60)
    check(rc == 0, "exit %d" % rc)


def expect_counts(h, total, want, timeout):
    got = h.wait_lines(total, timeout)
    check(got >= total, "only %d of %d replies within %ds (last %r)" %
          (got, total, timeout, list(h.last)[-3:]))
    for code, n in want.items():
        check(h.codes[code] == n, "%d replies %s, want %d (all: %r)" %
              (h.codes[code], code.decode(), n, dict(h.codes)))


def rcpt_flood(a, base):
    h = a.start()
    try:
        h.send(b"EHLO x\r\nMAIL FROM:<flood@example.net>\r\n")
        # written in pieces so the test's own memory stays small too
        piece = b"".join(b"RCPT TO:<%s@example.test>\r\n" % u.encode()
                         for u in USERS)
        sent = 0
        while sent < N_RCPT:
            k = min(len(USERS), N_RCPT - sent)
            h.send(piece if k == len(USERS) else b"".join(
                b"RCPT TO:<%s@example.test>\r\n" % u.encode()
                for u in USERS[:k]))
            sent += k
        # the first 100 distinct addresses are taken, then 452 4.5.3 for
        # a new one; a repeated one taken earlier is 250 again
        n452 = 0
        for i in range(N_RCPT):
            n452 += (i % len(USERS)) >= 100
        expect_counts(h, 1 + 7 + 1 + N_RCPT,
                      {b"220": 1, b"250": 1 + 1 + N_RCPT - n452,
                       b"452": n452}, 600)
        check("code=452 status=4.5.3" in a.logtext(), "no 452 4.5.3 logged")
        note = bounded("RCPT x%d" % N_RCPT, h, base, "RCPT flood")
        total = h.n_lines
        h.send(b"DATA\r\nSubject: to 100\r\n\r\nhello\r\n.\r\n")
        h.wait_lines(total + 2, 120)
        check(list(h.last)[-1].startswith(b"250 2.0.0"), "DATA: %r" %
              list(h.last)[-2:])
        quit(h)
    finally:
        h.kill()
    for u in USERS:
        n = len(a.srv.files("example.test/" + u))
        check(n == (1 if int(u[1:]) <= 100 else 0), "%s has %d" % (u, n))
    return "%d RCPTs, 100 taken, %d x 452 4.5.3, message stored for 100; %s" % (
        N_RCPT, n452, note)


def long_line(a, base):
    h = a.start()
    try:
        h.send(b"EHLO x\r\n")
        h.wait_lines(1 + 7)
        chunk = b"A" * (1 << 20)
        for _ in range(LINE_MB):
            h.send(chunk)
        time.sleep(0.2)
        note = bounded("line %d MB" % LINE_MB, h, base, "long line")
        n = h.n_lines
        h.send(b"\r\nNOOP\r\n")
        h.wait_lines(n + 2, 60)
        last = list(h.last)[-2:]
        check(last[0] == b"500 5.5.2 Line too long" and
              last[1].startswith(b"250"), "after the line: %r" % last)
        quit(h)
    finally:
        h.kill()
    return "%d MB without newline -> 500 5.5.2, session goes on; %s" % (
        LINE_MB, note)


def long_data_line(a, base):
    h = a.start()
    try:
        h.send(b"EHLO x\r\nMAIL FROM:<a@example.net>\r\n"
               b"RCPT TO:<u120@example.test>\r\nDATA\r\n")
        h.wait_lines(1 + 7 + 3)
        check(list(h.last)[-1].startswith(b"354"), "DATA: %r" %
              list(h.last)[-1:])
        chunk = b"B" * (1 << 20)
        for _ in range(LINE_MB):
            h.send(chunk)
        time.sleep(0.2)
        note = bounded("DATA line %d MB" % LINE_MB, h, base, "DATA line")
        n = h.n_lines
        h.send(b"\r\n.\r\n")
        h.wait_lines(n + 1, 60)
        check(list(h.last)[-1].startswith(b"552 5.3.4"), "end of data: %r"
              % list(h.last)[-1:])
        quit(h)
    finally:
        h.kill()
    check(a.srv.files("example.test/u120") == [], "something was stored")
    return "%d MB line in DATA (max %d) -> 552 5.3.4, nothing stored; %s" % (
        LINE_MB, MAX_SIZE, note)


def size_param(a, base):
    h = a.start()
    try:
        h.send(b"EHLO x\r\n"
               b"MAIL FROM:<a@example.net> SIZE=99999999999999999999\r\n"
               b"MAIL FROM:<a@example.net> SIZE=18446744073709551615\r\n"
               b"MAIL FROM:<a@example.net> SIZE=1000000000000000000000000"
               b"00000000000000\r\n"
               b"MAIL FROM:<a@example.net> SIZE=100\r\n")
        h.wait_lines(1 + 7 + 4)
        last = [l[:9] for l in list(h.last)[-4:]]
        check(last == [b"501 5.5.4", b"552 5.3.4", b"501 5.5.4",
                       b"250 2.1.0"], "replies %r" % list(h.last)[-4:])
        note = bounded("SIZE", h, base, "SIZE")
        quit(h)
    finally:
        h.kill()
    return "20 digits (over 2^64) -> 501 5.5.4, 2^64-1 -> 552 5.3.4, " \
        "then MAIL works; %s" % note


def noops(a, base):
    h = a.start()
    try:
        h.send(b"EHLO x\r\n")
        block = b"NOOP\r\n" * 10000
        for _ in range(N_NOOP // 10000):
            h.send(block)
        expect_counts(h, 1 + 7 + N_NOOP, {b"250": 1 + N_NOOP}, 600)
        note = bounded("NOOP x%d" % N_NOOP, h, base, "NOOPs")
        quit(h)
    finally:
        h.kill()
    return "%d NOOPs, each 250; %s" % (N_NOOP, note)


def traversal(a, base):
    """Local parts that would name another folder if pasted into the
    path template: refused (501 syntax, or 550 no such user), nothing
    made outside mail/, the postmaster exception not abused."""
    bad = [b'"../../../x"@example.test', b'"a/b"@example.test',
           b'".."@example.test', b'"."@example.test',
           b'"u001/../u002"@example.test', b'".u001"@example.test',
           b'postmaster@"../x"', b'"postmaster/../../x"@example.test']
    before = sorted(os.listdir(a.srv.tmp))
    h = a.start()
    try:
        h.send(b"EHLO x\r\nMAIL FROM:<t@example.net>\r\n" + b"".join(
            b"RCPT TO:<%s>\r\n" % r for r in bad))
        h.wait_lines(1 + 7 + 1 + len(bad))
        codes = [l[:3] for l in list(h.last)[-len(bad):]]
        check(all(c in (b"501", b"550", b"553") for c in codes),
              "replies %r" % list(h.last)[-len(bad):])
        note = bounded("traversal", h, base, "traversal")
        quit(h)
    finally:
        h.kill()
    check(sorted(os.listdir(a.srv.tmp)) == before, "new files beside "
          "mail/: %r" % sorted(set(os.listdir(a.srv.tmp)) - set(before)))
    made = [d for d in os.listdir(os.path.join(a.srv.tmp, "mail",
                                               "example.test"))
            if d not in USERS]
    check(made == [], "maildrops made: %r" % made)
    return "%d addresses, replies %s; %s" % (
        len(bad), "/".join(sorted({c.decode() for c in codes})), note)


TRICKLE_TIMEOUT = 2


def trickle(a, base, where):
    """One byte a second: the deadline is per command line (and in DATA
    and BDAT per line or per half buffer), not per read, so the session
    ends with 421 4.4.2 about TRICKLE_TIMEOUT seconds in."""
    h = a.start()
    try:
        setup = {"command": b"EHLO x\r\n",
                 "DATA": b"EHLO x\r\nMAIL FROM:<a@example.net>\r\n"
                         b"RCPT TO:<u001@example.test>\r\nDATA\r\n",
                 "BDAT": b"EHLO x\r\nMAIL FROM:<a@example.net>\r\n"
                         b"RCPT TO:<u001@example.test>\r\nBDAT 1000 LAST\r\n"}
        h.send(setup[where])
        want = {"command": 8, "DATA": 11, "BDAT": 10}[where]
        h.wait_lines(want)
        t0 = time.monotonic()
        ended = None
        for i in range(TRICKLE_TIMEOUT + 6):
            h.send(b"x")
            h.hwm_kb()
            if h.wait_eof(1.0):
                ended = time.monotonic() - t0
                break
        note = bounded("trickle %s" % where, h, base, "trickle")
        check(ended is not None, "still open after %ds of trickle" %
              (TRICKLE_TIMEOUT + 6))
        check(list(h.last)[-1] ==
              b"421 4.4.2 Timeout exceeded, closing connection",
              "last reply %r" % list(h.last)[-1:])
        check(TRICKLE_TIMEOUT - 0.5 <= ended <= TRICKLE_TIMEOUT + 2.5,
              "ended after %.1fs, timeout %ds" % (ended, TRICKLE_TIMEOUT))
        rc = h.finish()
        check(rc == 0, "exit %d" % rc)
    finally:
        h.kill()
    check(a.srv.files("example.test/u001") == [], "something was stored")
    return "1 byte/s in %s: 421 4.4.2 after %.1fs; %s" % (where, ended, note)


def main():
    a = Abuse("\n[smtpd]\nmax_message_size = %d\n" % MAX_SIZE)
    t = Abuse("\n[smtpd]\ntimeout = %d\n" % TRICKLE_TIMEOUT)
    try:
        base = a.idle_kb()
        R.case("abuse: pipelined RCPT flood", lambda: rcpt_flood(a, base))
        R.case("abuse: long command line", lambda: long_line(a, base))
        R.case("abuse: long line in DATA", lambda: long_data_line(a, base))
        R.case("abuse: SIZE with 20+ digits", lambda: size_param(a, base))
        R.case("abuse: NOOP flood", lambda: noops(a, base))
        R.case("abuse: path traversal in addresses",
               lambda: traversal(a, base))
        for where in ("command", "DATA", "BDAT"):
            R.case("abuse: trickle in %s" % where,
                   lambda: trickle(t, base, where))
        R.case("abuse: no handler logged a bug", lambda: check(
            "event=bug" not in a.logtext() + t.logtext() and "Sanitizer"
            not in a.logtext() + t.logtext(), "bug in the log"))
        print("# peaks: idle %.1f MB; %s" % (base / 1024, "; ".join(PEAKS)))
    finally:
        a.cleanup()
        t.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
