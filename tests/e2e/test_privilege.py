#!/usr/bin/env python3
# ISC license.
# Privilege: a handler started as root with "user = nobody" is nobody
# (real, effective, saved and file-system uid and gid, and nobody's groups
# only) before it reads a byte from the network: checked in
# /proc/PID/status while it waits for the first command, and while it
# waits for a PROXY header (read before the greeting); the mail it stores
# then belongs to nobody.  The same for cartero-pop3d.
# checkpassword: the program runs with argv [program, /bin/true], stdin
# /dev/null (the client's pipelined bytes never reach it), stdout and
# stderr /dev/null, the credentials on fd 3 and no other descriptor.
import base64
import grp
import json
import os
import pwd
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, POP3_BIN, TIMEOUT, Raw,  # noqa: E402
                         Reporter, Server, check, wait_for)
from pipeproc import Handler, handler_env  # noqa: E402

R = Reporter()


def ids(pid):
    """{'Uid': [r, e, s, fs], 'Gid': [...], 'Groups': [...]}."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            k, _, v = l.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                out[k] = [int(x) for x in v.split()]
    return out


def nobody():
    pw = pwd.getpwnam("nobody")
    groups = sorted({pw.pw_gid} | {g.gr_gid for g in grp.getgrall()
                                   if "nobody" in g.gr_mem})
    return pw.pw_uid, pw.pw_gid, groups


def is_nobody(pid):
    """True when PID's ids are all nobody's (False if it is gone)."""
    uid, gid, groups = nobody()
    try:
        got = ids(pid)
    except OSError:
        return False
    return (got["Uid"] == [uid] * 4 and got["Gid"] == [gid] * 4 and
            sorted(got["Groups"]) == groups)


def check_nobody(pid, when):
    uid, gid, groups = nobody()
    got = ids(pid)
    check(got["Uid"] == [uid] * 4, "%s: Uid %r, want nobody %d" %
          (when, got["Uid"], uid))
    check(got["Gid"] == [gid] * 4, "%s: Gid %r, want %d" % (when, got["Gid"],
                                                            gid))
    check(sorted(got["Groups"]) == groups, "%s: Groups %r, want %r "
          "(root's groups kept?)" % (when, got["Groups"], groups))
    return "Uid %s Gid %s Groups %s" % (got["Uid"][0], got["Gid"][0],
                                        got["Groups"])


def open_to_nobody(srv):
    """The folder readable by nobody, the mail tree nobody's."""
    uid, gid, _ = nobody()
    os.chmod(srv.tmp, 0o755)
    for d, dirs, files in os.walk(os.path.join(srv.tmp, "mail")):
        os.chown(d, uid, gid)
        for f in files:
            os.chown(os.path.join(d, f), uid, gid)


def smtpd_as_nobody():
    srv = Server(users=["example.test/alice"])
    try:
        with open(srv.conf) as f:
            conf = f.read()
        with open(srv.conf, "w") as f:
            f.write("user = nobody\n" + conf)
        open_to_nobody(srv)
        spool = os.path.join(srv.tmp, "spool")
        os.makedirs(spool)
        os.chmod(spool, 0o1777)
        h = Handler([BIN, "-c", srv.conf], env=handler_env(spool),
                    cwd=srv.tmp)
        try:
            h.expect(220, "greeting")
            note = check_nobody(h.pid, "waiting for the first command")
            h.send(b"EHLO x\r\nMAIL FROM:<a@example.net>\r\n"
                   b"RCPT TO:<alice@example.test>\r\nDATA\r\n")
            for c in (250, 250, 250, 354):
                h.expect(c)
            h.send(b"Subject: as nobody\r\n\r\nx\r\n.\r\nQUIT\r\n")
            h.expect(250, "data")
            h.expect(221)
            check(h.finish() == 0, "exit status")
        finally:
            h.kill()
        files = srv.files("example.test/alice")
        check(len(files) == 1, "stored %r" % files)
        st = os.stat(files[0])
        check(st.st_uid == nobody()[0], "the message belongs to uid %d" %
              st.st_uid)
        return note + "; the stored file is nobody's"
    finally:
        srv.cleanup()


def smtpd_proxy_as_nobody():
    """Under a launcher, with the PROXY protocol on: the handler reads the
    header first; while it waits for it, it is nobody already."""
    srv = Server("socket-activate", users=["example.test/alice"],
                 conf_extra="\n[smtpd]\nproxy_protocol = yes\n"
                            "proxy_trusted = 127.0.0.1/32\n")
    try:
        with open(srv.conf) as f:
            conf = f.read()
        with open(srv.conf, "w") as f:
            f.write("user = nobody\n" + conf)
        open_to_nobody(srv)
        with srv:
            c = Raw(srv.port)
            try:
                pids = wait_for(srv.handlers)
                check(len(pids) == 1, "handlers %r" % pids)
                # It is listed once exec'd; its set-up (configuration,
                # plugins; slow under ASan on a busy machine) comes before
                # the switch, so wait for it, bounded.  Nothing has been
                # sent yet: all it does meanwhile is before it reads a
                # byte, and one that stays root fails check_nobody.
                wait_for(lambda: is_nobody(pids[0]))
                note = check_nobody(pids[0], "waiting for the PROXY header")
                c.send(b"PROXY TCP4 192.0.2.7 127.0.0.1 4000 25\r\n")
                c.expect(220, "greeting after PROXY")
                c.send(b"QUIT\r\n")
                c.expect(221)
            finally:
                c.close()
            check(srv.wait_idle(), "handler still running")
            check("ip=192.0.2.7" in srv.logtext(), "PROXY address not used")
        return note
    finally:
        srv.cleanup()


