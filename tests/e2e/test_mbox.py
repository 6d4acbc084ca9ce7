#!/usr/bin/env python3
# ISC license.
# End-to-end tests of the mbox store (plugins/mbox/): SMTP in under
# systemd-socket-activate, POP3 out under tcpserver, one configuration and
# one mail folder of mbox files.  What is checked:
#  - delivery: "From SENDER DATE" line, then the message byte for byte in
#    LF with mboxrd quoting (From / >From / >>From lines get one more '>'),
#    then an empty line; MAILER-DAEMON for <>; two recipients, two mboxes;
#    two addresses, one mbox; a new mbox is mode 0600 in a new 0700 folder;
#    an mbox without a final empty line gets one before the new message;
#    a user without an mbox is 550 5.1.1;
#  - POP3: LIST = what RETR sends, RETR = what was sent (unquoted), UIDL
#    stable; DELE + QUIT rewrites the file without the message (same mode,
#    no temporary file or lock left); a dropped connection changes nothing;
#    a second session is -ERR [IN-USE];
#  - locking: a dotlock or fcntl lock held by this test makes delivery wait
#    lock_timeout and answer 451, and succeed once released; stale dotlocks
#    (dead pid, old and empty) are broken; a POP3 session blocks delivery
#    the same way; a [domain] lock_timeout wins over [plugin mbox]'s; a
#    folder at the mbox path is 451 at RCPT, not an unknown user;
#  - all or nothing: a copy already appended for one recipient is cut when
#    another recipient's mbox stays locked; a write that fails half-way
#    (RLIMIT_FSIZE) leaves the mbox as it was and answers 452 4.2.2;
#  - crash: SIGKILL of the handler while it appends a 20 MB message leaves
#    the earlier messages intact (formail -s), and the next lock holder
#    (POP3 login, or the next delivery) cuts the partial message, so that
#    formail and POP3 see exactly the earlier messages and a new delivery
#    is readable.
import fcntl
import os
import poplib
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, TIMEOUT, POP3_BIN,  # noqa: E402
                         SANITIZER_MARKS, Failure, Raw, Reporter, Server,
                         check, check_handlers_clean, make_plugin_dir,
                         strip_trace, wait_for)

R = Reporter()
PASSWORD = "mbox pw"
SENDER = "bob@example.net"
LOCK_TIMEOUT = 2            # [plugin mbox] lock_timeout for these tests
BIG_TIMEOUT = 60.0

CONF = """hostname = mx.example.test
plugin_dir = {plugins}

[domain example.test]
store = mbox
path = mail/%d/%u

[domain example.org]
store = mbox
path = mail/%d/%u
lock_timeout = 0

# a second name for the mboxes of example.test
[domain example.net]
store = mbox
path = mail/example.test/%u

[plugin mbox]
lock_timeout = {lock_timeout}

[pop3d]
auth = testauth
auth_delay = 10
auth_requires_tls = no

[plugin testauth]
file = users
"""

FROM_LINE = re.compile(rb"From (\S+) (Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
                       rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                       rb"[ 123]\d \d\d:\d\d:\d\d \d{4}\n")


class Mbox:
    """cartero-smtpd (socket-activate) and cartero-pop3d (tcpserver) over
    one configuration whose domains use the mbox store."""

    def __init__(self, users=("alice", "bob", "carol"), smtp_bin=None):
        self.smtp = Server("socket-activate", conf="", bin=smtp_bin)
        plugins = make_plugin_dir(os.path.join(self.smtp.tmp, "plugins"))
        with open(self.smtp.conf, "w") as f:
            f.write(CONF.format(plugins=plugins, lock_timeout=LOCK_TIMEOUT))
        with open(self.smtp.users_file, "w") as f:
            for u in ("alice", "bob", "carol", "dave"):
                f.write("%s@example.test:%s\n" % (u, PASSWORD))
        for u in users:
            self.touch(u)
        self.pop = self.smtp.sibling(POP3_BIN, "tcpserver")

    def path(self, local, domain="example.test"):
        return os.path.join(self.smtp.tmp, "mail", domain, local)

    def touch(self, local, domain="example.test"):
        os.makedirs(os.path.dirname(self.path(local, domain)), exist_ok=True)
        open(self.path(local, domain), "ab").close()

    def read(self, local, domain="example.test"):
        with open(self.path(local, domain), "rb") as f:
            return f.read()

    def __enter__(self):
        self.smtp.start()
        self.pop.start()
        return self

    def __exit__(self, *exc):
        self.smtp.cleanup()


