#!/usr/bin/env python3
# ISC license.
# The maildir store's POP3 listing cache (.cartero-list), through the real
# bin/cartero-pop3d and Python's poplib.  The cache lets a session skip
# reading new/ and cur/ when neither changed since a scan whose
# directories were more than a second old.  What must hold:
#  - a scan of old directories writes the cache; the next session lists
#    from it (shown by an edited size in the cache appearing in LIST);
#    (a session's QUIT moves new/ to cur/, which changes both, so the
#    cache pays off from the second session after new mail);
#  - directories changed in the last second are not trusted: no cache;
#  - any change to new/ or cur/ (a delivery, QUIT moving new/ to cur/, a
#    message removed by another program) makes the next session scan, and
#    the listing is right; UIDLs stay the same throughout;
#  - a torn, foreign or hostile cache (wrong or huge count, "../" names,
#    duplicate or reordered lines, a bad first line) is ignored: the scan's
#    listing, never a path outside the maildrop.
import os
import poplib
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (HOST, TIMEOUT, Failure, Pop3Server,  # noqa: E402
                         Reporter, check, check_handlers_clean, spec_of)

R = Reporter()
PASSWORD = "pw"
_n = [0]


def msg(i):
    return (b"From: bob@example.net\r\nSubject: m%d\r\n\r\n" % i +
            b"body %d\r\n" % i * (i + 1))


def account(srv, n=5):
    _n[0] += 1
    addr = "lc%d@example.test" % _n[0]
    srv.add_account(addr, PASSWORD)
    spec = spec_of(addr)
    t = int(time.time()) - 1000
    for i in range(n):
        srv.put_message(spec, msg(i), when=t + i)
    return addr, spec


def age(srv, spec, seconds=100):
    """Sets new/ and cur/ mtimes SECONDS into the past: a scan trusts
    them."""
    t = time.time() - seconds
    for sub in ("new", "cur"):
        os.utime(os.path.join(srv.maildrop(spec), sub), (t, t))


def cache_path(srv, spec):
    return os.path.join(srv.maildrop(spec), ".cartero-list")


def session(srv, addr, retr=(), quit=True):
    """(STAT, [(n, size)], [(n, uid)]) of one session; RETR the given
    numbers; QUIT or drop."""
    p = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        p.user(addr)
        p.pass_(PASSWORD)
        st = p.stat()
        lst = [tuple(int(x) for x in l.split()) for l in p.list()[1]]
        uidl = [(int(l.split()[0]), l.split()[1].decode())
                for l in p.uidl()[1]]
        for k in retr:
            p.retr(k)
        if quit:
            p.quit()
    finally:
        p.close()
    return st, lst, uidl


def expected(srv, spec):
    """[(n, size)] and [(n, uid)] from the files themselves (CRLF files:
    the size is the file's)."""
    files = srv.all_files(spec)
    sizes = [(i + 1, os.path.getsize(f)) for i, f in enumerate(files)]
    uids = [(i + 1, os.path.basename(f).split(",")[0].split(":")[0])
            for i, f in enumerate(files)]
    return sizes, uids


def check_listing(srv, spec, got, what):
    st, lst, uidl = got
    sizes, uids = expected(srv, spec)
    check(lst == sizes, "%s: LIST %r, want %r" % (what, lst, sizes))
    check(uidl == uids, "%s: UIDL %r, want %r" % (what, uidl, uids))
    check(st == (len(sizes), sum(s for _, s in sizes)),
          "%s: STAT %r" % (what, st))


def wait_unlocked(srv, spec):
    # the handler has exited once its QUIT was answered; its lock with it
    check(srv.wait_idle(), "handlers still running: %r" % srv.handlers())


# -- cases ------------------------------------------------------------------
def settled(srv, n=5):
    """An account whose messages a first session moved to cur/ (QUIT
    does that), then a scan of the aged directories wrote the cache."""
    addr, spec = account(srv, n)
    check_listing(srv, spec, session(srv, addr), "first session")
    wait_unlocked(srv, spec)
    check(len(os.listdir(os.path.join(srv.maildrop(spec), "cur"))) == n,
          "QUIT did not move new/ to cur/")
    age(srv, spec)
    check_listing(srv, spec, session(srv, addr), "scan of aged folders")
    wait_unlocked(srv, spec)
    return addr, spec


def written_then_used(srv):
    addr, spec = settled(srv)
    path = cache_path(srv, spec)
    check(os.path.exists(path), "no .cartero-list after a scan of old "
          "directories")
    with open(path) as f:
        lines = f.read().split("\n")
    check(lines[0].startswith("cartero-list 2 ") and
          lines[0].endswith(" 5"), "first line %r" % lines[0])
    check(len(lines) == 7 and lines[-1] == "", "lines %r" % lines)
    # the cache is what the next session lists: edit one size
    size, name = lines[1].split(" ", 1)
    lines[1] = "%d %s" % (int(size) + 1000, name)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    _, lst, _ = session(srv, addr)
    check(lst[0] == (1, int(size) + 1000),
          "LIST 1 %r: the cache was not used" % (lst[0],))
    # a change to new/ (a delivery) means a scan: the edit is gone
    srv.put_message(spec, msg(9))
    got = session(srv, addr)
    check_listing(srv, spec, got, "after a delivery")
    check(len(got[1]) == 6, "6 messages after a delivery: %r" % (got[1],))


