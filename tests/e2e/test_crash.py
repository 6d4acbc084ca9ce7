#!/usr/bin/env python3
# ISC license.
# Crash safety: handlers SIGKILLed at random instants (CI: 100 kills of
# each kind, 40 under ASan; CARTERO_FULL=1: 1000, 300 under ASan, and the
# POP3 and mbox parts run as test_crash_pop3.py and test_crash_mbox.py so
# that each program stays within the runner's 600 s), then the mail tree
# is checked.  CARTERO_SEED=N repeats a run.
#
# SMTP: each session sends messages of about 1 MB to 12 recipients, by
# DATA and by BDAT in turn, so that a random instant often falls in the
# delivery (12 prepares, each a copy and an fsync, then 12 commits).  The
# kill comes after a random delay drawn over the length of a clean
# session.  Then:
#  - every message the client saw 250 for is in every recipient's new/,
#    once, equal byte for byte to what was sent (minus cartero's trace
#    fields, which are checked for form);
#  - no file in new/ or cur/ is partial or unknown: each is a whole copy
#    of a message that was sent; a message without 250 may be visible
#    for some recipients (the documented commit window: a duplicate on
#    retry, never a loss), never twice for one;
#  - leftovers in tmp/ are allowed and counted.
# POP3: a maildrop of 200 messages (new/ and cur/), 80 of them DELEd and
# some RETRed, then QUIT and a kill during UPDATE.  Every file left is an
# original, byte for byte; nothing that was not DELEd is gone; no name is
# both in new/ and cur/; the next session opens the maildrop.
# mbox (when plugins/mbox.so exists): the SMTP sessions again, a third as
# many, into 12 mboxes; after each kill a POP3 login per mbox (which takes
# the locks and so cuts a partial append, mbox-store.md) must list only
# whole messages that were sent, each acknowledged one in every mbox once.
import os
import random
import re
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, PLUGINS, POP3_BIN, Failure,  # noqa: E402
                         Reporter, Server, check, strip_trace)
from pipeproc import Handler, full, handler_env, is_asan  # noqa: E402

R = Reporter()
FULL = full()
KILLS = 1000 if FULL else 100
if is_asan(BIN):
    KILLS = 300 if FULL else 40     # the same paths; ASan is slower
KILLS_MBOX = KILLS // 3     # each is checked through 12 POP3 logins
USERS = ["u%02d" % i for i in range(12)]
MSGS_PER_SESSION = 3
SEED = int(os.environ.get("CARTERO_SEED", "0")) or random.randrange(1 << 30)
rng = random.Random(SEED)


