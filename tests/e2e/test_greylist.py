#!/usr/bin/env python3
# ISC license.
# End-to-end greylisting: the real handler with the greylist plugin, driven
# over pipes (TCPREMOTEIP gives each session its client address) and once
# behind systemd-socket-activate with smtplib.  Real time, small numbers:
# delay = 2 s, so the test sleeps a few seconds in all, never minutes.
#
# Cases: first attempt 451 with the delay; early retry 451; retry in the
# window 250 and the message stored; a passed triplet passes at once; its
# allowlisting lapses; a retry after the window starts over; another
# recipient is its own triplet; IPv4 /24 and IPv6 /64 grouping; AUTH and
# allow_clients bypass; expiry once per expire_every (its time kept in
# the state); a broken state lets mail through; 20 handler
# processes on one new state file at once, twice.
import base64
import os
import select
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, SANITIZER_MARKS, TIMEOUT,  # noqa: E402
                         Failure, Reporter, Server, check,
                         check_handlers_clean)

R = Reporter()
DELAY = 2
USERS = ["example.test/%s" % u for u in
         ("alice", "bob", "carol", "dave", "erin")]

# delay 2, a retry window of 6 s, allowlisting for 3 s after last seen.
CONF_A = """
[smtpd]
filters = greylist
auth = passwd
auth_requires_tls = no
auth_delay = 10

[plugin passwd]
file = users

[plugin greylist]
state = greylist.db
delay = %d
retry_window = 6s
auto_allow = 3
allow_clients = allow
""" % DELAY


def conf_with(srv, name, greylist_lines):
    """A second configuration file NAME in SRV's folder: the base one with
    another [plugin greylist] section."""
    base = open(srv.conf).read().split("[smtpd]")[0]
    path = os.path.join(srv.tmp, name)
    with open(path, "w") as f:
        f.write(base + "[smtpd]\nfilters = greylist\n\n"
                "[plugin greylist]\n" + greylist_lines)
    return path


