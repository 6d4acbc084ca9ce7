#!/usr/bin/env python3
# ISC license.
# End-to-end: the real bin/cartero-pop3d behind systemd-socket-activate and
# tcpserver on a loopback port, driven by clients nobody here wrote (Python
# poplib, curl, fetchmail).  Logins go through the test-only auth plugin
# (tests/plugins/testauth.so); passwords contain a space (PASS takes the
# rest of the line) and double as APOP secrets.  What a client retrieves
# must be the stored bytes, CRLF, un-stuffed; LIST sizes must be what RETR
# sends; deletions happen at QUIT only, and UIDLs never change.
import os
import poplib
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (LAUNCHERS, HOST, TIMEOUT, Failure, Pop3Server,  # noqa: E402
                         Reporter, check, check_handlers_clean, run,
                         spec_of)

R = Reporter()
PASSWORD = "s3 cret"            # a space: PASS takes the rest of the line
_n = [0]

# Stored CRLF, as cartero's maildir store keeps them.
CORPUS = [
    b"From: bob@example.net\r\nTo: alice@example.test\r\n"
    b"Subject: dots\r\n\r\n.\r\n..x\r\n.hidden\r\n...three\r\n. \r\nend\r\n",
    ("From: bob@example.net\r\nSubject: 8bit\r\nContent-Type: text/plain; "
     "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
     "Grüße aus Köln ¿qué tal? 日本語\r\n").encode("utf-8") +
    b"\xff\xfe not UTF-8\r\n",
    b"From: carol@example.org\r\nSubject: long\r\n\r\n" +
    b"".join(b"line %05d %s\r\n" % (i, b"x" * (i % 70))
             for i in range(2000)),
    b"Subject: empty body\r\n\r\n",
]


def account(srv, msgs=CORPUS):
    """A new login with MSGS in its maildrop: (address, spec, [bytes])."""
    _n[0] += 1
    addr = "user%d@example.test" % _n[0]
    srv.add_account(addr, PASSWORD)
    spec = spec_of(addr)
    for m in msgs:
        srv.put_message(spec, m)
    return addr, spec, list(msgs)


def login(srv, addr, password=PASSWORD):
    p = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    p.user(addr)
    p.pass_(password)
    return p


def lines_of(msg):
    """What poplib.retr returns for a CRLF message: its lines."""
    check(msg.endswith(b"\r\n"), "corpus message without final CRLF")
    return msg[:-2].split(b"\r\n")


def uids(srv, spec):
    """The UIDL cartero must show: each name's part before ',' or ':'."""
    return [os.path.basename(p).split(",")[0].split(":")[0]
            for p in srv.all_files(spec)]


def listing(resp):
    """poplib list()/uidl() -> [(n, value)]."""
    return [tuple(l.decode().split(" ", 1)) for l in resp[1]]


# -- poplib -----------------------------------------------------------------
def poplib_user_pass_stat_list_uidl(srv):
    addr, spec, msgs = account(srv)
    p = login(srv, addr)
    try:
        st = p.stat()
        check(st == (len(msgs), sum(map(len, msgs))),
              "STAT %r, stored %d messages of %d octets" %
              (st, len(msgs), sum(map(len, msgs))))
        want = [(str(i + 1), str(len(m))) for i, m in enumerate(msgs)]
        got = listing(p.list())
        check(got == want, "LIST %r, want %r" % (got, want))
        for i, m in enumerate(msgs):
            one = p.list(i + 1)
            check(one == b"+OK %d %d" % (i + 1, len(m)),
                  "LIST %d: %r" % (i + 1, one))
        want = [(str(i + 1), u) for i, u in enumerate(uids(srv, spec))]
        got = listing(p.uidl())
        check(got == want, "UIDL %r, want %r" % (got, want))
        one = p.uidl(2)
        check(one == ("+OK 2 " + want[1][1]).encode(), "UIDL 2: %r" % one)
        check(p.noop().startswith(b"+OK"), "NOOP")
    finally:
        p.quit()


