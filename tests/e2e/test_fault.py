#!/usr/bin/env python3
# ISC license.
# Fault injection: every system call of the delivery path and of the POP3
# UPDATE state made to fail, one at a time, at every position.
#
# The handler runs over pipes with tests/fault/shim.so preloaded (see its
# header: FAULT_SPEC "FUNC@N:ERRNO", FAULT_PATH, FAULT_LOG).  A first run
# with no fault only counts the calls each function makes on the paths of
# the store (FAULT_PATH "/mail") or of the spool ("/spool"); then for
# each function, each position 1..count (bounded) and each errno, a fresh
# tree gets one message for three recipients (two maildrops that exist,
# and postmaster@, whose maildrop is made by this delivery) and checks:
#  - the reply is 250, 451 or 452, never a 5xx nor a dropped connection;
#  - 250 only if every recipient has exactly one copy in new/, equal byte
#    for byte to what was sent; for a call whose failure the store must
#    see (write, copy_file_range, fsync, link, open, mkdir) never 250;
#    the spool is linked into new/ (linkat), and with linkat failing with
#    EXDEV the copy path (open, copy_file_range, write, link) is swept too;
#  - after 451/452 nothing is visible in new/ or cur/ of any maildrop
#    (leftovers in tmp/ are allowed, and counted in the note);
#  - the handler exits 0 and logs no bug; the next delivery, with no
#    fault, is stored (exactly once more).
# The same in LMTP (one reply per recipient: each 250 has its one copy,
# each 4xx none), and libfiu's own preload (fiu-run -x) for fsync.
# POP3: QUIT with unlink, renameat2, link, fsync or open failing gives
# "-ERR [SYS/TEMP] Some deleted messages not removed" (or +OK when the
# failure does not matter), never loses a message that was not deleted,
# and removes only messages that were.
# mbox (when plugins/mbox.so exists): the same sweeps over every call the
# store makes on its paths (dotlock included); "nothing visible" is the
# mbox unchanged octet for octet, a 250 is exactly one whole appended
# copy; POP3 QUIT: +OK and exactly the kept messages, or -ERR and either
# all of them or exactly the kept ones (a rename is all or nothing).
#
# CI: every errno at the first 32 positions (the first two errnos under
# ASan); CARTERO_FULL=1: 64 positions, five recipients.
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, PLUGINS, POP3_BIN, ROOT,  # noqa: E402
                         Reporter, Server, check, spec_of, strip_trace)
from pipeproc import Handler, full, handler_env, is_asan  # noqa: E402

R = Reporter()
SHIM = os.path.join(ROOT, "tests", "fault", "shim.so")
FULL = full()
MAXPOS = 64 if FULL else 32
MSG = (b"Subject: fault injection\r\n\r\n" +
       b"".join(b"line %05d of a message that spans some 64 kB\r\n" % i
                for i in range(1400)))
RCPTS = ["alice@example.test", "bob@example.test", "postmaster@example.test"]
if FULL:    # more positions: a fourth maildrop, and a new domain folder
    RCPTS += ["carol@example.test", "postmaster@example.org"]

# errnos per function (all of them, in CI too: the sweep takes seconds;
# the first two under ASan).
ERRNOS = {
    "open": ["EACCES", "ENOSPC", "EIO", "EMFILE", "EDQUOT"],
    "openat": ["EACCES", "EIO"],
    "copy_file_range": ["ENOSPC", "short", "EIO", "EDQUOT", "EFBIG"],
    "write": ["ENOSPC", "short", "EIO", "EDQUOT", "EFBIG"],
    "pwrite": ["ENOSPC", "short", "EIO", "EDQUOT", "EFBIG"],
    "fsync": ["EIO", "ENOSPC", "EDQUOT"],
    "link": ["EIO", "ENOSPC", "EDQUOT", "EEXIST", "EMLINK"],
    "mkdir": ["ENOSPC", "EIO", "EDQUOT", "EACCES"],
    "unlink": ["EIO", "EACCES"],
    "close": ["EIO", "ENOSPC"],
    "rename": ["EIO"],
    "renameat2": ["EIO", "ENOSPC"],
    "ftruncate": ["EIO"],
}
# A failure of these must reach the client: the store checks every one.
MUST_FAIL = {"open", "copy_file_range", "write", "fsync", "link", "mkdir"}
# linkat of the spool into tmp/: EXDEV, EMLINK and the like fall back to a
# copy (250 is right); EIO, ENOSPC must reach the client
ERRNOS["linkat"] = ["EIO", "ENOSPC", "EXDEV", "EMLINK"]


