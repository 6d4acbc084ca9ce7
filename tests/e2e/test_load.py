#!/usr/bin/env python3
# ISC license.
# Load: many sessions at once on loopback, bounded in count and time.
#  - N SMTP sessions open at the same time (every greeting read before any
#    session goes on), under systemd-socket-activate and under
#    tcpserver -c 600; each sends one message to a maildrop of its own and
#    to one shared maildrop.  0 errors; every message stored exactly once
#    in each (the shared one gets N distinct names at once: the unique
#    names hold under concurrency); every handler exits 0.
#  - M POP3 sessions at once on M distinct maildrops: each logs in,
#    RETRs and DELEs every message and QUITs; 0 errors, every message
#    read once, byte for byte, and every maildrop empty after.
# N = 500 and M = 100 with CARTERO_FULL=1; 100 and 30 in CI (fewer under
# ASan, whose processes are large).
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, LAUNCHERS, Failure,  # noqa: E402
                         Pop3Server, Raw, Reporter, Server, check,
                         check_handlers_clean, strip_trace)
from pipeproc import full, is_asan  # noqa: E402

R = Reporter()
FULL = full()
N_SMTP = 500 if FULL else 100
N_POP3 = 100 if FULL else 30
if is_asan(BIN):
    N_SMTP, N_POP3 = (200, 50) if FULL else (40, 20)
WAIT = 120.0        # the bound on any one client's wait under load


class Wide:
    """Server.argv with room for the load: tcpserver -c 600 -b 600."""

    def argv(self, port):
        a = Server.argv(self, port)
        if a[0] == "tcpserver":
            a[1:1] = ["-c", "600", "-b", "600"]
        return a


class LoadServer(Wide, Server):
    pass


class LoadPop3Server(Wide, Pop3Server):
    pass


def smtp_client(srv, i, barrier, out):
    """One session; puts None or the reason it failed into out[i]."""
    c = None
    try:
        c = Raw(srv.port, timeout=WAIT)
        c.expect(220, "greeting")
        barrier[0].wait(WAIT)       # all greeted: N handlers alive
        barrier[1].wait(WAIT)       # counted: go on
        c.send(b"EHLO load%d.example\r\nMAIL FROM:<load%d@example.net>\r\n"
               b"RCPT TO:<u%03d@example.test>\r\n"
               b"RCPT TO:<shared@example.test>\r\nDATA\r\n" % (i, i, i))
        for code in (250, 250, 250, 250, 354):
            c.expect(code, "session %d" % i)
        c.send(message(i) + b".\r\n")
        c.expect(250, "session %d: data" % i)
        c.send(b"QUIT\r\n")
        c.expect(221, "session %d: QUIT" % i)
        out[i] = None
    except Exception as e:      # noqa: BLE001 (counted, shown)
        out[i] = "%s: %s" % (type(e).__name__, e)
    finally:
        if c is not None:
            c.close()


def message(i):
    return (b"Subject: load %d\r\nX-Load: %d\r\n\r\n" % (i, i) +
            b"body line of the load test\r\n" * 40)