class Pipe:
    """One handler over pipes, as a client at IP; its log is its own."""
    count = 0

    def __init__(self, srv, ip, conf=None, stdin=None):
        Pipe.count += 1
        self.logpath = os.path.join(srv.tmp, "log-pipe-%d" % Pipe.count)
        env = {k: v for k, v in os.environ.items()
               if k not in ("TCPREMOTEIP", "TCPREMOTEPORT", "REMOTE_ADDR",
                            "REMOTE_PORT", "RELAYCLIENT")}
        env.update({"TCPREMOTEIP": ip, "TCPREMOTEPORT": "40000",
                    "TMPDIR": srv.tmp})
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        with open(self.logpath, "wb") as log:
            self.p = subprocess.Popen(
                [BIN, "-c", conf or srv.conf],
                stdin=stdin if stdin is not None else subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, cwd=srv.tmp, env=env)
        self.buf = b""

    def line(self):
        deadline = time.monotonic() + TIMEOUT
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            r = select.select([self.p.stdout], [], [], max(left, 0))[0]
            if not r:
                raise Failure("no reply within %ss (have %r)" %
                              (TIMEOUT, self.buf))
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise Failure("handler closed the connection (have %r)" %
                              self.buf)
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode("utf-8", "replace")

    def reply(self):
        """(code, last line's text)."""
        while True:
            l = self.line()
            if l[3:4] != "-":
                return int(l[:3]), l[4:]

    def cmd(self, text):
        self.p.stdin.write(text.encode() + b"\r\n")
        self.p.stdin.flush()
        return self.reply()

    def close(self):
        try:
            self.cmd("QUIT")
        finally:
            self.p.stdin.close()
            try:
                rc = self.p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
                raise Failure("handler did not exit")
            self.p.stdout.close()
        check(rc == 0, "handler exit %s; log:\n%s" % (rc, self.log()))

    def log(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")


def attempt(srv, ip, sender, rcpts, conf=None, body=None, auth=None):
    """One session from IP: MAIL from SENDER, RCPT each of RCPTS; with
    BODY, DATA when some recipient was accepted.  Returns ([(code, text)
    per RCPT], DATA's code or None, the session's log)."""
    s = Pipe(srv, ip, conf)
    try:
        code, text = s.reply()
        check(code == 220, "greeting %d %s" % (code, text))
        check(s.cmd("EHLO client.example")[0] == 250, "EHLO refused")
        if auth:
            tok = base64.b64encode(("\0%s\0%s" % auth).encode()).decode()
            code, text = s.cmd("AUTH PLAIN " + tok)
            check(code == 235, "AUTH: %d %s" % (code, text))
        code, text = s.cmd("MAIL FROM:<%s>" % sender)
        check(code == 250, "MAIL: %d %s" % (code, text))
        got = [s.cmd("RCPT TO:<%s>" % r) for r in rcpts]
        data = None
        if body is not None and any(c == 250 for c, _ in got):
            code, text = s.cmd("DATA")
            check(code == 354, "DATA: %d %s" % (code, text))
            data = s.cmd(body.replace("\n", "\r\n") + "\r\n.")[0]
    finally:
        s.close()
    return got, data, s.log()


def expect(got, want, why=""):
    """GOT: [(code, text)]; WANT: [code]; 451s must be greylist replies."""
    codes = [c for c, _ in got]
    check(codes == want, "%sRCPT codes %r, expected %r (%r)" %
          (why and why + ": ", codes, want, got))
    for c, t in got:
        if c == 451:
            check(t.startswith("4.7.1 Greylisted; try again in ") and
                  t.endswith(" seconds"), "451 text %r" % t)


def wait_of(text):
    return int(text.split("try again in ")[1].split()[0])


def main():
    srv = Server("socket-activate", users=USERS, conf_extra=CONF_A)
    with open(os.path.join(srv.tmp, "users"), "w") as f:
        for u in USERS:     # with auth, the passwd plugin knows users
            f.write("%s@example.test:{PLAIN}%s-pw\n" % (
                u.split("/")[1], u.split("/")[1]))
    with open(os.path.join(srv.tmp, "allow"), "w") as f:
        f.write("# trusted relays\n203.0.113.0/24\n\n2001:db8:ff::/48 # v6\n")
    st = {}

    # -- bypasses (no timing) --------------------------------------------
    def auth_bypass():
        got, data, log = attempt(srv, "192.0.2.99", "s5@example.org",
                                 ["bob@example.test"],
                                 body="Subject: auth\n\nhi",
                                 auth=("alice@example.test", "alice-pw"))
        expect(got, [250])
        check(data == 250, "DATA %r" % data)
        check("plugin=greylist verdict=skip reason=authenticated" in log,
              "log: " + log)
        # Nothing was recorded for the triplet: unauthenticated, it is new.
        got, _, log = attempt(srv, "192.0.2.99", "s5@example.org",
                              ["bob@example.test"])
        expect(got, [451])
        check("reason=new" in log, "log: " + log)
    R.case("authenticated sessions are not greylisted", auth_bypass)

    def allow_clients():
        for ip in ("203.0.113.9", "2001:db8:ff:1::5"):
            got, _, log = attempt(srv, ip, "s6@example.org",
                                  ["carol@example.test"])
            expect(got, [250], ip)
            check("verdict=skip reason=allow_clients" in log, "log: " + log)
        got, _, _ = attempt(srv, "203.0.114.9", "s6@example.org",
                            ["carol@example.test"])
        expect(got, [451], "outside allow_clients")
    R.case("allow_clients: listed networks are not greylisted",
           allow_clients)

    # -- phase 1: first attempts ------------------------------------------
    def first():
        st["t0"] = time.monotonic()
        got, _, log = attempt(srv, "192.0.2.7", "s1@example.org",
                              ["alice@example.test"])
        expect(got, [451])
        check(wait_of(got[0][1]) == DELAY, "wait %r" % got[0][1])
        check("plugin=greylist verdict=defer reason=new "
              "net=192.0.2.0/24 sender=\"s1@example.org\" "
              "rcpt=\"alice@example.test\" wait=2" in log, "log: " + log)
    R.case("first attempt: 451 4.7.1 with the delay", first)

    def early():
        got, _, log = attempt(srv, "192.0.2.7", "S1@Example.ORG",
                              ["Alice@example.test"])
        expect(got, [451])
        check(1 <= wait_of(got[0][1]) <= DELAY, "wait %r" % got[0][1])
        check("reason=early" in log, "log: " + log)
    R.case("retry too early: 451, case folded", early)

    def first_others():
        for ip, sender in (("192.0.2.7", "s2@example.org"),
                           ("192.0.2.7", "s4@example.org"),
                           ("198.51.100.7", "s3@example.org"),
                           ("2001:db8:1:2::1", "s3@example.org")):
            got, _, _ = attempt(srv, ip, sender, ["alice@example.test"])
            expect(got, [451], ip)
        st["t1"] = time.monotonic()     # every first attempt is older
    R.case("first attempts for the other cases: 451", first_others)

    # Expiry on its own state: due at the first session, then not before
    # expire_every (5 s); phase 3 checks that it ran then.
    exp_conf = conf_with(srv, "conf-exp", "state = exp.db\ndelay = 1\n"
                         "retry_window = 2\nauto_allow = 1\n"
                         "expire_every = 5\n")

    def exp_attempt(sender):
        """SENDER to alice from 192.0.2.8 on exp.db: always a first or
        early attempt (451); the session's log."""
        got, _, log = attempt(srv, "192.0.2.8", sender,
                              ["alice@example.test"], conf=exp_conf)
        expect(got, [451])
        return log

    def expiry_first():
        st["t_exp"] = time.monotonic()
        log = exp_attempt("s8@example.org")
        check("plugin=greylist op=expire removed=0" in log, "log: " + log)
        log = exp_attempt("s9@example.org")
        if time.monotonic() - st["t_exp"] < 4:
            check("op=expire" not in log, "expiry not due yet: " + log)
    R.case("expire_every: the first session expires, the next does not",
           expiry_first)

    # -- phase 2: after the delay -----------------------------------------
    def retry():
        left = st.get("t1", 0) + DELAY + 0.1 - time.monotonic()
        if left > 0:
            time.sleep(left)
        before = len(srv.messages("example.test/alice"))
        got, data, log = attempt(srv, "192.0.2.7", "s1@example.org",
                                 ["alice@example.test"],
                                 body="Subject: greylisted once\n\nhello")
        expect(got, [250])
        check(data == 250, "DATA %r" % data)
        check("verdict=pass reason=retry" in log, "log: " + log)
        msgs = srv.messages("example.test/alice")
        check(len(msgs) == before + 1, "%d messages" % len(msgs))
        check(b"Subject: greylisted once" in msgs[-1], "stored %r" % msgs)
    R.case("retry in the window: 250, message stored", retry)

    def at_once():
        got, _, log = attempt(srv, "192.0.2.7", "s1@example.org",
                              ["alice@example.test"])
        expect(got, [250])
        check("verdict=pass reason=allowed" in log, "log: " + log)
        st["t_pass"] = time.monotonic()
    R.case("after success the triplet passes at once", at_once)

    def other_rcpt():
        got, _, log = attempt(srv, "192.0.2.7", "s1@example.org",
                              ["alice@example.test", "bob@example.test"])
        expect(got, [250, 451])
        st["t_pass"] = time.monotonic()
        check("rcpt=\"bob@example.test\" wait=2" in log, "log: " + log)
        got, _, _ = attempt(srv, "192.0.2.7", "s2@example.org",
                            ["carol@example.test"])
        expect(got, [451], "another sender's other recipient")
    R.case("another recipient is its own triplet", other_rcpt)

    def v4_net():
        got, _, log = attempt(srv, "198.51.100.200", "s3@example.org",
                              ["alice@example.test"])
        expect(got, [250], "same /24")
        check("net=198.51.100.0/24" in log, "log: " + log)
        got, _, log = attempt(srv, "198.51.101.7", "s3@example.org",
                              ["alice@example.test"])
        expect(got, [451], "next /24")
        check("net=198.51.101.0/24" in log and "reason=new" in log,
              "log: " + log)
    R.case("IPv4 clients grouped by /24", v4_net)

    def v6_net():
        got, _, log = attempt(srv, "2001:db8:1:2:ffff:ffff:ffff:9",
                              "s3@example.org", ["alice@example.test"])
        expect(got, [250], "same /64")
        check("net=2001:db8:1:2::/64" in log, "log: " + log)
        got, _, log = attempt(srv, "2001:db8:1:3::1", "s3@example.org",
                              ["alice@example.test"])
        expect(got, [451], "next /64")
        check("net=2001:db8:1:3::/64" in log, "log: " + log)
    R.case("IPv6 clients grouped by /64", v6_net)

    # -- phase 3: windows run out ------------------------------------------
    def expired():
        # s4 was first seen in phase 1 and never retried in time (6 s).
        left = st.get("t1", 0) + 7.2 - time.monotonic()
        if left > 0:
            time.sleep(left)
        got, _, log = attempt(srv, "192.0.2.7", "s4@example.org",
                              ["alice@example.test"])
        expect(got, [451])
        check(wait_of(got[0][1]) == DELAY, "wait %r" % got[0][1])
        check("reason=expired" in log, "log: " + log)
    R.case("a retry after the window is a first attempt", expired)

    def lapsed():
        left = st.get("t_pass", 0) + 4.1 - time.monotonic()
        if left > 0:
            time.sleep(left)
        got, _, log = attempt(srv, "192.0.2.7", "s1@example.org",
                              ["alice@example.test"])
        expect(got, [451])
        check("reason=lapsed" in log, "log: " + log)
    R.case("allowlisting lapses after auto_allow unseen", lapsed)

    def expiry_due():
        left = st.get("t_exp", 0) + 6.2 - time.monotonic()
        if left > 0:
            time.sleep(left)
        log = exp_attempt("s10@example.org")
        # s8 and s9 are past retry_window; s10 was just written.
        check("plugin=greylist op=expire removed=2" in log, "log: " + log)
        log = exp_attempt("s8@example.org")
        check("reason=new" in log and "op=expire" not in log,
              "s8's row was removed, not found expired: " + log)
    R.case("expire_every: due again later, old rows removed, logged",
           expiry_due)

    # -- failures of the state let mail through ---------------------------
    def broken_state():
        with open(os.path.join(srv.tmp, "junk.db"), "wb") as f:
            f.write(b"not a database\n" * 300)
        for name, state in (("conf-missing", "no/such/dir/state.db"),
                            ("conf-junk", "junk.db")):
            conf = conf_with(srv, name, "state = %s\ndelay = 2\n" % state)
            got, data, log = attempt(srv, "192.0.2.7", "s7@example.org",
                                     ["dave@example.test"], conf=conf,
                                     body="Subject: through\n\nx")
            expect(got, [250], state)
            check(data == 250, "DATA %r" % data)
            check("plugin=greylist verdict=pass reason=error error=" in log,
                  "log: " + log)
    R.case("an unusable state file lets mail through, logged",
           broken_state)

    def bad_conf():
        for lines, why in (("delay = 10\nretry_window = 5\n",
                            "retry_window must be longer than delay"),
                           ("delay = 5x\n", "delay must be"),
                           ("expire_every = 0\n",
                            "expire_every must be at least 1 second"),
                           ("", "needs state = PATH")):
            conf = conf_with(srv, "conf-bad", (
                "state = g.db\n" if why != "needs state = PATH" else "") +
                lines)
            s = Pipe(srv, "192.0.2.7", conf)
            code, text = s.reply()
            s.p.stdin.close()
            rc = s.p.wait(timeout=TIMEOUT)
            s.p.stdout.close()
            check(code == 421 and rc == 111, "%d %s, exit %s" %
                  (code, text, rc))
            check(why in s.log(), "log lacks %r: %s" % (why, s.log()))
    R.case("bad settings refuse to load (421, exit 111)", bad_conf)

    # -- 20 handlers at once on one new state file -------------------------
    # The first round must be all 451 "early": a handler that checks a
    # triplet DELAY_C whole seconds (time(NULL) ticks) after another wrote
    # it would pass.  20 handlers starting at once (ASan, a loaded 2-CPU
    # machine) may take over a second, and with delay = 2 one second and a
    # bit could already be two ticks; delay = 5 leaves room for 4 s.
    DELAY_C = 5

    def concurrent():
        conf = conf_with(srv, "conf-c", "state = concurrent.db\n"
                         "delay = %d\nretry_window = 120\n" % DELAY_C)
        rcpts = [u.split("/")[1] + "@example.test" for u in USERS]

        def round_(want):
            procs = []
            for i in range(20):
                script = os.path.join(srv.tmp, "script-%d" % i)
                with open(script, "wb") as f:
                    f.write(("EHLO c%d.example\r\nMAIL FROM:<s%d@example.org>"
                             "\r\n" % (i, i % 4)).encode())
                    for r in rcpts:
                        f.write(("RCPT TO:<%s>\r\n" % r).encode())
                    f.write(b"QUIT\r\n")
                with open(script, "rb") as f:
                    procs.append(Pipe(srv, "198.51.100.%d" % (i + 1), conf,
                                      stdin=f))
            for i, p in enumerate(procs):
                try:
                    out, _ = p.p.communicate(timeout=TIMEOUT * 3)
                except subprocess.TimeoutExpired:
                    p.p.kill()
                    p.p.communicate()
                    raise Failure("handler %d timed out" % i)
                lines = out.decode().split("\r\n")
                got = [l for l in lines if l[:3] in ("250", "451", "550",
                                                     "421") and
                       l[3:4] == " "][2:2 + len(rcpts)]
                check(p.p.returncode == 0, "handler %d exit %s: %s" %
                      (i, p.p.returncode, p.log()))
                check(len(got) == len(rcpts) and
                      all(l.startswith(want) for l in got),
                      "handler %d: %r, expected %r; log:\n%s" %
                      (i, got, want, p.log()))
                log = p.log()
                for bad in ("locked", "reason=error", "busy") + \
                        SANITIZER_MARKS:
                    check(bad not in log, "handler %d log has %r:\n%s" %
                          (i, bad, log))
        t0 = time.monotonic()
        round_("451 4.7.1 Greylisted; try again in ")
        took = time.monotonic() - t0
        time.sleep(DELAY_C + 0.1)       # from the last first attempt
        round_("250 2.1.5")
        return "first round in %.2fs" % took
    R.case("20 concurrent handlers on one new state file", concurrent)

    # -- a real launcher, a real client ------------------------------------
    def launcher():
        srv2 = Server("socket-activate", users=USERS, conf_extra="""
[smtpd]
filters = greylist

[plugin greylist]
state = greylist.db
delay = 2
""")
        with srv2:
            msg = b"Subject: over TCP\r\n\r\nbody\r\n"
            c = smtplib.SMTP("127.0.0.1", srv2.port, timeout=TIMEOUT)
            try:
                c.sendmail("tcp@example.org", ["erin@example.test"], msg)
                raise Failure("first sendmail was accepted")
            except smtplib.SMTPRecipientsRefused as e:
                code, text = e.recipients["erin@example.test"]
                check(code == 451 and text.startswith(b"4.7.1 Greylisted"),
                      "refused with %r" % ((code, text),))
            c.quit()
            time.sleep(DELAY + 0.1)
            c = smtplib.SMTP("127.0.0.1", srv2.port, timeout=TIMEOUT)
            c.sendmail("tcp@example.org", ["erin@example.test"], msg)
            c.quit()
            msgs = srv2.wait_messages("example.test/erin", 1)
            check(len(msgs) == 1 and b"Subject: over TCP" in msgs[0],
                  "stored %r" % msgs)
            check("net=127.0.0.0/24" in srv2.logtext(), srv2.logtext())
            check_handlers_clean(srv2)
    R.case("behind systemd-socket-activate with smtplib", launcher)

    srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