def lf(msg):
    return msg.replace(b"\r\n", b"\n")


def quoted(msg_lf):
    """mboxrd: a line matching ^>*From  gets one more '>'."""
    return re.sub(rb"(?m)^(>*From )", rb">\1", msg_lf)


def chunks(data):
    """The messages of an mbox as stored: each From_ line through the
    empty line after the message."""
    starts = [m.start() for m in
              re.finditer(rb"(?:\A|(?<=\n\n))From ", data)]
    return [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]


def stored_body(chunk):
    """A stored chunk minus its From_ line, cartero's trace fields and the
    final empty line, back in CRLF for strip_trace()."""
    m = FROM_LINE.match(chunk)
    check(m is not None, "no From_ line at %r" % chunk[:80])
    rest = chunk[m.end():]
    check(rest.endswith(b"\n\n"), "no empty line after %r" % rest[-40:])
    return lf(strip_trace(rest[:-1].replace(b"\n", b"\r\n")))


def formail_split(path):
    """formail -s: the messages as procmail's formail sees them."""
    out = tempfile.mkdtemp(prefix="cartero-formail-")
    try:
        with open(path, "rb") as f:
            p = subprocess.run(["formail", "-s", "sh", "-c",
                                'cat > "$0/$FILENO"', out], stdin=f,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
        check(p.returncode == 0, "formail: %r" % p.stdout[-300:])
        parts = []
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name), "rb") as f:
                parts.append(f.read())
        return parts
    finally:
        shutil.rmtree(out, ignore_errors=True)


def send(srv, rcpts, msg, sender=SENDER, timeout=TIMEOUT):
    """smtplib; raises Failure unless every recipient got the message."""
    with smtplib.SMTP(HOST, srv.smtp.port, local_hostname="client.example",
                      timeout=timeout) as c:
        refused = c.sendmail(sender, rcpts, msg)
        check(refused == {}, "refused: %r" % refused)


def send_raw(port, rcpts, msg, sender=SENDER, timeout=TIMEOUT):
    """A whole transaction; the reply to the end of data (code, lines)."""
    c = Raw(port, timeout)
    try:
        c.expect(220, "greeting")
        c.send(b"EHLO client.example\r\n")
        c.expect(250, "EHLO")
        c.send(b"MAIL FROM:<%s>\r\n" % sender.encode())
        c.expect(250, "MAIL")
        for r in rcpts:
            c.send(b"RCPT TO:<%s>\r\n" % r.encode())
            c.expect(250, "RCPT " + r)
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(stuff(msg) + b".\r\n")
        reply = c.reply()
        c.send(b"QUIT\r\n")
        return reply
    finally:
        c.close()


def stuff(msg):
    return re.sub(rb"(?m)^\.", b"..", msg)


def login(srv, user="alice@example.test"):
    p = poplib.POP3(HOST, srv.pop.port, timeout=BIG_TIMEOUT)
    p.user(user)
    p.pass_(PASSWORD)
    return p


def retr(p, i):
    resp, lines, octets = p.retr(i)
    return b"\r\n".join(lines) + b"\r\n"


def pop_all(srv, user="alice@example.test"):
    """[(uid, LIST size, RETR bytes)], then QUIT."""
    p = login(srv, user)
    try:
        sizes = [int(l.split()[1]) for l in p.list()[1]]
        uids = [l.split()[1] for l in p.uidl()[1]]
        out = []
        for i, (u, s) in enumerate(zip(uids, sizes)):
            got = retr(p, i + 1)
            check(len(got) == s, "message %d: LIST said %d, RETR sent %d" %
                  (i + 1, s, len(got)))
            out.append((u, s, got))
        check(p.quit().startswith(b"+OK"), "QUIT")
        return out
    finally:
        p.close()


def msg(subject, body=b"body\r\n"):
    return (b"From: bob@example.net\r\nTo: alice@example.test\r\n"
            b"Subject: " + subject + b"\r\n\r\n" + body)