def smtp_load(launcher):
    users = ["example.test/u%03d" % i for i in range(N_SMTP)]
    srv = LoadServer(launcher, users=users + ["example.test/shared"])
    with srv:
        out = [Failure("not run")] * N_SMTP
        barrier = [threading.Barrier(N_SMTP + 1) for _ in range(2)]
        threads = [threading.Thread(target=smtp_client,
                                    args=(srv, i, barrier, out))
                   for i in range(N_SMTP)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        try:
            barrier[0].wait(WAIT)
            t_open = time.monotonic() - t0
            peak = len(srv.handlers())
            barrier[1].wait(WAIT)
        except threading.BrokenBarrierError:
            t_open, peak = float("nan"), 0
        for t in threads:
            t.join(WAIT * 2)
        elapsed = time.monotonic() - t0
        errors = [(i, e) for i, e in enumerate(out) if e is not None]
        check(not errors, "%d of %d sessions failed, first: %r" %
              (len(errors), N_SMTP, errors[:3]))
        check(peak == N_SMTP, "%d handlers alive at once, not %d" %
              (peak, N_SMTP))
        # every message exactly once, where it belongs
        for i in range(N_SMTP):
            got = srv.messages("example.test/u%03d" % i)
            check(len(got) == 1 and strip_trace(got[0]) == message(i),
                  "u%03d has %d messages" % (i, len(got)))
        shared = srv.messages("example.test/shared")
        tags = sorted(int(m.split(b"X-Load: ")[1].split(b"\r\n")[0])
                      for m in shared)
        check(tags == list(range(N_SMTP)), "shared maildrop: %d messages, "
              "%d distinct" % (len(tags), len(set(tags))))
        check_handlers_clean(srv)
    return ("%d sessions at once under %s: all greeted in %.1fs (%d "
            "handlers alive), done in %.1fs, %.0f sessions/s, 0 errors" %
            (N_SMTP, launcher, t_open, peak, elapsed, N_SMTP / elapsed))


# -- POP3 -------------------------------------------------------------------
POP_MSGS = 5


def pop3_client(srv, i, barrier, out, want):
    s = None
    try:
        s = socket.create_connection((HOST, srv.port), timeout=WAIT)
        f = s.makefile("rb")

        def line():
            l = f.readline()
            if not l.endswith(b"\r\n"):
                raise Failure("session %d: cut line %r" % (i, l))
            return l[:-2]

        def ok(what):
            l = line()
            if not l.startswith(b"+OK"):
                raise Failure("session %d: %s: %r" % (i, what, l))
            return l

        ok("greeting")
        barrier.wait(WAIT)
        s.sendall(b"USER u%03d@example.test\r\nPASS pw%d\r\nSTAT\r\n" %
                  (i, i))
        ok("USER")
        ok("PASS")
        stat = ok("STAT")
        if not stat.startswith(b"+OK %d " % POP_MSGS):
            raise Failure("session %d: STAT %r" % (i, stat))
        got = []
        for n in range(1, POP_MSGS + 1):
            s.sendall(b"RETR %d\r\n" % n)
            ok("RETR")
            lines = []
            while True:
                l = line()
                if l == b".":
                    break
                lines.append(l[1:] if l.startswith(b".") else l)
            got.append(b"\r\n".join(lines) + b"\r\n")
        if got != want:
            raise Failure("session %d: RETR gave other messages" % i)
        s.sendall(b"".join(b"DELE %d\r\n" % n
                           for n in range(1, POP_MSGS + 1)) + b"QUIT\r\n")
        for n in range(POP_MSGS):
            ok("DELE")
        ok("QUIT")
        out[i] = None
    except Exception as e:      # noqa: BLE001
        out[i] = "%s: %s" % (type(e).__name__, e)
    finally:
        if s is not None:
            s.close()


def pop3_load(launcher):
    accounts = {"u%03d@example.test" % i: "pw%d" % i for i in range(N_POP3)}
    srv = LoadPop3Server(launcher, accounts=accounts)
    want = {}
    for i in range(N_POP3):
        spec = "example.test/u%03d" % i
        want[i] = []
        for n in range(POP_MSGS):
            data = b"Subject: pop %d/%d\r\n\r\n.dot-start line\r\n" % (i, n)
            srv.put_message(spec, data)
            want[i].append(data)
    with srv:
        out = [Failure("not run")] * N_POP3
        barrier = threading.Barrier(N_POP3 + 1)
        threads = [threading.Thread(target=pop3_client,
                                    args=(srv, i, barrier, out, want[i]))
                   for i in range(N_POP3)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        try:
            barrier.wait(WAIT)
        except threading.BrokenBarrierError:
            pass
        for t in threads:
            t.join(WAIT * 2)
        elapsed = time.monotonic() - t0
        errors = [(i, e) for i, e in enumerate(out) if e is not None]
        check(not errors, "%d of %d sessions failed, first: %r" %
              (len(errors), N_POP3, errors[:3]))
        left = sum(len(srv.all_files("example.test/u%03d" % i))
                   for i in range(N_POP3))
        check(left == 0, "%d messages left after DELE+QUIT" % left)
        check_handlers_clean(srv)
    return ("%d POP3 sessions at once under %s: %d messages read and "
            "deleted in %.1fs, %.0f sessions/s, 0 errors" %
            (N_POP3, launcher, N_POP3 * POP_MSGS, elapsed,
             N_POP3 / elapsed))


def main():
    for launcher in LAUNCHERS:
        R.case("load: SMTP, %s" % launcher, lambda: smtp_load(launcher))
    R.case("load: POP3, socket-activate", lambda: pop3_load(
        "socket-activate"))
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