def recent_not_trusted(srv):
    # mtimes are "now": a scan must not write the cache.  The store counts
    # whole seconds (trusted when now - mtime >= 2 in time_t), so two clock
    # ticks can pass in little more than a second: a session that ended
    # two ticks after the last change (a slow machine) proves nothing and
    # is tried again with a fresh account, at most three times.
    for _ in range(3):
        addr, spec = account(srv)
        last = max(os.stat(os.path.join(srv.maildrop(spec), sub)).st_mtime
                   for sub in ("new", "cur"))
        got = session(srv, addr)
        ended = time.time()
        check_listing(srv, spec, got, "fresh directories")
        wait_unlocked(srv, spec)
        if int(ended) - int(last) < 2:
            check(not os.path.exists(cache_path(srv, spec)),
                  ".cartero-list written for directories changed just now")
            return
    raise Failure("three sessions each ended two clock ticks after the "
                  "delivery: too slow to tell")


def quit_moves_then_rescan(srv):
    addr, spec = account(srv)
    age(srv, spec)
    before = session(srv, addr, retr=(1, 3))
    check_listing(srv, spec, before, "before")
    wait_unlocked(srv, spec)
    cur = os.listdir(os.path.join(srv.maildrop(spec), "cur"))
    check(len(cur) == 5, "QUIT moved %d of 5 to cur/" % len(cur))
    after = session(srv, addr)
    check_listing(srv, spec, after, "after QUIT moved them to cur/")
    check(after[2] == before[2], "UIDLs changed: %r -> %r" %
          (before[2], after[2]))
    # aged again: written anew, and used
    wait_unlocked(srv, spec)
    age(srv, spec)
    check_listing(srv, spec, session(srv, addr), "aged cur/")
    wait_unlocked(srv, spec)
    with open(cache_path(srv, spec)) as f:
        text = f.read()
    check(text.count(" cur/") == 5, "cache lists cur/: %r" % text)
    check_listing(srv, spec, session(srv, addr), "from the cache")


def removed_elsewhere(srv):
    addr, spec = settled(srv)
    check(os.path.exists(cache_path(srv, spec)), "no cache")
    # another program removes a message: new/ changes, so a scan
    os.unlink(srv.all_files(spec)[2])
    got = session(srv, addr)
    check_listing(srv, spec, got, "after a removal")
    check(len(got[1]) == 4, "4 left: %r" % (got[1],))


def hostile_caches(srv):
    addr, spec = settled(srv, n=3)
    path = cache_path(srv, spec)
    with open(path) as f:
        good = f.read()
    head, body = good.split("\n", 1)
    rows = body.rstrip("\n").split("\n")
    secret = os.path.join(srv.tmp, "secret")
    with open(secret, "wb") as f:
        f.write(b"not yours\r\n")
    rel = os.path.relpath(secret, os.path.join(srv.maildrop(spec), "cur"))
    bad = {
        "one line short (torn)": head + "\n" + "\n".join(rows[:2]) + "\n",
        "a line too many": good + rows[0] + "\n",
        "no final newline": good.rstrip("\n"),
        "'../' name": head + "\n" + "\n".join(
            rows[:2] + ["11 cur/%s" % rel]) + "\n",
        "'new/.' name": head + "\n" + "\n".join(rows[:2] +
                                                ["5 new/."]) + "\n",
        "negative size": head + "\n" + "\n".join(
            rows[:2] + ["-5 " + rows[2].split(" ", 1)[1]]) + "\n",
        "other directory stamp": head.replace(" ", "  ", 1) + "\n" + body,
        "a duplicate line (count right)": head + "\n" + "\n".join(
            [rows[0], rows[0], rows[2]]) + "\n",
        "two lines swapped": head + "\n" + "\n".join(
            [rows[1], rows[0], rows[2]]) + "\n",
        "a huge count": head.rsplit(" ", 1)[0] + " 99999999999\n" + body,
        "empty": "",
        "binary": "\x00\xff" * 50,
    }
    for what, text in bad.items():
        with open(path, "w", encoding="latin-1") as f:
            f.write(text)
        os.utime(path, None)
        got = session(srv, addr)
        check_listing(srv, spec, got, "cache " + what)
        check(len(got[1]) == 3, "cache %s: %r" % (what, got[1]))
        wait_unlocked(srv, spec)


def handlers_clean(srv):
    check_handlers_clean(srv, need=("event=connect",))


CASES = [
    ("a scan of old directories writes .cartero-list; the next session "
     "lists from it; a delivery makes it scan again", written_then_used),
    ("directories changed in the last second: no cache written",
     recent_not_trusted),
    ("QUIT moving new/ to cur/ means a scan; UIDLs unchanged; rewritten "
     "once old", quit_moves_then_rescan),
    ("a message removed by another program: scan, right listing",
     removed_elsewhere),
    ("torn, foreign and hostile caches are ignored (no '../' path)",
     hostile_caches),
    ("handlers exited 0, log clean", handlers_clean),
]


def main():
    srv = Pop3Server("socket-activate")
    try:
        srv.start()
    except Failure as e:
        R.not_ok("start", e)
        srv.cleanup()
        return R.done()
    try:
        for name, fn in CASES:
            R.case(name, lambda: fn(srv), srv)
    finally:
        srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