FROM_BODY = msg(b"From lines", b"From the start of a line\r\n"
                b">From once quoted\r\n>>From twice quoted\r\n"
                b"From\r\nFromage\r\nfrom lower case\r\n"
                b" From after a space\r\n..two dots\r\n.one dot\r\n"
                b">\r\n\r\nFrom the end\r\n")


def case_delivery_exact(t):
    send(t, ["alice@example.test"], FROM_BODY)
    data = t.read("alice")
    m = FROM_LINE.match(data)
    check(m is not None and m.group(1) == SENDER.encode(),
          "From_ line: %r" % data[:80])
    rest = data[m.end():]
    check(rest.startswith(b"Return-Path: <bob@example.net>\n"),
          "no Return-Path after the From_ line: %r" % rest[:80])
    check(b"\r" not in rest, "CR in the stored message")
    check(rest.endswith(b"\n\n"), "no empty line at the end")
    want = quoted(lf(FROM_BODY)) + b"\n"
    got = lf(strip_trace(rest.replace(b"\n", b"\r\n")))
    check(got == want, "stored %r, want %r" % (got, want))
    check(b"\n>From the start of a line\n>>From once quoted\n"
          b">>>From twice quoted\nFrom\nFromage\n" in rest,
          "quoting: %r" % rest)
    check(not os.path.exists(t.path("alice") + ".lock"), "dotlock left")


def case_null_sender(t):
    before = t.read("bob")
    send(t, ["bob@example.test"], msg(b"bounce"), sender="")
    new = t.read("bob")[len(before):]
    m = FROM_LINE.match(new)
    check(m is not None and m.group(1) == b"MAILER-DAEMON",
          "From_ line: %r" % new[:80])
    check(b"\nReturn-Path: <>\n" in new, "Return-Path: %r" % new[:120])


def case_two_mboxes(t):
    a0, b0 = t.read("alice"), t.read("bob")
    m = msg(b"two recipients", b"From one to two\r\n")
    send(t, ["alice@example.test", "bob@example.test"], m)
    a, b = t.read("alice")[len(a0):], t.read("bob")[len(b0):]
    for name, new in (("alice", a), ("bob", b)):
        check(len(chunks(new)) == 1, "%s: %d new messages" %
              (name, len(chunks(new))))
        check(stored_body(new) == quoted(lf(m)), "%s: %r" % (name, new))


def case_one_mbox_two_names(t):
    before = t.read("carol")
    m = msg(b"one mbox, two names")
    send(t, ["carol@example.test", "carol@example.net"], m)
    new = chunks(t.read("carol")[len(before):])
    check(len(new) == 2, "%d copies in carol's mbox" % len(new))
    for c in new:
        check(stored_body(c) == lf(m), "copy %r" % c)
    parts = formail_split(t.path("carol"))
    check(len(parts) == len(chunks(before)) + 2, "formail: %d" % len(parts))


def case_new_mbox(t):
    path = t.path("postmaster", "example.org")
    check(not os.path.exists(os.path.dirname(path)), "folder already there")
    send(t, ["postmaster@example.org"], msg(b"to postmaster"))
    st = os.stat(path)
    check(st.st_mode & 0o7777 == 0o600, "mode %o" % (st.st_mode & 0o7777))
    check(os.stat(os.path.dirname(path)).st_mode & 0o777 == 0o700,
          "folder mode %o" % (os.stat(os.path.dirname(path)).st_mode &
                              0o777))
    check(len(chunks(t.read("postmaster", "example.org"))) == 1, "content")


def case_unknown_user(t):
    with smtplib.SMTP(HOST, t.smtp.port, timeout=TIMEOUT) as c:
        c.ehlo("client.example")
        c.mail(SENDER)
        code, text = c.rcpt("dave@example.test")
        check(code == 550 and b"5.1.1" in text, "RCPT: %d %r" % (code, text))
    check(not os.path.exists(t.path("dave")), "mbox made for dave")


def case_foreign_tail(t):
    old = (b"From someone@example.com Mon Jan  1 00:00:00 2024\n"
           b"Subject: old\n\n>From old body\nno empty line after this")
    with open(t.path("dave"), "wb") as f:
        f.write(old)
    send(t, ["dave@example.test"], msg(b"after a foreign one"))
    data = t.read("dave")
    check(data.startswith(old + b"\n\nFrom "), "separator: %r" %
          data[len(old) - 10:len(old) + 10])
    check(len(formail_split(t.path("dave"))) == 2, "formail")
    got = pop_all(t, "dave@example.test")
    check(len(got) == 2, "POP3 lists %d" % len(got))
    check(got[0][2] == b"Subject: old\r\n\r\nFrom old body\r\n"
          b"no empty line after this\r\n", "message 1: %r" % got[0][2])
    check(strip_trace(got[1][2]) == msg(b"after a foreign one"),
          "message 2: %r" % got[1][2])