def poplib_retr(srv):
    addr, spec, msgs = account(srv)
    p = login(srv, addr)
    try:
        for i, m in enumerate(msgs):
            resp, lines, octets = p.retr(i + 1)
            check(resp == b"+OK %d octets" % len(m), "RETR %d: %r" %
                  (i + 1, resp))
            check(lines == lines_of(m), "RETR %d: lines %r, stored %r" %
                  (i + 1, lines[:8], lines_of(m)[:8]))
            check(octets == len(m), "RETR %d: %d octets after un-stuffing,"
                  " LIST says %d" % (i + 1, octets, len(m)))
        try:
            p.retr(len(msgs) + 1)
            raise Failure("RETR of a message that does not exist: +OK")
        except poplib.error_proto as e:
            check(e.args[0].startswith(b"-ERR"), "reply %r" % e.args[0])
    finally:
        p.quit()
    # RETR marks Seen: at QUIT the messages move to cur/ with :2,S
    names = [os.path.relpath(x, srv.maildrop(spec))
             for x in srv.all_files(spec)]
    check(len(names) == len(msgs) and
          all(n.startswith("cur/") and n.endswith(":2,S") for n in names),
          "after RETR+QUIT: %r" % names)


def poplib_foreign_message(srv):
    # Files some other MDA left: bare LF ends, no ,W= in the name (one with
    # only ,S=, the LF size), one without a final newline.  LIST must
    # announce what RETR sends (CRLF, the last line ended), and RETR must
    # send CRLF lines.
    addr, spec, _ = account(srv, [])
    files = [
        ("1000000000.V801I42.other.example",
         b"Subject: lf\n\n.dot\nbare lf lines\nlast\n"),
        ("1000000001.V801I43.other.example,S=26",
         b"Subject: lf, S=\n\n..x\nend\n"),
        ("1000000002.V801I44.other.example",
         b"Subject: no final newline\r\n\r\n.last"),
    ]
    for name, body in files:
        srv.put_message(spec, body, name=name)
    p = login(srv, addr)
    try:
        for i, (name, body) in enumerate(files):
            lines = body.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
            want = sum(len(l) + 2 for l in lines)
            check(p.list(i + 1) == b"+OK %d %d" % (i + 1, want),
                  "%s: LIST %r, want %d" % (name, p.list(i + 1), want))
            resp, got, octets = p.retr(i + 1)
            check(got == lines, "%s: RETR %r, want %r" % (name, got, lines))
            check(octets == want, "%s: RETR sent %d octets, LIST said %d" %
                  (name, octets, want))
            uid = name.split(",")[0]
            check(p.uidl(i + 1) == b"+OK %d %s" % (i + 1, uid.encode()),
                  "%s: UIDL %r" % (name, p.uidl(i + 1)))
    finally:
        p.quit()


def poplib_top(srv):
    addr, spec, msgs = account(srv)
    p = login(srv, addr)
    try:
        for i, m in enumerate(msgs):
            ls = lines_of(m)
            blank = ls.index(b"")
            for k in (0, 1, 3):
                resp, lines, _ = p.top(i + 1, k)
                want = ls[:blank + 1 + k]
                check(resp.startswith(b"+OK"), "TOP %d %d: %r" %
                      (i + 1, k, resp))
                check(lines == want, "TOP %d %d: %r, want %r" %
                      (i + 1, k, lines[-5:], want[-5:]))
    finally:
        p.quit()
    # TOP is not RETR: nothing is marked Seen (QUIT moves new/ to cur/,
    # as any Maildir reader does, but without the S flag)
    names = [os.path.relpath(x, srv.maildrop(spec))
             for x in srv.all_files(spec)]
    check(len(names) == len(msgs) and
          all(n.startswith("cur/") and n.endswith(":2,") for n in names),
          "after TOP+QUIT: %r" % names)