def pop3d_as_nobody():
    srv = Server(accounts={"alice@example.test": "pw"})
    try:
        with open(srv.conf) as f:
            conf = f.read()
        with open(srv.conf, "w") as f:
            f.write("user = nobody\n" + conf)
        os.chmod(srv.users_file, 0o644)
        srv.put_message("example.test/alice", b"Subject: p\r\n\r\nx\r\n")
        open_to_nobody(srv)
        h = Handler([POP3_BIN, "-c", srv.conf], env=handler_env(srv.tmp),
                    cwd=srv.tmp)
        try:
            check(h.line().startswith(b"+OK"), "greeting")
            note = check_nobody(h.pid, "waiting for the first command")
            h.send(b"USER alice@example.test\r\nPASS pw\r\nDELE 1\r\n"
                   b"QUIT\r\n")
            got = [h.line() for _ in range(4)]
            check(all(l.startswith(b"+OK") for l in got), "session %r" % got)
            check(h.finish() == 0, "exit status")
        finally:
            h.kill()
        check(srv.all_files("example.test/alice") == [], "not deleted")
        return note
    finally:
        srv.cleanup()


# -- checkpassword -------------------------------------------------------------
PROBE = """#!%s
# Records how the plugin runs it: argv, fds 0-2, every open descriptor,
# what stdin holds, and what fd 3 holds; accepts alice/secret.
import json, os, select, sys
out = {"argv": sys.argv}
out["fds"] = {}
for fd in sorted(int(x) for x in os.listdir("/proc/self/fd")):
    try:        # (the listing's own descriptor is gone by now)
        out["fds"][str(fd)] = os.readlink("/proc/self/fd/%%d" %% fd)
    except OSError:
        pass
r, _, _ = select.select([0], [], [], 0.2)
out["stdin"] = os.read(0, 4096).decode("latin-1") if r else None
data = b""
while True:
    chunk = os.read(3, 4096)
    if not chunk:
        break
    data += chunk
out["fd3"] = data.decode("latin-1")
with open(os.path.join(os.path.dirname(sys.argv[0]), "probe.json"),
          "a") as f:
    f.write(json.dumps(out) + "\\n")
f = data.split(b"\\0")
sys.exit(0 if f[:2] == [b"alice@example.test", b"secret"] else 1)
""" % sys.executable

CHECKPW_CONF = """
[smtpd]
auth = checkpassword
auth_requires_tls = no
auth_delay = 10

[plugin checkpassword]
program = probe
timeout = 5
"""


def checkpassword_sees_nothing():
    srv = Server(users=["example.test/alice"], conf_extra=CHECKPW_CONF)
    try:
        prog = os.path.join(srv.tmp, "probe")
        with open(prog, "w") as f:
            f.write(PROBE)
        os.chmod(prog, 0o755)
        h = Handler([BIN, "-c", srv.conf], env=handler_env(srv.tmp),
                    cwd=srv.tmp)
        try:
            h.expect(220)
            h.send(b"EHLO x\r\n")
            h.expect(250)
            cred = base64.b64encode(b"\0alice@example.test\0secret")
            # the AUTH line and, in the same write, bytes the client sends
            # on: none of them may reach the program's stdin
            h.send(b"AUTH PLAIN " + cred + b"\r\nNOOP client-data-1\r\n"
                   b"NOOP client-data-2\r\n")
            h.expect(235, "AUTH", timeout=TIMEOUT * 2)
            h.expect(250, "NOOP")
            h.expect(250, "NOOP")
            h.send(b"QUIT\r\n")
            h.expect(221)
            h.finish()
        finally:
            h.kill()
        with open(os.path.join(srv.tmp, "probe.json")) as f:
            runs = [json.loads(l) for l in f]
        check(len(runs) == 1, "the program ran %d times" % len(runs))
        p = runs[0]
        check(p["argv"] == [prog, "/bin/true"], "argv %r" % p["argv"])
        # Nothing of the session may reach it: no socket, no spool, no
        # maildir, no log.  A spare /dev/null is harmless, and reported.
        extra = {fd: t for fd, t in p["fds"].items()
                 if fd not in ("0", "1", "2", "3")}
        check(all(t == "/dev/null" for t in extra.values()),
              "descriptors beyond 0-3: %r" % extra)
        for fd in ("0", "1", "2"):
            check(p["fds"][fd] == "/dev/null", "fd %s is %r" %
                  (fd, p["fds"][fd]))
        check(p["fds"]["3"].startswith("pipe:"), "fd 3 is %r" % p["fds"]["3"])
        check(p["stdin"] in (None, ""), "stdin held %r" % p["stdin"])
        check(p["fd3"] == "alice@example.test\0secret\0\0",
              "fd 3 held %r" % p["fd3"])
        check("client-data" not in json.dumps(p), "client data reached "
              "the program")
        return "argv %r, fds %r%s" % (
            p["argv"], p["fds"], "; NOTE: /dev/null left open as fd %s "
            "(checkpassword.c does not close it after dup2)" %
            ",".join(sorted(extra)) if extra else "")
    finally:
        srv.cleanup()


def main():
    if os.geteuid() != 0:
        for n in ("smtpd", "smtpd PROXY", "pop3d"):
            R.skip("privilege: %s drops to nobody" % n, "not root")
    else:
        R.case("privilege: smtpd as root with user = nobody",
               smtpd_as_nobody)
        R.case("privilege: smtpd is nobody while it reads a PROXY header",
               smtpd_proxy_as_nobody)
        R.case("privilege: pop3d as root with user = nobody",
               pop3d_as_nobody)
    R.case("checkpassword: argv and fd 3 only, no client data",
           checkpassword_sees_nothing)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