def case_pop3_round_trip(t):
    sent = [FROM_BODY, msg(b"8bit", "Grüße\r\n".encode() +
                           bytes(range(0x80, 0x100)) + b"\r\n"),
            msg(b"empty body", b""), msg(b"trailing empty lines",
                                          b"x\r\n\r\n\r\n")]
    start = len(chunks(t.read("bob")))
    for m in sent:
        send(t, ["bob@example.test"], m)
    got = pop_all(t, "bob@example.test")
    check(len(got) == start + len(sent), "POP3 lists %d, want %d" %
          (len(got), start + len(sent)))
    for m, (uid, size, data) in zip(sent, got[start:]):
        check(strip_trace(data) == m, "RETR %r, sent %r" % (data, m))
    again = pop_all(t, "bob@example.test")
    check([u for u, _, _ in got] == [u for u, _, _ in again],
          "UIDL changed between sessions")
    check(len({u for u, _, _ in got}) == len(got), "UIDLs not unique")
    t.bob_uids = [u for u, _, _ in got]


def case_dele_quit(t):
    os.chmod(t.path("bob"), 0o640)
    before = t.read("bob")
    old = chunks(before)
    check(len(old) >= 3, "bob has %d messages" % len(old))
    p = login(t, "bob@example.test")
    try:
        uids = [l.split()[1] for l in p.uidl()[1]]
        p.dele(2)
        r = p.quit()
        check(r.startswith(b"+OK"), "QUIT %r" % r)
    finally:
        p.close()
    after = t.read("bob")
    check(after == old[0] + b"".join(old[2:]),
          "rewritten mbox is not the old one without message 2")
    check(os.stat(t.path("bob")).st_mode & 0o7777 == 0o640,
          "mode %o" % (os.stat(t.path("bob")).st_mode & 0o7777))
    check(wait_for(lambda: not os.path.exists(t.path("bob") + ".lock")),
          "dotlock left")
    left = sorted(os.listdir(os.path.dirname(t.path("bob"))))
    check(not [f for f in left if "lock" in f or "cartero" in f or
               f.startswith(".")], "left behind: %r" % left)
    got = pop_all(t, "bob@example.test")
    check([u for u, _, _ in got] == uids[:1] + uids[2:],
          "UIDLs after DELE: %r, before %r" % ([u for u, _, _ in got], uids))


def case_drop_keeps_all(t):
    before = t.read("bob")
    p = login(t, "bob@example.test")
    p.dele(1)
    p.file.close()          # no QUIT: just the end of the connection
    p.sock.close()
    check(wait_for(lambda: not os.path.exists(t.path("bob") + ".lock")),
          "dotlock stays after the session")
    check(t.read("bob") == before, "mbox changed without QUIT")


def case_in_use(t):
    p = login(t, "bob@example.test")
    try:
        q = poplib.POP3(HOST, t.pop.port, timeout=TIMEOUT)
        try:
            q.user("bob@example.test")
            t0 = time.monotonic()
            try:
                q.pass_(PASSWORD)
                raise Failure("second session logged in")
            except poplib.error_proto as e:
                check(e.args[0].startswith(b"-ERR [IN-USE]"),
                      "second login: %r" % e.args[0])
            check(time.monotonic() - t0 < LOCK_TIMEOUT,
                  "IN-USE took the whole lock_timeout")
        finally:
            q.close()
        # a delivery meanwhile waits, then 451; after QUIT it goes in
        t0 = time.monotonic()
        code, lines = send_raw(t.smtp.port, ["bob@example.test"],
                               msg(b"during POP3"))
        waited = time.monotonic() - t0
        check(code == 451, "delivery during POP3: %r" % lines)
        check(waited >= LOCK_TIMEOUT - 0.2, "answered after %.1fs" % waited)
        p.quit()
    finally:
        p.close()
    code, lines = send_raw(t.smtp.port, ["bob@example.test"],
                           msg(b"after POP3"))
    check(code == 250, "delivery after POP3: %r" % lines)