def poplib_dele_rset(srv):
    addr, spec, msgs = account(srv)
    before = srv.snapshot(spec)
    p = login(srv, addr)
    try:
        check(p.dele(1).startswith(b"+OK"), "DELE 1")
        check(p.dele(3).startswith(b"+OK"), "DELE 3")
        left = [m for i, m in enumerate(msgs) if i not in (0, 2)]
        st = p.stat()
        check(st == (len(left), sum(map(len, left))), "STAT after DELE: %r"
              % (st,))
        got = [n for n, _ in listing(p.list())]
        check(got == [str(i + 1) for i in range(len(msgs))
                      if i not in (0, 2)], "LIST after DELE: %r" % got)
        for bad in (lambda: p.retr(1), lambda: p.dele(3),
                    lambda: p.list(1), lambda: p.top(3, 0)):
            try:
                r = bad()
                raise Failure("a deleted message answered %r" % (r,))
            except poplib.error_proto as e:
                check(e.args[0] == b"-ERR Message already deleted",
                      "reply %r" % e.args[0])
        r = p.rset()
        check(r == b"+OK maildrop has %d messages (%d octets)" %
              (len(msgs), sum(map(len, msgs))), "RSET: %r" % r)
        check(p.stat()[0] == len(msgs), "STAT after RSET: %r" % (p.stat(),))
        check(p.retr(1)[1] == lines_of(msgs[0]), "RETR 1 after RSET")
    finally:
        r = p.quit()
    check(r == b"+OK cartero POP3 signing off (%d messages left)" %
          len(msgs), "QUIT: %r" % r)
    check(srv.snapshot(spec) == before, "maildrop changed after RSET+QUIT")


def poplib_dele_quit(srv):
    addr, spec, msgs = account(srv)
    before = srv.snapshot(spec)
    keys = list(before)
    p = login(srv, addr)
    try:
        uidl1 = listing(p.uidl())
        for n in (2, 4):
            p.dele(n)
        r = p.quit()
    except Exception:
        p.close()
        raise
    check(r.startswith(b"+OK") and b"(2 messages left)" in r, "QUIT: %r" % r)
    after = srv.snapshot(spec)
    want = {k: before[k] for k in (keys[0], keys[2])}
    check(after == want, "after DELE 2,4 + QUIT the maildrop has %r, "
          "want %r" % (sorted(after), sorted(want)))
    p = login(srv, addr)
    try:
        uidl2 = [u for _, u in listing(p.uidl())]
        check(uidl2 == [uidl1[0][1], uidl1[2][1]],
              "UIDLs of the survivors changed: %r then %r" % (uidl1, uidl2))
        check(p.stat()[0] == 2, "STAT %r" % (p.stat(),))
    finally:
        p.quit()
    check(srv.logtext().count("event=update result=ok deleted=2 ") >= 1,
          "no 'event=update result=ok deleted=2' in the log")


def poplib_drop_after_dele(srv):
    addr, spec, msgs = account(srv)
    before = srv.snapshot(spec)
    where = {os.path.relpath(x, srv.maildrop(spec))
             for x in srv.all_files(spec)}
    p = login(srv, addr)
    uidl1 = listing(p.uidl())
    p.retr(1)
    for n in range(1, len(msgs) + 1):
        p.dele(n)
    check(p.stat() == (0, 0), "STAT after deleting all: %r" % (p.stat(),))
    # vanish without QUIT: no UPDATE state (RFC 1939 6)
    p.sock.shutdown(socket.SHUT_RDWR)
    p.sock.close()
    p.file.close()
    check(srv.wait_idle(), "handler still running after the drop")
    check(srv.snapshot(spec) == before, "maildrop changed after a drop")
    now = {os.path.relpath(x, srv.maildrop(spec))
           for x in srv.all_files(spec)}
    check(now == where, "files moved after a drop: %r -> %r" % (where, now))
    check("reason=eof" in srv.logtext(), "no disconnect reason=eof in log")
    p = login(srv, addr)
    try:
        uidl2 = listing(p.uidl())
        check(uidl2 == uidl1, "UIDLs changed: %r then %r" % (uidl1, uidl2))
        check(p.stat()[0] == len(msgs), "STAT %r" % (p.stat(),))
    finally:
        p.quit()