def errnos(func):
    e = ERRNOS.get(func, ["EIO"])
    # under ASan (the error paths' memory safety) two errnos are enough
    return e[:2] if is_asan(BIN) and not FULL else e


def shim_env(tmp, spec=None, path="/mail", log=None):
    e = {"LD_PRELOAD": SHIM, "FAULT_PATH": path}
    if spec:
        e["FAULT_SPEC"] = spec
    if log:
        e["FAULT_LOG"] = log
    if is_asan(BIN):
        # the shim comes before the ASan runtime in the library list
        e["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                             ":verify_asan_link_order=0").lstrip(":")
    return handler_env(tmp, e)


def lf(data):
    return data.replace(b"\r\n", b"\n")


class Tree:
    """A configuration and a mail tree, reset before each case.  STORE:
    "maildir" (a copy is a file in new/) or "mbox" (a copy is an append
    to one file, cut back on failure)."""

    def __init__(self, lmtp=False, store="maildir"):
        self.store = store
        extra = "\n[plugin mbox]\nlock_timeout = 1\n" if store == "mbox" \
            else ""
        self.srv = Server(accounts={}, store=store, conf_extra=extra)
        with open(self.srv.users_file, "w") as f:
            f.write("alice@example.test:pw\n")
        self.spool = os.path.join(self.srv.tmp, "spool")
        self.lmtp = lmtp

    def reset(self):
        shutil.rmtree(os.path.join(self.srv.tmp, "mail"), ignore_errors=True)
        shutil.rmtree(self.spool, ignore_errors=True)
        os.makedirs(self.spool)
        for u in ("example.test/alice", "example.test/bob",
                  "example.test/carol"):
            if self.store == "maildir":
                self.srv.add_user(u)
            else:
                path = self.srv.maildrop(u)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "wb").close()

    def spec(self, rcpt):
        return spec_of(rcpt)

    def state(self, rcpt):
        """What a reader sees: the files in new/ and cur/ (maildir), or
        the mbox's octets (None when there is no file)."""
        if self.store == "maildir":
            return [p for sub in ("new", "cur")
                    for p in self.srv.files(self.spec(rcpt), sub)]
        try:
            with open(self.srv.maildrop(self.spec(rcpt)), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def leftovers(self):
        """Files a failure may leave: tmp/ (maildir); anything beside the
        mboxes (dotlocks, temporary files)."""
        if self.store == "maildir":
            return sum(len(self.srv.files(self.spec(r), "tmp"))
                       for r in RCPTS)
        mboxes = {self.srv.maildrop(self.spec(r)) for r in RCPTS} | {
            self.srv.maildrop("example.test/carol")}
        n = 0
        for d, _, files in os.walk(os.path.join(self.srv.tmp, "mail")):
            n += sum(1 for f in files if os.path.join(d, f) not in mboxes)
        return n

    def check_one_more(self, rcpt, before, after, tag, what):
        """AFTER holds BEFORE plus exactly one whole copy of TAG + MSG."""
        if self.store == "maildir":
            new = [p for p in after if p not in before]
            check(len(new) == 1 and set(before) <= set(after),
                  "%s: %s had %r, now %r" % (what, rcpt, before, after))
            self.check_copy(rcpt, new[0], tag)
            return
        before = before or b""
        check(after is not None and after.startswith(before),
              "%s: %s: the mbox lost octets it had" % (what, rcpt))
        seg = after[len(before):]
        check(seg.startswith(b"From ") or seg.startswith(b"\nFrom "),
              "%s: %s: the copy does not start with a From_ line: %r" %
              (what, rcpt, seg[:60]))
        check(seg.endswith(lf(tag + MSG) + b"\n") and
              seg.count(b"\nFrom ") == (1 if seg.startswith(b"\n") else 0),
              "%s: %s: the appended copy is not one whole message "
              "(%d octets)" % (what, rcpt, len(seg)))
        check(b"\nReturn-Path: <sender@example.net>\n" in seg,
              "%s: %s: no Return-Path" % (what, rcpt))

    def check_unchanged(self, rcpt, before, after, what):
        if self.store == "maildir":
            check(after == before, "%s: %s shows %r" % (what, rcpt, after))
        else:
            check((after or b"") == (before or b""), "%s: %s: the mbox "
                  "changed (%d octets, was %d)" % (what, rcpt,
                                                   len(after or b""),
                                                   len(before or b"")))

    def deliver(self, env, tag=b""):
        """One message to RCPTS; the data replies (one, or one per
        recipient in LMTP), the exit status and the log."""
        log = os.path.join(self.srv.tmp, "handler.log")
        with open(log, "wb") as errf:
            argv = [BIN, "-c", self.srv.conf] + (["--lmtp"] if self.lmtp
                                                  else [])
            h = Handler(argv, env=env, cwd=self.srv.tmp, stderr=errf)
            try:
                h.expect(220, "greeting")
                h.send(b"LHLO x\r\n" if self.lmtp else b"EHLO x\r\n")
                h.expect(250, "EHLO")
                h.send(b"MAIL FROM:<sender@example.net>\r\n")
                h.expect(250, "MAIL")
                for r in RCPTS:
                    h.send(b"RCPT TO:<%s>\r\n" % r.encode())
                    h.expect(250, "RCPT " + r)
                h.send(b"DATA\r\n")
                h.expect(354, "DATA")
                h.send(tag + MSG + b".\r\n")
                replies = [h.reply(30)
                           for _ in (RCPTS if self.lmtp else [0])]
                h.send(b"QUIT\r\n")
                h.expect(221, "QUIT")
                rc = h.finish(30)
            finally:
                h.kill()
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return replies, rc, text

    def check_copy(self, rcpt, path, tag):
        with open(path, "rb") as f:
            data = f.read()
        check(strip_trace(data) == tag + MSG,
              "%s: stored copy differs from what was sent (%d octets)" %
              (path, len(data)))
        check(data.startswith(b"Return-Path: <sender@example.net>\r\n"),
              "%s: no Return-Path" % path)
        m = re.search(r",S=(\d+)", os.path.basename(path))
        check(m and int(m.group(1)) == len(data),
              "%s: ,S= is not the file's size %d" % (path, len(data)))

    def cleanup(self):
        self.srv.cleanup()


def count_calls(tree, spec=None, path="/mail"):
    """{func: calls} of a delivery with no fault (SPEC may force a
    fallback, e.g. copy_file_range to EXDEV, with counting on)."""
    tree.reset()
    log = os.path.join(tree.srv.tmp, "calls.log")
    if os.path.exists(log):
        os.unlink(log)
    replies, rc, text = tree.deliver(shim_env(tree.spool, spec, path, log))
    check(all(c == 250 for c, _ in replies) and rc == 0,
          "delivery without fault: %r, exit %d\n%s" % (replies, rc, text))
    counts = {}
    with open(log) as f:
        for l in f:
            parts = l.split()
            if len(parts) >= 3:
                counts[parts[1]] = max(counts.get(parts[1], 0),
                                       int(parts[2]))
    return counts


def one_fault(tree, func, pos, err, spec_extra="", path="/mail"):
    """Runs one faulty delivery and the clean one after it; returns the
    reply codes and the number of tmp/ leftovers."""
    tree.reset()
    spec = "%s@%d:%s" % (func, pos, err) + spec_extra
    before = {r: tree.state(r) for r in RCPTS}
    replies, rc, text = tree.deliver(shim_env(tree.spool, spec, path))
    what = "%s (%s, %s)" % (spec, "LMTP" if tree.lmtp else "SMTP",
                           tree.store)
    codes = [c for c, _ in replies]
    check(rc == 0, "%s: handler exit %d\n%s" % (what, rc, text))
    check("event=bug" not in text and "Sanitizer" not in text,
          "%s: log has a bug report\n%s" % (what, text))
    check(all(c in (250, 451, 452) for c in codes),
          "%s: replies %r" % (what, replies))
    if func in MUST_FAIL and err != "short" and path == "/mail" and \
            tree.store == "maildir":
        check(any(c != 250 for c in codes), "%s: 250 although the "
              "store's %s failed" % (what, func))
    if path != "/mail" and func in ("write", "fsync") and err != "short":
        # (a failed O_TMPFILE open falls back to mkostemp(): 250 is right)
        check(all(c != 250 for c in codes), "%s: 250 although the "
              "spool's %s failed" % (what, func))
    per_rcpt = codes if tree.lmtp else codes * len(RCPTS)
    after = {}
    for r, c in zip(RCPTS, per_rcpt):
        after[r] = tree.state(r)
        if c == 250:
            tree.check_one_more(r, before[r], after[r], b"", what)
        else:
            tree.check_unchanged(r, before[r], after[r], what)
    left = tree.leftovers()
    # the next delivery, without fault, is stored exactly once more
    replies2, rc2, text2 = tree.deliver(handler_env(tree.spool),
                                        b"X-Next: 1\r\n")
    check(all(c == 250 for c, _ in replies2) and rc2 == 0,
          "%s: next delivery got %r, exit %d\n%s" % (what, replies2, rc2,
                                                     text2))
    for r in RCPTS:
        tree.check_one_more(r, after[r], tree.state(r), b"X-Next: 1\r\n",
                            what + ", then no fault")
    return codes, left


def sweep(tree, label, funcs, counts, spec_extra="", path="/mail"):
    """Every function x position x errno; returns a summary line."""
    cases = 0
    left = 0
    outcome = {}
    for func in funcs:
        n = counts.get(func, 0)
        if n == 0:
            continue
        positions = range(1, min(n, MAXPOS) + 1)
        for pos in positions:
            for err in errnos(func):
                codes, l = one_fault(tree, func, pos, err, spec_extra, path)
                cases += 1
                left += l
                outcome.setdefault(func, set()).update(codes)
    summary = ", ".join("%s x%d %s" % (f, min(counts[f], MAXPOS),
                                        "/".join(map(str, sorted(c))))
                        for f, c in sorted(outcome.items()))
    return "%s: %d cases (%s), %d %s" % (
        label, cases, summary, left, "tmp/ leftovers" if
        tree.store == "maildir" else "files left beside the mboxes")


# -- SMTP / LMTP delivery ----------------------------------------------------
def smtp_store(lmtp, store="maildir"):
    tree = Tree(lmtp, store)
    try:
        counts = count_calls(tree)
        if store == "mbox":
            # every wrapped call on the mbox path, the dotlock's included
            check({"open", "fsync"} <= set(counts),
                  "the mbox delivery path made no open/fsync: %r" % counts)
            return sweep(tree, "mbox", sorted(counts), counts)
        # the spool (an O_TMPFILE on the same file system) is linked
        # straight into new/ at commit, not copied (its fsync is on the
        # spool's path: smtp_spool sweeps it)
        funcs = sorted(f for f in counts
                       if f in ("open", "openat", "copy_file_range", "fsync",
                                "link", "linkat", "mkdir", "unlink", "close"))
        want = {"linkat", "mkdir"}
        check(want <= set(funcs) and "copy_file_range" not in funcs,
              "the delivery path should link the spool, not copy it: %r" %
              counts)
        notes = [sweep(tree, "maildir", funcs, counts)]
        # the copy into tmp/ and link into new/, when the spool cannot be
        # linked after all (another mount of the file system: EXDEV)
        force = ",linkat@1-:EXDEV"
        counts_cp = count_calls(tree, force[1:])
        want = {"open", "copy_file_range", "fsync", "link"}
        check(want <= set(counts_cp), "the copy path made no %s calls: %r" %
              ("/".join(want - set(counts_cp)), counts_cp))
        notes.append(sweep(tree, "copy", sorted(want | {"close"}),
                           counts_cp, force))
        # the read/write fallback, when copy_file_range says EXDEV too
        force += ",copy_file_range@1-:EXDEV"
        counts_rw = count_calls(tree, force[1:])
        notes.append(sweep(tree, "write fallback", ["write"], counts_rw,
                           force))
        return "; ".join(notes)
    finally:
        tree.cleanup()


def smtp_spool():
    tree = Tree()
    try:
        counts = count_calls(tree, path="/spool")
        funcs = [f for f in ("open", "write", "fsync") if counts.get(f)]
        check(funcs == ["open", "write", "fsync"], "spool calls: %r" % counts)
        return sweep(tree, "spool", funcs, counts, path="/spool")
    finally:
        tree.cleanup()


def libfiu_fsync():
    """libfiu's own preload: every fsync fails with EIO (fsync is on no
    other path of a session) -> 451, nothing visible, exit 0."""
    fiu = shutil.which("fiu-run")
    if fiu is None:
        return "SKIP fiu-run not installed (scripts/deps test)"
    if is_asan(BIN):
        # libfiu's preload wraps printf and friends, which ASan intercepts
        # too: the program crashes before main().  The shim covers fsync.
        return "SKIP libfiu's preload and ASan's interceptors clash"
    tree = Tree()
    try:
        tree.reset()
        env = handler_env(tree.spool)
        log = os.path.join(tree.srv.tmp, "fiu.log")
        argv = [fiu, "-x", "-f", "", "-c",
                "enable name=posix/io/sync/fsync,failinfo=5",
                BIN, "-c", tree.srv.conf]
        with open(log, "wb") as errf:
            h = Handler(argv, env=env, cwd=tree.srv.tmp, stderr=errf)
            try:
                h.expect(220, "greeting")
                h.send(b"EHLO x\r\nMAIL FROM:<s@example.net>\r\n"
                       b"RCPT TO:<alice@example.test>\r\nDATA\r\n")
                for c in (250, 250, 250, 354):
                    h.expect(c)
                h.send(MSG + b".\r\n")
                code, lines = h.reply(30)
                h.send(b"QUIT\r\n")
                h.expect(221)
                rc = h.finish(30)
            finally:
                h.kill()
        text = open(log, "rb").read().decode("utf-8", "replace")
        check(code == 451, "fsync EIO under fiu-run: %r\n%s" % (lines, text))
        check(rc == 0, "exit %d" % rc)
        check(tree.state("alice@example.test") == [], "new/ not empty")
        check("op=prepare" in text and "fsync" in text,
              "no store-failed line naming fsync:\n%s" % text)
        return "fiu-run -x posix/io/sync/fsync=EIO: %s" % lines[0]
    finally:
        tree.cleanup()


# -- POP3 UPDATE --------------------------------------------------------------
# 1-4 in new/, 5-6 in cur/ unseen, 7-8 in cur/ seen.  UPDATE renames 1
# (seen), 4 (to cur/) and 5 (seen), and unlinks 2, 3, 6 and 7.
POP_MSGS = 8
DELETE = {2, 3, 6, 7}   # message numbers DELEd before QUIT
RETRIEVE = {1, 5}       # RETRed: S is added on the way to cur/


def pop3_setup(tree):
    tree.reset()
    spec = "example.test/alice"
    orig = {}
    for i in range(POP_MSGS):
        data = b"Subject: pop %d\r\n\r\n" % (i + 1) + b"x" * (100 * i) + \
            b"\r\n"
        p = tree.srv.put_message(spec, data, sub="new" if i < 4 else "cur",
                                 flags="S" if i >= 6 else "")
        orig[os.path.basename(p).split(":")[0]] = data
    return spec, orig


def pop3_quit(tree, env, mark=None):
    """A session: RETR, DELE, QUIT; MARK: a file to append "MARK" to
    just before QUIT (the shim's call log: what follows is UPDATE)."""
    log = os.path.join(tree.srv.tmp, "pop3.log")
    with open(log, "wb") as errf:
        h = Handler([POP3_BIN, "-c", tree.srv.conf], env=env,
                    cwd=tree.srv.tmp, stderr=errf)
        try:
            check(h.line().startswith(b"+OK"), "no POP3 greeting")
            h.send(b"USER alice@example.test\r\nPASS pw\r\n")
            check(h.line().startswith(b"+OK"), "USER")
            l = h.line()
            check(l.startswith(b"+OK"), "PASS: %r" % l)
            for n in sorted(RETRIEVE):
                h.send(b"RETR %d\r\n" % n)
                check(h.line().startswith(b"+OK"), "RETR %d" % n)
                while h.line() != b".":
                    pass
            for n in sorted(DELETE):
                h.send(b"DELE %d\r\n" % n)
                check(h.line().startswith(b"+OK"), "DELE %d" % n)
            if mark:
                with open(mark, "a") as f:
                    f.write("MARK\n")
            h.send(b"QUIT\r\n")
            quit_reply = h.line(30)
            rc = h.finish(30)
        finally:
            h.kill()
    return quit_reply, rc, open(log, "rb").read().decode("utf-8", "replace")


def pop3_count(tree):
    spec, _ = pop3_setup(tree)
    log = os.path.join(tree.srv.tmp, "calls.log")
    if os.path.exists(log):
        os.unlink(log)
    q, rc, text = pop3_quit(tree, shim_env(tree.spool, None, "/mail", log),
                            log)
    check(q.startswith(b"+OK") and rc == 0, "clean QUIT: %r\n%s" % (q, text))
    before, counts = {}, {}     # calls before QUIT; calls in all
    with open(log) as f:
        lines = f.read().split("MARK\n")
    check(len(lines) == 2, "no MARK in the call log")
    for part, d in ((lines[0], before), (lines[0] + lines[1], counts)):
        for l in part.splitlines():
            parts = l.split()
            d[parts[1]] = max(d.get(parts[1], 0), int(parts[2]))
    return {f: range(before.get(f, 0) + 1, n + 1)
            for f, n in counts.items() if n > before.get(f, 0)}


def pop3_one(tree, spec_str):
    spec, orig = pop3_setup(tree)
    names = sorted(orig)         # POP3 numbers messages by name
    q, rc, text = pop3_quit(tree, shim_env(tree.spool, spec_str))
    check(rc == 0 and "event=bug" not in text,
          "%s: exit %d\n%s" % (spec_str, rc, text))
    check(q.startswith(b"+OK") or
          q == b"-ERR [SYS/TEMP] Some deleted messages not removed",
          "%s: QUIT said %r" % (spec_str, q))
    snap = tree.srv.snapshot(spec)
    asked = {names[n - 1] for n in DELETE}
    gone = set(orig) - set(snap)
    check(gone <= asked, "%s: lost %r, which were not deleted" %
          (spec_str, sorted(gone - asked)))
    check(set(snap) <= set(orig), "%s: new names %r" %
          (spec_str, sorted(set(snap) - set(orig))))
    for base, data in snap.items():
        check(data == orig[base], "%s: %s changed" % (spec_str, base))
    if q.startswith(b"+OK"):
        check(gone == asked, "%s: +OK but %r not removed" %
              (spec_str, sorted(asked - gone)))
    # the maildrop is usable afterwards
    q2, rc2, text2 = pop3_quit_simple(tree)
    check(q2.startswith(b"+OK") and rc2 == 0,
          "%s: next session: %r\n%s" % (spec_str, q2, text2))
    return q[:4].decode()


def pop3_quit_simple(tree):
    h = Handler([POP3_BIN, "-c", tree.srv.conf],
                env=handler_env(tree.spool), cwd=tree.srv.tmp)
    try:
        check(h.line().startswith(b"+OK"), "no POP3 greeting")
        h.send(b"USER alice@example.test\r\nPASS pw\r\nQUIT\r\n")
        h.line()
        h.line()
        q = h.line()
        return q, h.finish(), ""
    finally:
        h.kill()


def pop3_update():
    tree = Tree()
    try:
        calls = pop3_count(tree)
        funcs = [f for f in ("unlink", "renameat2", "fsync", "open",
                             "rename", "close") if f in calls]
        check({"unlink", "renameat2", "fsync"} <= set(funcs),
              "UPDATE made no unlink/renameat2/fsync: %r" % calls)
        n = 0
        seen = {}
        for func in funcs:
            for pos in list(calls[func])[:MAXPOS]:
                for err in errnos(func):
                    k = pop3_one(tree, "%s@%d:%s" % (func, pos, err))
                    seen.setdefault(func, set()).add(k)
                    n += 1
        # renameat2 unsupported (EINVAL): the link()+unlink() fallback,
        # with each of those failing in turn
        r2 = calls["renameat2"]
        u = calls["unlink"]
        for pos in range(len(r2)):
            for f2, at in (("link", pos + 1), ("unlink", u.start + pos)):
                k = pop3_one(tree, "renameat2@%d-:EINVAL,%s@%d:EIO" %
                             (r2.start, f2, at))
                seen.setdefault("fallback " + f2, set()).add(k)
                n += 1
        must = [f for f in ("unlink", "renameat2") if "-ERR" not in
                seen.get(f, ())]
        check(not must, "no -ERR [SYS/TEMP] when %s failed" % must)
        return "%d cases: %s" % (n, ", ".join(
            "%s x%d %s" % (f, min(len(calls.get(f, r2)), MAXPOS),
                           "/".join(sorted(v)))
            for f, v in sorted(seen.items())))
    finally:
        tree.cleanup()


# -- POP3 UPDATE on an mbox ----------------------------------------------------
def smtp_fill(tree, n):
    """N messages to alice, in one clean session."""
    h = Handler([BIN, "-c", tree.srv.conf], env=handler_env(tree.spool),
                cwd=tree.srv.tmp)
    try:
        h.expect(220)
        h.send(b"EHLO x\r\n")
        h.expect(250)
        for i in range(n):
            h.send(b"MAIL FROM:<s@example.net>\r\nRCPT TO:<alice@example."
                   b"test>\r\nDATA\r\n")
            for c in (250, 250, 354):
                h.expect(c)
            h.send(b"Subject: mbox %d\r\n\r\nFrom the body %d\r\n"
                   b"%s.\r\n" % (i, i, b"z" * (40 * i) + b"\r\n"))
            h.expect(250)
        h.send(b"QUIT\r\n")
        h.expect(221)
    finally:
        h.kill()


def pop3_listing(tree):
    """Every message of alice's maildrop, by RETR, in order."""
    h = Handler([POP3_BIN, "-c", tree.srv.conf],
                env=handler_env(tree.spool), cwd=tree.srv.tmp)
    try:
        check(h.line().startswith(b"+OK"), "no POP3 greeting")
        h.send(b"USER alice@example.test\r\nPASS pw\r\nSTAT\r\n")
        h.line()
        l = h.line()
        check(l.startswith(b"+OK"), "PASS: %r" % l)
        n = int(h.line().split()[1])
        out = []
        for k in range(1, n + 1):
            h.send(b"RETR %d\r\n" % k)
            check(h.line().startswith(b"+OK"), "RETR %d" % k)
            lines = []
            while True:
                l = h.line()
                if l == b".":
                    break
                lines.append(l[1:] if l.startswith(b".") else l)
            out.append(b"\r\n".join(lines) + b"\r\n")
        h.send(b"QUIT\r\n")
        check(h.line().startswith(b"+OK"), "QUIT")
        return out
    finally:
        h.kill()


def pop3_mbox():
    tree = Tree(store="mbox")
    try:
        tree.reset()
        smtp_fill(tree, POP_MSGS)
        path = tree.srv.maildrop("example.test/alice")
        with open(path, "rb") as f:
            orig = f.read()
        ref = pop3_listing(tree)
        check(len(ref) == POP_MSGS, "%d messages, want %d" % (len(ref),
                                                              POP_MSGS))
        kept = [m for k, m in enumerate(ref, 1) if k not in DELETE]

        def restore():
            shutil.rmtree(os.path.dirname(path))
            os.makedirs(os.path.dirname(path))
            with open(path, "wb") as f:
                f.write(orig)

        restore()
        log = os.path.join(tree.srv.tmp, "calls.log")
        q, rc, text = pop3_quit(tree, shim_env(tree.spool, None, "/mail",
                                               log), log)
        check(q.startswith(b"+OK") and rc == 0, "clean QUIT %r\n%s" %
              (q, text))
        check(pop3_listing(tree) == kept, "clean QUIT: wrong messages kept")
        with open(log) as f:
            parts = f.read().split("MARK\n")
        before, total = {}, {}
        for part, d in ((parts[0], before), (parts[0] + parts[1], total)):
            for l in part.splitlines():
                w = l.split()
                d[w[1]] = max(d.get(w[1], 0), int(w[2]))
        n, seen = 0, {}
        for func in sorted(total):
            for pos in range(before.get(func, 0) + 1,
                             min(total[func], before.get(func, 0) + MAXPOS)
                             + 1):
                for err in errnos(func):
                    restore()
                    spec = "%s@%d:%s" % (func, pos, err)
                    q, rc, text = pop3_quit(tree, shim_env(tree.spool, spec))
                    check(rc == 0 and "event=bug" not in text,
                          "%s: exit %d\n%s" % (spec, rc, text))
                    check(q.startswith(b"+OK") or q == b"-ERR [SYS/TEMP] "
                          b"Some deleted messages not removed",
                          "%s: QUIT said %r" % (spec, q))
                    got = pop3_listing(tree)
                    if q.startswith(b"+OK"):
                        check(got == kept, "%s: +OK but %d messages left, "
                              "not the %d kept" % (spec, len(got),
                                                   len(kept)))
                    else:
                        # all or nothing (a rename), and -ERR whenever the
                        # result may not be durable (the folder's fsync)
                        check(got in (ref, kept), "%s: -ERR and the mbox "
                              "holds %d messages, neither the %d it had nor "
                              "the %d kept" % (spec, len(got), len(ref),
                                               len(kept)))
                        if got == ref:
                            with open(path, "rb") as f:
                                check(f.read() == orig, "%s: -ERR but the "
                                      "mbox changed" % spec)
                    seen.setdefault(func, set()).add(q[:4].decode().strip())
                    n += 1
        return "%d cases: %s" % (n, ", ".join(
            "%s x%d %s" % (f, min(total[f] - before.get(f, 0), MAXPOS),
                           "/".join(sorted(v)))
            for f, v in sorted(seen.items())))
    finally:
        tree.cleanup()


def main():
    if not os.path.exists(SHIM):
        R.not_ok("fault shim", "no %s: run make tests/fault/shim.so" % SHIM)
        return R.done()
    R.case("SMTP: maildir store, one fault per call and position",
           lambda: smtp_store(False))
    R.case("LMTP: maildir store, one fault per call and position",
           lambda: smtp_store(True))
    R.case("SMTP: spool open/write faults", smtp_spool)
    R.case("SMTP: libfiu fsync failure", libfiu_fsync)
    R.case("POP3: UPDATE with unlink/rename/fsync failing", pop3_update)
    if os.path.exists(os.path.join(PLUGINS, "mbox.so")):
        R.case("SMTP: mbox store, one fault per call and position",
               lambda: smtp_store(False, "mbox"))
        R.case("LMTP: mbox store, one fault per call and position",
               lambda: smtp_store(True, "mbox"))
        R.case("POP3: mbox UPDATE with each call failing", pop3_mbox)
    else:
        R.skip("mbox store faults", "no mbox.so in %s" % PLUGINS)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