def held(t, local, how, domain="example.test"):
    """Holds an mbox as another program would: 'dotlock' (our pid in
    FILE.lock, like dotlockfile -p) or 'fcntl' (lockf on the file)."""
    path = t.path(local, domain)
    if how == "dotlock":
        with open(path + ".lock", "w") as f:
            f.write("%d\n" % os.getpid())
        return lambda: os.unlink(path + ".lock")
    f = open(path, "r+b")
    fcntl.lockf(f, fcntl.LOCK_EX)

    def release():
        fcntl.lockf(f, fcntl.LOCK_UN)
        f.close()
    return release


def case_locked(t, how):
    before = t.read("alice")
    release = held(t, "alice", how)
    try:
        t0 = time.monotonic()
        code, lines = send_raw(t.smtp.port, ["alice@example.test"],
                               msg(b"while locked"))
        waited = time.monotonic() - t0
        check(code == 451 and "4.2.0" in lines[0],
              "delivery to a locked mbox: %r" % lines)
        check(waited >= LOCK_TIMEOUT - 0.2 and waited < LOCK_TIMEOUT + 5,
              "answered after %.1fs, lock_timeout is %d" %
              (waited, LOCK_TIMEOUT))
        check(t.read("alice") == before, "mbox changed while locked")
        if how == "dotlock":
            check(os.path.exists(t.path("alice") + ".lock"),
                  "our live dotlock was broken")
    finally:
        release()
    code, lines = send_raw(t.smtp.port, ["alice@example.test"],
                           msg(b"after the lock"))
    check(code == 250, "after release: %r" % lines)
    new = chunks(t.read("alice")[len(before):])
    check(len(new) == 1 and stored_body(new[0]) == lf(msg(b"after the lock")),
          "stored %r" % new)


def case_domain_timeout(t):
    """[domain example.org] lock_timeout = 0: no wait at all."""
    release = held(t, "postmaster", "fcntl", "example.org")
    try:
        t0 = time.monotonic()
        code, lines = send_raw(t.smtp.port, ["postmaster@example.org"],
                               msg(b"no wait"))
        waited = time.monotonic() - t0
    finally:
        release()
    check(code == 451 and "4.2.0" in lines[0], "reply %r" % lines)
    check(waited < LOCK_TIMEOUT - 0.5, "waited %.1fs" % waited)


def case_not_a_file(t):
    os.mkdir(t.path("erin"))
    with smtplib.SMTP(HOST, t.smtp.port, timeout=TIMEOUT) as c:
        c.ehlo("client.example")
        c.mail(SENDER)
        code, text = c.rcpt("erin@example.test")
    check(code == 451, "RCPT to a folder: %d %r" % (code, text))
    check("not a regular file" in t.smtp.logtext(), "not logged")


def case_stale_dotlock(t):
    dead = subprocess.Popen(["true"])
    dead.wait()
    lock = t.path("alice") + ".lock"
    for text, age in (("%d\n" % dead.pid, 0), ("", 600)):
        with open(lock, "w") as f:
            f.write(text)
        if age:
            old = time.time() - age
            os.utime(lock, (old, old))
        t0 = time.monotonic()
        code, lines = send_raw(t.smtp.port, ["alice@example.test"],
                               msg(b"stale lock"))
        check(code == 250, "with a stale dotlock %r: %r" % (text, lines))
        check(time.monotonic() - t0 < LOCK_TIMEOUT,
              "waited for a stale dotlock")
        check(not os.path.exists(lock), "stale dotlock left")
    check("event=mbox-stale-lock" in t.smtp.logtext(), "not logged")


def case_rollback_locked_second(t):
    """alice's copy is appended, then bob's mbox stays locked: alice's
    copy is cut and the client hears 451."""
    a0, b0 = t.read("alice"), t.read("bob")
    release = held(t, "bob", "fcntl")
    try:
        code, lines = send_raw(t.smtp.port, ["alice@example.test",
                                             "bob@example.test"],
                               msg(b"all or nothing", b"x\r\n" * 5000))
    finally:
        release()
    check(code == 451, "reply %r" % lines)
    check(t.read("alice") == a0, "alice's mbox keeps a copy (%d -> %d)" %
          (len(a0), len(t.read("alice"))))
    check(t.read("bob") == b0, "bob's mbox changed")
    check(not os.path.exists(t.path("alice") + ".lock"), "dotlock left")