def poplib_uidl_stable(srv):
    # The UIDL survives the move new/ -> cur/:2,S and a flag another
    # reader added (cur/NAME:2,FS).
    addr, spec, msgs = account(srv)
    p = login(srv, addr)
    try:
        u1 = listing(p.uidl())
        for i in range(len(msgs)):
            p.retr(i + 1)
    finally:
        p.quit()
    first = srv.all_files(spec)[0]
    os.rename(first, first.replace(":2,S", ":2,FS"))
    p = login(srv, addr)
    try:
        u2 = listing(p.uidl())
        check(u2 == u1, "UIDLs changed after the move to cur/: %r then %r" %
              (u1, u2))
        check(p.retr(1)[1] == lines_of(msgs[0]), "RETR 1 after the move")
    finally:
        p.quit()
    check(os.path.basename(srv.all_files(spec)[0]).endswith(":2,FS"),
          "flags of a cur/ message lost: %r" % srv.all_files(spec))


def poplib_in_use(srv):
    addr, spec, msgs = account(srv)
    a = login(srv, addr)
    b = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        b.user(addr)
        try:
            r = b.pass_(PASSWORD)
            raise Failure("second session while the first holds the "
                          "maildrop: %r" % r)
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR [IN-USE] Maildrop is locked by "
                  b"another session", "second PASS: %r" % e.args[0])
        check(a.stat()[0] == len(msgs), "first session broken: %r" %
              (a.stat(),))
        a.dele(1)
        a.quit()
        b.quit()
    finally:
        a.close()
        b.close()
    c = login(srv, addr)            # the lock went with the first session
    try:
        check(c.stat()[0] == len(msgs) - 1, "STAT after the first "
              "session's DELE+QUIT: %r" % (c.stat(),))
    finally:
        c.quit()
    check("event=maildrop" in srv.logtext(), "IN-USE not logged")


def poplib_apop(srv):
    addr, spec, msgs = account(srv)
    p = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        check(b"<" in p.getwelcome() and b"@mx.example.test>" in
              p.getwelcome(), "no APOP timestamp: %r" % p.getwelcome())
        try:
            p.apop(addr, "wrong")
            raise Failure("APOP with a wrong secret accepted")
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR [AUTH] Authentication failed",
                  "wrong APOP: %r" % e.args[0])
        r = p.apop(addr, PASSWORD)  # digest of the greeting's timestamp
        check(r.startswith(b"+OK maildrop has %d messages" % len(msgs)),
              "APOP: %r" % r)
        check(p.retr(2)[1] == lines_of(msgs[1]), "RETR 2 after APOP")
    finally:
        p.quit()
    q = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        check(q.getwelcome() != p.welcome, "same timestamp twice: %r" %
              q.getwelcome())
    finally:
        q.quit()


def poplib_capa(srv):
    addr, spec, _ = account(srv)
    p = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        want = {"TOP", "USER", "UIDL", "PIPELINING", "RESP-CODES",
                "AUTH-RESP-CODE"}
        caps = p.capa()
        check(want <= set(caps), "CAPA lacks %r: %r" %
              (want - set(caps), caps))
        check("STLS" not in caps, "STLS offered without [tls]: %r" % caps)
        check(caps.get("IMPLEMENTATION") == ["cartero"], "CAPA %r" % caps)
        p.user(addr)
        p.pass_(PASSWORD)
        caps2 = p.capa()
        want = {"TOP", "UIDL", "PIPELINING", "RESP-CODES"}
        check(want <= set(caps2), "CAPA in TRANSACTION lacks %r: %r" %
              (want - set(caps2), caps2))
    finally:
        p.quit()
    return "SASL %s" % " ".join(caps.get("SASL", ["-"]))


def poplib_bad_password(srv):
    addr, spec, _ = account(srv)
    p = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        p.user(addr)
        try:
            p.pass_(PASSWORD.split()[0])    # the password up to the space
            raise Failure("a prefix of the password was accepted")
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR [AUTH] Authentication failed",
                  "reply %r" % e.args[0])
        try:
            p.stat()
            raise Failure("STAT before login answered +OK")
        except poplib.error_proto as e:
            check(e.args[0].startswith(b"-ERR"), "reply %r" % e.args[0])
    finally:
        p.quit()