def body(tag, size):
    line = b"%s: a line of a large message for the crash test.....\r\n" % tag
    return b"Subject: %s\r\n\r\n" % tag + line * (size // len(line))


def trickle(h, data):
    """Sends in 64 kB pieces a little apart, so that a good share of the
    random instants falls in the middle of DATA or BDAT."""
    for i in range(0, len(data), 1 << 16):
        h.send(data[i:i + (1 << 16)])
        time.sleep(0.0005)


class Crash:
    def __init__(self, store="maildir"):
        self.store = store
        self.srv = Server(accounts={}, store=store, conf_extra=(
            "\n[plugin mbox]\nlock_timeout = 2\n" if store == "mbox"
            else ""))
        with open(self.srv.users_file, "w") as f:
            f.write("alice@example.test:pw\n" + "".join(
                "%s@example.test:pw\n" % u for u in USERS))
        self.spool = os.path.join(self.srv.tmp, "spool")
        os.makedirs(self.spool)

    def reset(self):
        shutil.rmtree(os.path.join(self.srv.tmp, "mail"), ignore_errors=True)
        for u in USERS:
            if self.store == "maildir":
                self.srv.add_user("example.test/" + u)
            else:
                path = self.srv.maildrop("example.test/" + u)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "wb").close()

    def handler(self, pop3=False):
        return Handler([POP3_BIN if pop3 else BIN, "-c", self.srv.conf],
                       env=handler_env(self.spool), cwd=self.srv.tmp)

    # -- SMTP -----------------------------------------------------------
    def session(self, it, kill_after=None):
        """One session: MSGS_PER_SESSION messages, DATA and BDAT in turn.
        Returns (sent {tag: body}, acked set of tags, phase at the kill,
        elapsed).  KILL_AFTER: seconds after the start to SIGKILL (from
        a timer thread, so it may fall in the middle of a send)."""
        h = self.handler()
        sent, acked = {}, set()
        state = {"phase": "connect", "at_kill": None}
        t0 = time.monotonic()

        def kill():
            state["at_kill"] = state["phase"]
            try:
                os.kill(h.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = None
        if kill_after is not None:
            timer = threading.Timer(kill_after, kill)
            timer.start()
        try:
            if h.reply(60)[0] != 220:
                return sent, acked, state["at_kill"], 0
            h.send(b"EHLO crash.example\r\n")
            if h.reply(60)[0] != 250:
                return sent, acked, state["at_kill"], 0
            for m in range(MSGS_PER_SESSION):
                tag = b"X-Crash-%d-%d" % (it, m)
                data = body(tag, 1 << 20)
                sent[tag] = data
                use_bdat = m % 2 == 1
                state["phase"] = "envelope"
                h.send(b"MAIL FROM:<crash@example.net>\r\n" +
                       b"".join(b"RCPT TO:<%s@example.test>\r\n" %
                                u.encode() for u in USERS))
                codes = [h.reply(60)[0] for _ in range(1 + len(USERS))]
                if any(c != 250 for c in codes):
                    break
                if use_bdat:
                    state["phase"] = "bdat"
                    half = len(data) // 2
                    h.send(b"BDAT %d\r\n" % half)
                    trickle(h, data[:half])
                    if h.reply(60)[0] != 250:
                        break
                    h.send(b"BDAT %d LAST\r\n" % (len(data) - half))
                    trickle(h, data[half:])
                else:
                    h.send(b"DATA\r\n")
                    if h.reply(60)[0] != 354:
                        break
                    state["phase"] = "data"
                    trickle(h, data + b".\r\n")
                state["phase"] = "delivery"
                c, lines = h.reply(60)
                if c == 250:
                    acked.add(tag)
                    state["phase"] = "acked"
                elif c is None:
                    break
                else:
                    raise AssertionError("data reply %r" % lines)
            state["phase"] = "quit"
            h.send(b"QUIT\r\n")
            h.reply(60)
            state["phase"] = "after the end"
        finally:
            if timer is not None:
                timer.join(kill_after + 10)
            h.kill()
        return sent, acked, state["at_kill"], time.monotonic() - t0

    def mbox_messages(self, u):
        """U's mbox as cartero reads it after a crash: a POP3 login takes
        the locks, so it first cuts a partial append (mbox-store.md);
        then every message by RETR, with CRLF line ends."""
        h = self.handler(pop3=True)
        try:
            check(h.line().startswith(b"+OK"), "POP3 greeting")
            h.send(b"USER %s@example.test\r\nPASS pw\r\nSTAT\r\n" %
                   u.encode())
            h.line()
            l = h.line()
            check(l.startswith(b"+OK"), "%s: PASS after the crash: %r" %
                  (u, l))
            n = int(h.line().split()[1])
            out = []
            for k in range(1, n + 1):
                h.send(b"RETR %d\r\n" % k)
                check(h.line(30).startswith(b"+OK"), "RETR")
                lines = []
                while True:
                    l = h.line(30)
                    if l == b".":
                        break
                    lines.append(l[1:] if l.startswith(b".") else l)
                out.append(b"\r\n".join(lines) + b"\r\n")
            h.send(b"QUIT\r\n")
            h.line()
            return out
        finally:
            h.kill()

    def check_mbox(self, sent, acked):
        """After a crash and a POP3 login per mbox: only whole messages;
        each acknowledged one once in every mbox.  Returns (cut partial
        appends, unacked visible)."""
        seen = {}
        for u in USERS:
            for data in self.mbox_messages(u):
                m = re.search(rb"^Subject: (X-Crash-\d+-\d+)\r\n",
                              strip_trace(data))
                check(m is not None, "%s: a message that was not sent "
                      "(%d octets)" % (u, len(data)))
                tag = m.group(1)
                check(strip_trace(data) == sent.get(tag), "%s: partial or "
                      "altered copy of %s (%d octets)" % (u, tag, len(data)))
                seen.setdefault(tag, []).append(u)
        return 0, tally(sent, acked, seen)

    def check_tree(self, sent, acked):
        """The invariants; returns (tmp leftovers, unacked visible)."""
        if self.store == "mbox":
            return self.check_mbox(sent, acked)
        left = 0
        seen = {}
        for u in USERS:
            spec = "example.test/" + u
            left += len(self.srv.files(spec, "tmp"))
            for sub in ("new", "cur"):
                for p in self.srv.files(spec, sub):
                    with open(p, "rb") as f:
                        data = f.read()
                    m = re.search(rb"^Subject: (X-Crash-\d+-\d+)\r\n",
                                  strip_trace(data))
                    check(m is not None, "%s: not a message that was sent "
                          "(%d octets)" % (p, len(data)))
                    tag = m.group(1)
                    check(strip_trace(data) == sent.get(tag),
                          "%s: partial or altered copy of %s (%d octets)" %
                          (p, tag, len(data)))
                    check(data.startswith(b"Return-Path: <crash@example."
                                          b"net>\r\nReceived: from crash."
                                          b"example"), "%s: trace" % p)
                    sz = re.search(r",S=(\d+)", p)
                    check(sz and int(sz.group(1)) == len(data),
                          "%s: ,S= is not the size %d" % (p, len(data)))
                    seen.setdefault(tag, []).append(u)
        return left, tally(sent, acked, seen)


def tally(sent, acked, seen):
    """SEEN: {tag: [users holding it]}.  Each message at most once per
    user; an acknowledged one at every user.  Returns how many messages
    without a 250 are visible somewhere (allowed: the kill came after the
    commit, before the reply)."""
    visible = 0
    for tag in sent:
        who = seen.get(tag, [])
        check(len(who) == len(set(who)), "%s stored twice for %r" %
              (tag, sorted(who)))
        if tag in acked:
            check(sorted(who) == USERS, "%s: 250 but missing for %r" %
                  (tag, sorted(set(USERS) - set(who))))
        elif who:
            visible += 1
    return visible


def smtp_kills(store="maildir", kills=KILLS):
    c = Crash(store)
    try:
        times = []
        for _ in range(5):
            c.reset()
            sent, acked, _, t = c.session(0)
            check(len(acked) == MSGS_PER_SESSION, "clean session: %d of %d "
                  "messages acknowledged" % (len(acked), MSGS_PER_SESSION))
            c.check_tree(sent, acked)
            times.append(t)
        clean = sorted(times)[2]    # the median: fsync times vary
        phases = {}
        left = unacked_visible = n_acked = 0
        for it in range(1, kills + 1):
            c.reset()
            at = rng.uniform(0, clean)
            sent, acked, phase, _ = c.session(it, at)
            try:
                l, v = c.check_tree(sent, acked)
            except (AssertionError, Failure) as e:
                raise AssertionError("kill %d at %.4fs in %s (seed %d): %s"
                                     % (it, at, phase, SEED, e))
            phases[phase] = phases.get(phase, 0) + 1
            left += l
            unacked_visible += v
            n_acked += len(acked)
        return ("%s: %d kills (clean session %.2fs; seed %d): %s; %d "
                "messages acknowledged and all there; %s%d unacknowledged "
                "messages visible for some recipients (commit window)" % (
                    store, kills, clean, SEED, ", ".join(
                        "%s %d" % kv for kv in sorted(phases.items())),
                    n_acked, "%d tmp/ leftovers; " % left
                    if store == "maildir" else "", unacked_visible))
    finally:
        c.srv.cleanup()


# -- POP3 ------------------------------------------------------------------
POP_N = 200
POP_DELE = 80


def pop3_setup(c):
    shutil.rmtree(os.path.join(c.srv.tmp, "mail"), ignore_errors=True)
    spec = "example.test/alice"
    c.srv.add_user(spec)
    orig = {}
    for i in range(POP_N):
        data = b"Subject: pop %d\r\n\r\n" % i + b"y" * (50 * i) + b"\r\n"
        sub = "new" if i % 2 == 0 else "cur"
        p = c.srv.put_message(spec, data, sub=sub,
                              flags="S" if i % 4 == 1 else "")
        orig[os.path.basename(p).split(":")[0]] = data
    return spec, orig


def pop3_session(c, kill_after=None):
    """Logs in, RETRs 5 and DELEs POP_DELE random messages, QUIT, and a
    kill KILL_AFTER seconds after QUIT was sent.  Returns (asked
    numbers, QUIT reply or None, seconds from QUIT to the end)."""
    h = c.handler(pop3=True)
    asked = set(rng.sample(range(1, POP_N + 1), POP_DELE))
    try:
        check(h.line().startswith(b"+OK"), "greeting")
        h.send(b"USER alice@example.test\r\nPASS pw\r\n")
        h.line()
        l = h.line()
        check(l.startswith(b"+OK"), "PASS: %r" % l)
        for n in rng.sample(range(1, POP_N + 1), 5):
            h.send(b"RETR %d\r\n" % n)
            check(h.line().startswith(b"+OK"), "RETR")
            while h.line() != b".":
                pass
        h.send(b"".join(b"DELE %d\r\n" % n for n in sorted(asked)))
        for _ in asked:
            check(h.line().startswith(b"+OK"), "DELE")
        t0 = time.perf_counter()
        h.send(b"QUIT\r\n")
        if kill_after is None:
            q = h.line(30)
            took = time.perf_counter() - t0     # UPDATE, not the exit
            h.finish(30)
            return asked, q, took
        while time.perf_counter() - t0 < kill_after:
            pass
        os.kill(h.pid, signal.SIGKILL)
        h.wait_eof(10)
        q = h.lines[0] if h.lines else None
        return asked, q, time.perf_counter() - t0
    finally:
        h.kill()


def pop3_kills():
    c = Crash()
    try:
        times = []
        for _ in range(5):
            spec, orig = pop3_setup(c)
            asked, q, t = pop3_session(c)
            check(q is not None and q.startswith(b"+OK"), "clean QUIT %r" % q)
            check(len(c.srv.snapshot(spec)) == POP_N - POP_DELE,
                  "clean QUIT left %d" % len(c.srv.snapshot(spec)))
            times.append(t)
        clean = sorted(times)[2]
        outcomes = {"none removed": 0, "some removed": 0, "all removed": 0}
        n = KILLS
        for it in range(n):
            spec, orig = pop3_setup(c)
            names = sorted(orig)
            at = rng.uniform(0, clean)
            asked, q, _ = pop3_session(c, at)
            asked_names = {names[k - 1] for k in asked}
            snap = c.srv.snapshot(spec)
            gone = set(orig) - set(snap)
            where = "kill %d at %.5fs (seed %d)" % (it, at, SEED)
            check(gone <= asked_names, "%s: lost %d messages that were not "
                  "deleted" % (where, len(gone - asked_names)))
            for base, data in snap.items():
                check(data == orig[base], "%s: %s altered" % (where, base))
            files = c.srv.all_files(spec)
            bases = [os.path.basename(p).split(":")[0] for p in files]
            check(len(bases) == len(set(bases)), "%s: a message is in new/ "
                  "and cur/ at once" % where)
            if not gone:
                outcomes["none removed"] += 1
            elif gone == asked_names:
                outcomes["all removed"] += 1
            else:
                outcomes["some removed"] += 1
            # the lock died with the process: the next session opens it
            h = c.handler(pop3=True)
            try:
                h.line()
                h.send(b"USER alice@example.test\r\nPASS pw\r\nQUIT\r\n")
                h.line()
                l = h.line()
                check(l.startswith(b"+OK maildrop has %d messages" %
                                   len(snap)), "%s: next login %r" %
                      (where, l))
            finally:
                h.kill()
        return "%d kills in QUIT (clean UPDATE %.1f ms; seed %d): %s" % (
            n, clean * 1000, SEED,
            ", ".join("%s %d" % kv for kv in outcomes.items()))
    finally:
        c.srv.cleanup()


def main(parts=("smtp", "pop3", "mbox")):
    """The runner gives each program 600 s: with CARTERO_FULL the parts
    run as three programs (this one, test_crash_pop3.py and
    test_crash_mbox.py); in CI this one runs them all."""
    if "smtp" in parts:
        R.case("SIGKILL at random instants of SMTP sessions (DATA, BDAT, "
               "delivery)", smtp_kills)
    if "pop3" in parts:
        R.case("SIGKILL at random instants of POP3 UPDATE", pop3_kills)
    if "mbox" in parts and os.path.exists(os.path.join(PLUGINS, "mbox.so")):
        R.case("SIGKILL at random instants of SMTP sessions, mbox store",
               lambda: smtp_kills("mbox", KILLS_MBOX))
    return R.done()


def part_main(part):
    """The entry of test_crash_PART.py: PART alone under CARTERO_FULL, else
    nothing (this program runs it)."""
    if not FULL:
        R.skip("crash: " + part, "run by test_crash.py in CI")
        return R.done()
    return main((part,))


if __name__ == "__main__":
    sys.exit(main(("smtp",) if FULL else ("smtp", "pop3", "mbox")))