WRAPPER = """#!{python}
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
os.execv({bin!r}, [{bin!r}] + sys.argv[1:])
"""


def case_rollback_write_error():
    """RLIMIT_FSIZE stops the append half-way (EFBIG): 452 4.2.2, and the
    mbox is what it was."""
    limit = 128 * 1024
    tmp = tempfile.mkdtemp(prefix="cartero-mbox-wrap-")
    try:
        wrapper = os.path.join(tmp, "smtpd")
        with open(wrapper, "w") as f:
            f.write(WRAPPER.format(python=sys.executable, limit=limit,
                                   bin=BIN))
        os.chmod(wrapper, 0o755)
        t = Mbox(smtp_bin=wrapper)
        with t:
            with open(t.path("alice"), "wb") as f:
                f.write(b"From x@y Mon Jan  1 00:00:00 2024\nSubject: a\n\n" +
                        b"y" * 100 * 1024 + b"\n\n")
            before = t.read("alice")
            code, lines = send_raw(t.smtp.port, ["alice@example.test"],
                                   msg(b"too big for the limit",
                                       (b"z" * 70 + b"\r\n") * 800))
            check(code == 452 and "4.2.2" in lines[0], "reply %r" % lines)
            check(t.read("alice") == before, "mbox changed: %d -> %d" %
                  (len(before), len(t.read("alice"))))
            check("store-failed" in t.smtp.logtext(), "not logged")
            for bad in SANITIZER_MARKS:
                check(bad not in t.smtp.logtext(), "log has %r" % bad)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def big_message():
    """~20 MB: 76-column lines, some of them From lines."""
    line = (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            b"+/ABCDEFGHIJKL\r\n")
    body = b"From the top\r\n>From quoted\r\n" + line * 260000
    return msg(b"big", body)


def crash_once(recover):
    """One try: two messages, then SIGKILL while the third (20 MB) is being
    appended; then RECOVER ('pop3' or 'smtp') takes the lock.  None when
    the kill came too late (the append was complete), else a note."""
    t = Mbox()
    with t:
        early = [msg(b"early 1", b"From early\r\n"), msg(b"early 2")]
        for m in early:
            send(t, ["alice@example.test"], m)
        before = t.read("alice")
        check(len(chunks(before)) == 2, "setup")
        big = big_message()
        # The handlers of the two deliveries may still be exiting after
        # their 221 (LeakSanitizer runs then): let them go, so that the
        # one handler below is this session's and the one to kill.
        check(t.smtp.wait_idle(), "earlier handlers still running: %r" %
              t.smtp.handlers())
        c = Raw(t.smtp.port, BIG_TIMEOUT)
        try:
            c.expect(220, "greeting")
            c.send(b"EHLO client.example\r\nMAIL FROM:<%s>\r\n"
                   b"RCPT TO:<alice@example.test>\r\nDATA\r\n" %
                   SENDER.encode())
            c.expect(250, "EHLO")
            c.expect(250, "MAIL")
            c.expect(250, "RCPT")
            c.expect(354, "DATA")
            pids = t.smtp.handlers()
            check(len(pids) == 1, "handlers %r" % pids)
            c.send(stuff(big) + b".\r\n")
            path = t.path("alice")
            # well into the message, so that the partial one has a
            # header and a body (formail then counts it as a message)
            grown = wait_for(lambda: os.stat(path).st_size >
                             len(before) + 100000, BIG_TIMEOUT, 0.0005)
            os.kill(pids[0], signal.SIGKILL)
            check(grown, "the mbox never grew")
            code, lines = c.reply()
        finally:
            c.close()
        at_kill = os.path.getsize(path)
        if code == 250 or at_kill >= len(before) + len(lf(big)):
            return None
        check(os.path.exists(path + ".lock"), "no dotlock left by the "
              "killed handler")
        # Before anyone takes the lock: the earlier messages are intact
        parts = formail_split(path)
        check(len(parts) == 3 and parts[:2] == chunks(before),
              "formail after the crash: %d parts" % len(parts))
        if recover == "pop3":
            got = pop_all(t)
            check(len(got) == 2, "POP3 lists %d messages" % len(got))
            for m, (_, _, data) in zip(early, got):
                check(strip_trace(data) == m, "RETR %r" % data)
            check(t.read("alice") == before, "mbox after POP3 is not the "
                  "earlier messages: %d octets, want %d" %
                  (len(t.read("alice")), len(before)))
            check(formail_split(path) == chunks(before),
                  "formail after recovery")
            log = t.pop.logtext()
        else:
            log = ""
        new = msg(b"after the crash", b"From here on\r\n")
        send(t, ["alice@example.test"], new)
        data = t.read("alice")
        check(data.startswith(before), "earlier messages changed")
        check(len(chunks(data)) == 3 and
              stored_body(chunks(data)[2]) == quoted(lf(new)),
              "new delivery: %r" % data[len(before):][:200])
        check(len(formail_split(path)) == 3, "formail after the new one")
        got = pop_all(t)
        check(len(got) == 3 and strip_trace(got[2][2]) == new,
              "POP3 after the new one: %d" % len(got))
        log += t.smtp.logtext()
        check(re.search(r"event=mbox-recover plugin=mbox path=\S+ "
                        r"result=truncated size=%d " % len(before), log),
              "recovery not logged:\n" + log[-2000:])
        # the handler unlocks after its QUIT reply
        check(wait_for(lambda: not os.path.exists(path + ".lock")),
              "dotlock left")
        for bad in SANITIZER_MARKS:
            check(bad not in t.smtp.logtext() + t.pop.logtext(),
                  "log has %r" % bad)
        return "killed at %d of ~%d new octets" % (at_kill - len(before),
                                                  len(lf(big)))