# -- curl -------------------------------------------------------------------
def curl(srv, addr, path, *args):
    """curl's output for pop3://HOST:PORT/PATH, and how it logged in (it
    picks SASL when CAPA lists it, else APOP when the greeting has a
    timestamp, else USER/PASS)."""
    out = os.path.join(srv.tmp, "curl.out")
    rc, text = run(["curl", "-v", "-sS", "--max-time", "10",
                    "--connect-timeout", "5", "-u", "%s:%s" %
                    (addr, PASSWORD), "-o", out] + list(args) +
                   ["pop3://%s:%d%s" % (HOST, srv.port, path)])
    check(rc == 0, "curl exit %d: %s" % (rc, text))
    how = [l[2:].split()[:2] for l in text.splitlines()
           if l.startswith(("> AUTH", "> APOP", "> USER"))]
    with open(out, "rb") as f:
        return f.read(), " ".join(how[0]) if how else "?"


def curl_list(srv):
    addr, spec, msgs = account(srv)
    got, how = curl(srv, addr, "/")
    want = b"".join(b"%d %d\r\n" % (i + 1, len(m))
                    for i, m in enumerate(msgs))
    check(got == want, "curl listing %r, want %r" % (got, want))
    return "curl logged in with " + how


def curl_retr(srv):
    addr, spec, msgs = account(srv)
    for i, m in enumerate(msgs):
        got, _ = curl(srv, addr, "/%d" % (i + 1))
        check(got == m, "curl /%d: got %r..., stored %r..." %
              (i + 1, got[:200], m[:200]))


def curl_uidl(srv):
    addr, spec, msgs = account(srv)
    got, _ = curl(srv, addr, "/", "-X", "UIDL")
    want = b"".join(b"%d %s\r\n" % (i + 1, u.encode())
                    for i, u in enumerate(uids(srv, spec)))
    check(got == want, "curl -X UIDL %r, want %r" % (got, want))


def curl_login_methods(srv):
    # APOP and each SASL mechanism CAPA lists, then a wrong password.
    addr, spec, msgs = account(srv)
    p = poplib.POP3(HOST, srv.port, timeout=TIMEOUT)
    try:
        mechs = p.capa().get("SASL", [])
    finally:
        p.quit()
    # Debian's curl has no SCRAM (it needs libgsasl); test_auth.py logs
    # in with SCRAM-SHA-256 through GNU gsasl and by hand.
    check(mechs == ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"],
          "CAPA SASL %r" % mechs)
    mechs = [m for m in mechs if m != "SCRAM-SHA-256"]
    used = []
    for m in ["+APOP"] + mechs:
        got, how = curl(srv, addr, "/1", "--login-options", "AUTH=" + m)
        check(got == msgs[0], "curl AUTH=%s retrieved %r" % (m, got[:80]))
        check(how == ("APOP " + addr if m == "+APOP" else "AUTH " + m),
              "curl AUTH=%s logged in with %r" % (m, how))
        used.append(m.lstrip("+"))
    out = os.path.join(srv.tmp, "curl.out")
    for m in ["+APOP"] + mechs:
        rc, text = run(["curl", "-sS", "--max-time", "10", "-o", out,
                        "--login-options", "AUTH=" + m, "-u",
                        "%s:wrong" % addr,
                        "pop3://%s:%d/1" % (HOST, srv.port)])
        check(rc == 67, "curl AUTH=%s with a wrong password: exit %d "
              "(want 67, login denied): %s" % (m, rc, text))
    return " ".join(used)


# -- fetchmail --------------------------------------------------------------
def fetchmail(srv, addr, keep):
    """One fetchmail poll (no TLS, no syslog, no daemon); each message goes
    to its own file through an MDA.  Returns [bytes] of those files."""
    home = os.path.join(srv.tmp, "home-%s" % ("keep" if keep else "all"))
    out = os.path.join(home, "out")
    os.makedirs(out)
    rc = os.path.join(home, ".fetchmailrc")
    with open(rc, "w") as f:
        f.write('set no syslog\nset no bouncemail\nset invisible\n'
                'poll 127.0.0.1 protocol pop3 port %d timeout 10\n'
                '  user "%s" password "%s" is root here\n'
                '  sslproto "" no sslcertck %s no rewrite\n'
                '  mda "cat > %s/msg.$$"\n' %
                (srv.port, addr, PASSWORD, "keep" if keep else
                 "no keep fetchall", out))
    os.chmod(rc, 0o600)
    env = {k: v for k, v in os.environ.items()
           if k not in ("FETCHMAILUSER", "LOGNAME", "USER", "HOME",
                        "FETCHMAILHOME")}
    env.update(HOME=home, FETCHMAILHOME=home)
    status, text = run(["fetchmail", "-N", "--nosyslog", "-v", "-f", rc],
                       env=env, timeout=40)
    check(status == 0, "fetchmail exit %d:\n%s" % (status, text))
    check("> STLS" not in text, "fetchmail tried STLS:\n%s" % text)
    got = []
    for name in sorted(os.listdir(out)):
        with open(os.path.join(out, name), "rb") as f:
            got.append(f.read())
    return got, text