def case_crash(recover):
    for attempt in range(4):
        note = crash_once(recover)
        if note is not None:
            return note + ("" if attempt == 0 else
                           ", attempt %d" % (attempt + 1))
    raise Failure("the handler finished each append before the kill")


def main():
    try:
        t = Mbox()
        t.__enter__()
    except Failure as e:
        R.not_ok("start smtpd + pop3d with the mbox store", e)
        return R.done()
    try:
        cases = [
            ("delivery: From_ line, LF, >From quoting, byte-exact",
             case_delivery_exact),
            ("delivery: <> is From MAILER-DAEMON", case_null_sender),
            ("delivery: two recipients, two mboxes", case_two_mboxes),
            ("delivery: two addresses, one mbox, two copies",
             case_one_mbox_two_names),
            ("delivery: new mbox 0600 in a new 0700 folder", case_new_mbox),
            ("RCPT: no mbox, no auth plugin: 550 5.1.1", case_unknown_user),
            ("delivery after a message without a final empty line",
             case_foreign_tail),
            ("POP3: LIST = RETR = sent (unquoted), UIDL stable",
             case_pop3_round_trip),
            ("POP3: DELE + QUIT rewrites the mbox without it",
             case_dele_quit),
            ("POP3: dropped connection keeps everything",
             case_drop_keeps_all),
            ("POP3: second session IN-USE, delivery waits then 451",
             case_in_use),
            ("lock: a held dotlock makes delivery wait, 451, then 250",
             lambda t: case_locked(t, "dotlock")),
            ("lock: a held fcntl lock makes delivery wait, 451, then 250",
             lambda t: case_locked(t, "fcntl")),
            ("lock: stale dotlocks (dead pid; old, no pid) are broken",
             case_stale_dotlock),
            ("lock: [domain] lock_timeout = 0 answers 451 at once",
             case_domain_timeout),
            ("RCPT: a folder where the mbox should be: 451, not 550",
             case_not_a_file),
            ("rollback: second recipient locked, first copy cut, 451",
             case_rollback_locked_second),
        ]
        for name, fn in cases:
            R.case(name, lambda fn=fn: fn(t), t.smtp)
        R.case("handlers exit cleanly", lambda: (
            check_handlers_clean(t.smtp, ("event=stored",)),
            check_handlers_clean(t.pop, ("event=update result=ok",))))
    finally:
        t.__exit__()
    R.case("rollback: a write failing half-way (EFBIG) leaves the mbox, 452",
           case_rollback_write_error)
    R.case("crash: SIGKILL mid-append, POP3 login cuts the partial message",
           lambda: case_crash("pop3"))
    R.case("crash: SIGKILL mid-append, the next delivery cuts it",
           lambda: case_crash("smtp"))
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