def same_messages(got, msgs):
    """fetchmail hands the MDA LF lines; compare as sets (MDA files have
    no order)."""
    want = sorted(m.replace(b"\r\n", b"\n") for m in msgs)
    check(sorted(got) == want, "fetchmail delivered %d messages %r..., "
          "stored %d %r..." % (len(got), sorted(got)[:1], len(want),
                               want[:1]))


def fetchmail_keep_then_fetchall(srv):
    rc, text = run(["sh", "-c", "command -v fetchmail"])
    if rc != 0:
        raise Failure("fetchmail is not installed (scripts/deps test)")
    addr, spec, msgs = account(srv)
    before = list(srv.snapshot(spec))
    got, text = fetchmail(srv, addr, keep=True)
    same_messages(got, msgs)
    check(list(srv.snapshot(spec)) == before,
          "keep run changed the maildrop: %r" % srv.snapshot(spec).keys())
    check(all(os.path.basename(x).endswith(":2,S")
              for x in srv.all_files(spec)),
          "retrieved messages not marked Seen: %r" % srv.all_files(spec))
    got, text = fetchmail(srv, addr, keep=False)
    same_messages(got, msgs)
    check(srv.all_files(spec) == [], "messages left after a fetchall run "
          "without keep: %r" % srv.all_files(spec))
    check(("event=update result=ok deleted=%d " % len(msgs)) in
          srv.logtext(), "no update deleted=%d in the log" % len(msgs))


def handlers_clean(srv):
    check_handlers_clean(srv, ("event=connect", "event=auth result=ok",
                               "event=update result=ok",
                               "event=disconnect reason=quit"))


CASES = [
    ("poplib USER/PASS, STAT, LIST, UIDL, NOOP",
     poplib_user_pass_stat_list_uidl),
    ("poplib RETR: stored bytes, un-stuffed, octets = LIST size",
     poplib_retr),
    ("poplib foreign LF / unterminated files: LIST = what RETR sends",
     poplib_foreign_message),
    ("poplib TOP n 0/1/3", poplib_top),
    ("poplib DELE, RSET, QUIT keeps all", poplib_dele_rset),
    ("poplib DELE+QUIT removes exactly those, UIDLs kept", poplib_dele_quit),
    ("poplib drop after DELE leaves the maildrop unchanged",
     poplib_drop_after_dele),
    ("poplib UIDL stable across new/ -> cur/ and flags", poplib_uidl_stable),
    ("poplib second session -ERR [IN-USE]", poplib_in_use),
    ("poplib APOP (greeting timestamp digest)", poplib_apop),
    ("poplib CAPA", poplib_capa),
    ("poplib wrong password -ERR [AUTH]", poplib_bad_password),
    ("curl pop3:// listing", curl_list),
    ("curl pop3:///N retrieve", curl_retr),
    ("curl -X UIDL", curl_uidl),
    ("curl APOP and each SASL mechanism, right and wrong password",
     curl_login_methods),
    ("fetchmail keep, then fetchall without keep",
     fetchmail_keep_then_fetchall),
    ("handlers exited 0, log clean", handlers_clean),
]


def main():
    for launcher in LAUNCHERS:
        srv = Pop3Server(launcher)
        try:
            srv.start()
        except Failure as e:
            R.not_ok("%s: start" % launcher, e)
            srv.cleanup()
            continue
        try:
            for name, fn in CASES:
                R.case("%s: %s" % (launcher, name), lambda: fn(srv), srv)
        finally:
            srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
