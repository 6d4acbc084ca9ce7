#!/usr/bin/env python3
# ISC license.
# End-to-end authentication: bin/cartero-passwd writing the passwd plugin's
# users file ({ARGON2ID} hashes, sealed secrets for APOP/CRAM-MD5), then the
# real cartero-smtpd and cartero-pop3d behind systemd-socket-activate and
# tcpserver, logged into by clients nobody here wrote: Python smtplib (each
# mechanism), swaks, curl, poplib, GNU gsasl (SCRAM-SHA-256), and RFC 5034
# AUTH and SCRAM's edge cases by hand.  Also the checkpassword plugin with
# a qmail-style program written here.
#
# Users (made by cartero-passwd; argon2 costs kept small for speed):
#   alice@example.test  --secret  APOP, CRAM-MD5, SCRAM-SHA-256 work for her
#   dave@example.test             PLAIN/LOGIN/USER only
#   carol@example.test  --secret  a password with a space and a colon
import base64
import hashlib
import hmac
import os
import poplib
import re
import smtplib
import stat
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (LAUNCHERS, HOST, POP3_BIN, ROOT, TIMEOUT,  # noqa: E402
                         Failure, Raw, Reporter, Server, check,
                         check_handlers_clean, received, run)

R = Reporter()
PASSWD = os.path.join(ROOT, "bin", "cartero-passwd")

USERS = {
    "alice@example.test": ("alice-S3cret", True),
    "dave@example.test": ("dave-pw-no-secret", False),
    "carol@example.test": ("c ar:ol pw", True),
}

COSTS = """argon2_ops = 1
argon2_mem = 1048576
"""

AUTH_CONF = """
[smtpd]
auth = passwd
auth_requires_tls = no
auth_delay = 20

[pop3d]
auth = passwd
auth_requires_tls = no
auth_delay = 20

[plugin passwd]
file = users
key = key
""" + COSTS


def b64(s):
    if isinstance(s, str):
        s = s.encode("utf-8")
    return base64.b64encode(s).decode()


def cartero_passwd(conf, *args, password=None, env=None):
    """Runs bin/cartero-passwd with CARTERO_CONF=CONF; the password (if
    any) goes on stdin, one line.  (exit code, stdout, stderr)."""
    e = {k: v for k, v in os.environ.items() if k != "CARTERO_CONF"}
    if conf is not None:
        e["CARTERO_CONF"] = conf
    e.update(env or {})
    try:
        p = subprocess.run([PASSWD] + list(args), env=e,
                           input=b"" if password is None else
                           password.encode("utf-8") + b"\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT * 3)
    except subprocess.TimeoutExpired:
        raise Failure("cartero-passwd %r timed out" % (args,))
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def make_key(folder, name="key"):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(path, 0o600)
    return path


def add_users(conf, users=USERS):
    for user, (pw, secret) in users.items():
        args = (["--secret"] if secret else []) + ["add", user]
        rc, out, err = cartero_passwd(conf, *args, password=pw)
        check(rc == 0, "cartero-passwd %s: exit %d: %s" %
              (" ".join(args), rc, err))


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def line_of(path, user):
    for l in read_lines(path):
        if l.startswith(user + ":"):
            return l
    return None


# -- cartero-passwd, no server ------------------------------------------------
class PwDir:
    """A folder with cartero.conf ([plugin passwd] file, key, costs)."""

    def __init__(self, costs=COSTS, key=True):
        self.tmp = tempfile.mkdtemp(prefix="cartero-pw-")
        self.conf = os.path.join(self.tmp, "cartero.conf")
        self.file = os.path.join(self.tmp, "users")
        with open(self.conf, "w") as f:
            f.write("[plugin passwd]\nfile = users\n" +
                    ("key = key\n" if key else "") + costs)
        if key:
            make_key(self.tmp)

    def pw(self, *args, password=None):
        return cartero_passwd(self.conf, *args, password=password)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)


ARGON_RX = (r"\{ARGON2ID\}\$argon2id\$v=19\$m=1024,t=1,p=1\$"
            r"[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}")


def pw_add_lines():
    with PwDir() as d:
        add_users(d.conf)
        lines = read_lines(d.file)
        check(len(lines) == 3, "users file has %d lines: %r" %
              (len(lines), lines))
        for l in lines:
            user = l.split(":", 1)[0]
            pw, secret = USERS[user]
            rx = re.escape(user) + ":" + ARGON_RX
            if secret:
                rx += r"::::::cartero_secret=[A-Za-z0-9+/]+={0,2}"
            check(re.fullmatch(rx, l), "line for %s (secret=%s) does not "
                  "look like %s: %r" % (user, secret, rx, l))
            check(pw not in l and b64(pw) not in l,
                  "the password is in the file: %r" % l)
        # each hash is salted: the same password twice, two hashes
        rc, _, err = d.pw("add", "twin@example.test",
                          password="alice-S3cret")
        check(rc == 0, "add twin: %d %s" % (rc, err))
        a = line_of(d.file, "alice@example.test").split(":")[1]
        t = line_of(d.file, "twin@example.test").split(":")[1]
        check(a != t, "same hash for the same password: %r" % a)
        rc, out, err = d.pw("list")
        check(rc == 0, "list: exit %d %s" % (rc, err))
        want = ["alice@example.test {ARGON2ID} secret",
                "dave@example.test {ARGON2ID}",
                "carol@example.test {ARGON2ID} secret",
                "twin@example.test {ARGON2ID}"]
        check(out.splitlines() == want, "list: %r, want %r" %
              (out.splitlines(), want))
        check(stat.S_IMODE(os.stat(d.file).st_mode) == 0o600,
              "new users file mode %o" % os.stat(d.file).st_mode)


def pw_exit_codes():
    with PwDir() as d:
        add_users(d.conf)
        before = read_lines(d.file)
        cases = [
            # (args, stdin, exit, what)
            (["check", "alice@example.test"], "alice-S3cret", 0,
             "check, right password"),
            (["check", "alice@example.test"], "alice-S3cre", 1,
             "check, wrong password (a prefix)"),
            (["check", "alice@example.test"], "alice-S3cret2", 1,
             "check, wrong password (longer)"),
            (["check", "ALICE@Example.Test"], "alice-S3cret", 0,
             "check, user in another case"),
            (["check", "carol@example.test"], "c ar:ol pw", 0,
             "check, password with a space and a colon"),
            (["check", "nobody@example.test"], "alice-S3cret", 1,
             "check, unknown user"),
            (["add", "alice@example.test"], "x", 1, "add, user exists"),
            (["add", "Alice@EXAMPLE.test"], "x", 1,
             "add, user exists in another case"),
            (["set", "nobody@example.test"], "x", 1, "set, unknown user"),
            (["del", "nobody@example.test"], None, 1, "del, unknown user"),
            ([], None, 100, "no command"),
            (["frob", "x@example.test"], "x", 100, "unknown command"),
            (["add"], "x", 100, "add without a user"),
            (["add", "nodomain"], "x", 100, "user without @"),
            (["add", "@example.test"], "x", 100, "user with empty local"),
            (["add", "x@"], "x", 100, "user with empty domain"),
            (["add", "a:b@example.test"], "x", 100, "user with a colon"),
            (["add", "a b@example.test"], "x", 100, "user with a space"),
            (["add", "new@example.test"], None, 100, "no password on stdin"),
            (["add", "new@example.test"], "", 100, "empty password"),
            (["add", "new@example.test", "extra"], "x", 100,
             "one argument too many"),
            (["--bogus", "list"], None, 100, "unknown option"),
        ]
        bad = []
        for args, pw, want, what in cases:
            rc, out, err = d.pw(*args, password=pw)
            if rc != want:
                bad.append("%s (%s): exit %d, want %d: %s" %
                           (what, " ".join(args), rc, want, err.strip()))
        check(read_lines(d.file) == before,
              "a refused command changed the file")
        check(not bad, "\n".join(bad))
    # --secret needs a key; a key readable by others is refused
    with PwDir(key=False) as d:
        rc, _, err = d.pw("--secret", "add", "x@example.test", password="p")
        check(rc == 100 and "key" in err, "--secret without key = : exit "
              "%d: %s" % (rc, err))
        check(not os.path.exists(d.file) or line_of(d.file, "x@example.test")
              is None, "user added although --secret failed")
    with PwDir() as d:
        os.chmod(os.path.join(d.tmp, "key"), 0o644)
        rc, _, err = d.pw("--secret", "add", "x@example.test", password="p")
        check(rc == 111 and "chmod 600" in err, "key mode 0644: exit %d: %s"
              % (rc, err))
    # -f FILE wins over file = in the configuration
    with PwDir() as d:
        other = os.path.join(d.tmp, "other")
        rc, _, err = d.pw("-f", other, "add", "f@example.test", password="p")
        check(rc == 0 and line_of(other, "f@example.test") and
              not os.path.exists(d.file), "-f: exit %d %s" % (rc, err))


def pw_set_del():
    with PwDir() as d:
        add_users(d.conf)
        others = [l for l in read_lines(d.file)
                  if not l.startswith("alice@")]
        rc, _, err = d.pw("--secret", "set", "alice@example.test",
                          password="new-alice-pw")
        check(rc == 0, "set: exit %d %s" % (rc, err))
        check(d.pw("check", "alice@example.test",
                   password="alice-S3cret")[0] == 1,
              "the old password still checks after set")
        check(d.pw("check", "alice@example.test",
                   password="new-alice-pw")[0] == 0,
              "the new password does not check after set")
        check([l for l in read_lines(d.file)
               if not l.startswith("alice@")] == others,
              "set changed other users' lines")
        check(len([l for l in read_lines(d.file)
                   if l.startswith("alice@")]) == 1, "alice twice")
        # set without --secret drops the old secret (it is the old
        # password: keeping it would keep APOP/CRAM-MD5 open to it)
        rc, _, err = d.pw("set", "alice@example.test", password="third-pw")
        check(rc == 0, "set: exit %d %s" % (rc, err))
        check("cartero_secret=" not in line_of(d.file, "alice@example.test"),
              "set without --secret kept the old secret: %r" %
              line_of(d.file, "alice@example.test"))
        rc, _, err = d.pw("del", "dave@example.test")
        check(rc == 0, "del: exit %d %s" % (rc, err))
        check(line_of(d.file, "dave@example.test") is None, "dave still "
              "there after del")
        check(d.pw("check", "dave@example.test",
                   password=USERS["dave@example.test"][0])[0] == 1,
              "a deleted user still checks")
        check(line_of(d.file, "carol@example.test") in others,
              "del changed carol's line")
        rc, _, _ = d.pw("del", "dave@example.test")
        check(rc == 1, "del twice: exit %d" % rc)
        # comments and blank lines written by hand survive a rewrite
        with open(d.file, "a") as f:
            f.write("# a comment\n\n")
        check(d.pw("add", "z@example.test", password="z")[0] == 0, "add z")
        lines = read_lines(d.file)
        check("# a comment" in lines and "" in lines,
              "rewrite dropped a comment or blank line: %r" % lines)


def pw_long_password():
    # No login can carry more than 255 octets of password (RFC 4616 2,
    # POP3's 255-octet line); a longer one must be refused, not stored as
    # a hash of some prefix of it.
    long_pw = "".join(chr(0x61 + i % 26) for i in range(300))
    with PwDir() as d:
        rc, _, err = d.pw("add", "long@example.test", password=long_pw)
        if rc == 0:
            rc2, _, _ = d.pw("check", "long@example.test",
                             password=long_pw[:257])
            check(rc2 != 0, "a 300-octet password was stored as its first "
                  "257 octets: check accepts the 257-octet prefix")
        else:
            check(rc == 100, "add with a 300-octet password: exit %d %s" %
                  (rc, err))
            check(not os.path.exists(d.file) or
                  line_of(d.file, "long@example.test") is None,
                  "refused, but the user was added")
        rc, _, err = d.pw("add", "max@example.test", password=long_pw[:255])
        check(rc == 0, "a 255-octet password: exit %d %s" % (rc, err))
        check(d.pw("check", "max@example.test",
                   password=long_pw[:255])[0] == 0, "255-octet check")
        check(d.pw("check", "max@example.test",
                   password=long_pw[:254])[0] == 1, "254-octet prefix "
              "accepted")


def pw_atomic():
    with PwDir() as d:
        add_users(d.conf)
        seen = []
        for args, pw in ((["add", "e1@example.test"], "x"),
                         (["set", "e1@example.test"], "y"),
                         (["del", "e1@example.test"], None)):
            st0 = os.stat(d.file)
            with open(d.file, "rb") as f:
                old = f.read()
            rc, _, err = d.pw(*args, password=pw)
            check(rc == 0, "%s: exit %d %s" % (args, rc, err))
            st1 = os.stat(d.file)
            check(st1.st_ino != st0.st_ino, "%s rewrote the file in place "
                  "(same inode %d): a reader could see half a file" %
                  (args[0], st1.st_ino))
            check(stat.S_IMODE(st1.st_mode) == 0o600, "%s: mode %o, was "
                  "0600" % (args[0], stat.S_IMODE(st1.st_mode)))
            seen.append(st1.st_ino)
            check(old != open(d.file, "rb").read(), "%s: no change" % args)
        left = [f for f in os.listdir(d.tmp) if ".tmp" in f]
        check(not left, "temporary files left: %r" % left)


def pw_mode_kept():
    # A site that lets a group read the file (e.g. the handlers' group)
    # must keep that mode across edits, whatever the umask.
    with PwDir() as d:
        add_users(d.conf)
        os.chmod(d.file, 0o640)
        old = os.umask(0o077)
        try:
            rc, _, err = d.pw("add", "m@example.test", password="m")
        finally:
            os.umask(old)
        check(rc == 0, "add: %d %s" % (rc, err))
        mode = stat.S_IMODE(os.stat(d.file).st_mode)
        check(mode == 0o640, "mode 0640 became %04o after add (umask 077)"
              % mode)


def pw_owner_kept():
    # Handlers that drop to `user = ...` read the file as that user; root
    # running cartero-passwd must not make it root's.
    if os.geteuid() != 0:
        return "SKIP not root"
    with PwDir() as d:
        add_users(d.conf)
        os.chown(d.file, 65534, 65534)
        rc, _, err = d.pw("add", "o@example.test", password="o")
        check(rc == 0, "add: %d %s" % (rc, err))
        st = os.stat(d.file)
        check((st.st_uid, st.st_gid) == (65534, 65534),
              "owner 65534:65534 became %d:%d after add as root: a handler "
              "running as that user can no longer read it (454 for "
              "everyone)" % (st.st_uid, st.st_gid))


def pw_concurrent():
    # Five adds at once: each holds the lock over read-modify-rename, so
    # none loses another's line.  Costs high enough that the hashing (done
    # inside the lock) overlaps if the lock did not exist.
    with PwDir(costs="argon2_ops = 2\nargon2_mem = 16777216\n") as d:
        add_users(d.conf, {"first@example.test": ("f", False)})
        e = dict(os.environ, CARTERO_CONF=d.conf)
        procs = []
        for i in range(5):
            procs.append(subprocess.Popen(
                [PASSWD, "add", "c%d@example.test" % i], env=e,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE))
        for i, p in enumerate(procs):
            p.stdin.write(b"pw%d\n" % i)
            p.stdin.close()
        codes = []
        for p in procs:
            try:
                codes.append(p.wait(timeout=TIMEOUT * 3))
            except subprocess.TimeoutExpired:
                p.kill()
                codes.append("timeout")
        check(codes == [0] * 5, "exit codes %r" % codes)
        lines = read_lines(d.file)
        users = sorted(l.split(":", 1)[0] for l in lines)
        want = sorted(["first@example.test"] +
                      ["c%d@example.test" % i for i in range(5)])
        check(users == want, "after 5 concurrent adds: %r, want %r" %
              (users, want))
        for i in range(5):
            check(d.pw("check", "c%d@example.test" % i,
                       password="pw%d" % i)[0] == 0, "c%d does not check" % i)
        left = [f for f in os.listdir(d.tmp) if ".tmp" in f]
        check(not left, "temporary files left: %r" % left)


# -- a server with passwd -----------------------------------------------------
def passwd_server(launcher, extra=AUTH_CONF, users=USERS, key=True):
    srv = Server(launcher, conf_extra=extra)
    if key:
        make_key(srv.tmp)
    add_users(srv.conf, users)
    check(stat.S_IMODE(os.stat(os.path.join(srv.tmp, "users")).st_mode)
          == 0o600, "users file not 0600")
    return srv


def smtp(srv):
    s = smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                     timeout=TIMEOUT)
    s.ehlo()
    return s


def smtplib_auth(srv, user, mech, initial=True):
    """Logs USER in with MECH through smtplib's own auth_* objects; the
    SMTP object, still connected, or raises SMTPAuthenticationError."""
    s = smtp(srv)
    s.user, s.password = user, USERS[user][0]
    obj = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login,
           "CRAM-MD5": s.auth_cram_md5}[mech]
    try:
        code, resp = s.auth(mech, obj, initial_response_ok=initial)
    except Exception:
        s.close()
        raise
    check(code == 235, "AUTH %s: %d %r" % (mech, code, resp))
    return s


def delivered_as(srv, spec, n, user, marker):
    msgs = srv.wait_messages(spec, n)
    check(len(msgs) >= n, "%s has %d messages, want %d" % (spec, len(msgs),
                                                           n))
    m = [x for x in msgs if marker.encode() in x]
    check(len(m) == 1, "no message with %r in %s" % (marker, spec))
    rec = received(m[0])
    check("with ESMTPA id" in rec, "Received lacks ESMTPA: %r" % rec)
    check("(Authenticated sender: %s)" % user in rec,
          "Received lacks (Authenticated sender: %s): %r" % (user, rec))
    return m[0]


_sent = [0]


def send_after(s, srv, user, what):
    _sent[0] += 1
    marker = "%s #%d" % (what, _sent[0])
    s.sendmail(user, ["dave@example.test"],
               "From: %s\r\nSubject: %s\r\n\r\nbody\r\n" % (user, marker))
    s.quit()
    delivered_as(srv, "example.test/dave", 1, user, marker)


def smtplib_each_mechanism(srv):
    ehlo = smtp(srv)
    try:
        check(ehlo.has_extn("auth") and ehlo.esmtp_features["auth"].split()
              == ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"],
              "EHLO AUTH %r" %
              ehlo.esmtp_features.get("auth"))
    finally:
        ehlo.quit()
    for user in ("alice@example.test", "carol@example.test"):
        for mech, initial in (("PLAIN", True), ("PLAIN", False),
                              ("LOGIN", True), ("LOGIN", False),
                              ("CRAM-MD5", False)):
            s = smtplib_auth(srv, user, mech, initial)
            send_after(s, srv, user, "smtplib %s %s" % (mech, initial))
    log = srv.logtext()
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        check('event=auth result=ok mech=%s user="alice@example.test"' %
              mech in log, "no auth ok line for %s" % mech)
    for user, (pw, _) in USERS.items():
        check(pw not in log and b64(pw) not in log,
              "the password of %s is in the log" % user)


def smtplib_no_secret(srv):
    # dave has no secret: PLAIN and LOGIN work, CRAM-MD5 can never
    s = smtplib_auth(srv, "dave@example.test", "PLAIN")
    send_after(s, srv, "dave@example.test", "dave PLAIN")
    s = smtplib_auth(srv, "dave@example.test", "LOGIN")
    s.quit()
    try:
        s = smtplib_auth(srv, "dave@example.test", "CRAM-MD5")
        s.quit()
        raise Failure("CRAM-MD5 accepted for a user without a secret")
    except smtplib.SMTPAuthenticationError as e:
        check(e.smtp_code == 535, "CRAM-MD5 without secret: %r" % (e,))
    # a wrong password for alice in each mechanism
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        s = smtp(srv)
        s.user, s.password = "alice@example.test", "not-her-password"
        try:
            s.auth(mech, {"PLAIN": s.auth_plain, "LOGIN": s.auth_login,
                          "CRAM-MD5": s.auth_cram_md5}[mech])
            raise Failure("%s with a wrong password accepted" % mech)
        except smtplib.SMTPAuthenticationError as e:
            check(e.smtp_code == 535, "%s wrong: %r" % (mech, e))
        finally:
            s.close()
    check("not-her-password" not in srv.logtext(), "password in the log")


def swaks(srv, *args):
    return run(["swaks", "--server", HOST, "--port", str(srv.port),
                "--helo", "swaks.example", "--timeout", "10"] + list(args))


def swaks_auth(srv):
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        _sent[0] += 1
        marker = "swaks %s #%d" % (mech, _sent[0])
        rc, out = swaks(srv, "--from", "alice@example.test", "--to",
                        "dave@example.test", "--auth", mech,
                        "--auth-user", "alice@example.test",
                        "--auth-password", USERS["alice@example.test"][0],
                        "--header", "Subject: " + marker)
        check(rc == 0, "swaks --auth %s: exit %d\n%s" % (mech, rc, out))
        check(re.search(r"^ -> AUTH %s" % mech, out, re.M),
              "swaks did not use %s:\n%s" % (mech, out))
        check("<-  235 2.7.0" in out, "no 235 in swaks output:\n" + out)
        delivered_as(srv, "example.test/dave", 1, "alice@example.test",
                     marker)
    # wrong password, and CRAM-MD5 for a user without a secret
    for user, pw, mech in (("alice@example.test", "wrong", "PLAIN"),
                           ("dave@example.test",
                            USERS["dave@example.test"][0], "CRAM-MD5")):
        rc, out = swaks(srv, "--from", user, "--to", "dave@example.test",
                        "--auth", mech, "--auth-user", user,
                        "--auth-password", pw)
        check(rc != 0 and "<** 535 5.7.8" in out,
              "swaks %s %s: exit %d\n%s" % (mech, user, rc, out))


GSASL = shutil.which("gsasl")


def gsasl_smtp(srv):
    """GNU gsasl's SMTP logon with SCRAM-SHA-256: it checks the server's
    signature too ("server trusted"); users without a secret, unknown
    users and wrong passwords get 535."""
    check(GSASL, "gsasl is not installed (scripts/deps test)")

    def logon(user, pw):
        rc, out = run([GSASL, "--smtp", "--connect=%s:%d" % (HOST, srv.port),
                       "--no-starttls", "-m", "SCRAM-SHA-256", "-a", user,
                       "-p", pw], timeout=TIMEOUT * 3)
        return rc, out
    for user in ("alice@example.test", "carol@example.test"):
        rc, out = logon(user, USERS[user][0])
        check(rc == 0 and "235 2.7.0" in out and "server trusted" in out,
              "gsasl %s: exit %d\n%s" % (user, rc, out))
        check(re.search(r"(?m)^AUTH SCRAM-SHA-256\r?$", out),
              "gsasl did not use SCRAM-SHA-256:\n" + out)
    for user, pw in (("alice@example.test", "alice-S3cretx"),
                     ("dave@example.test", USERS["dave@example.test"][0]),
                     ("nobody@example.test", "alice-S3cret")):
        rc, out = logon(user, pw)
        check(rc != 0 and "535 5.7.8" in out and "235" not in out,
              "gsasl %s/%s: exit %d\n%s" % (user, pw, rc, out))
    log = srv.logtext()
    check('event=auth result=ok mech=SCRAM-SHA-256 user="carol@example.test"'
          in log, "no auth ok line for SCRAM-SHA-256")
    check('event=auth result=fail mech=SCRAM-SHA-256 '
          'user="nobody@example.test"' in log, "no fail line")
    for user, (pw, _) in USERS.items():
        check(pw not in log, "the password of %s is in the log" % user)


class Scram:
    """The client side of SCRAM-SHA-256 (RFC 5802 3), to send what a
    well-behaved client would not."""

    def __init__(self, user, pw, gs2="n,,", nonce=None):
        self.user, self.pw, self.gs2 = user, pw, gs2
        self.cnonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self.bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(
            ",", "=2C"), self.cnonce)

    def first(self):
        return b64(self.gs2 + self.bare)

    def final(self, server_first, nonce=None, cb=None):
        """client-final for SERVER_FIRST (text); keeps the server's
        expected signature in self.verifier."""
        attrs = dict(a.split("=", 1) for a in server_first.split(","))
        salt, it = base64.b64decode(attrs["s"]), int(attrs["i"])
        without = "c=%s,r=%s" % (cb or b64(self.gs2), nonce or attrs["r"])
        salted = hashlib.pbkdf2_hmac("sha256", self.pw.encode(), salt, it)
        ck = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored = hashlib.sha256(ck).digest()
        am = ("%s,%s,%s" % (self.bare, server_first, without)).encode()
        sig = hmac.new(stored, am, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(ck, sig))
        sk = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        self.verifier = "v=" + base64.b64encode(
            hmac.new(sk, am, hashlib.sha256).digest()).decode()
        return b64(without + ",p=" + base64.b64encode(proof).decode())


def check_server_first(sf, cnonce):
    m = re.fullmatch(r"r=([\x21-\x2b\x2d-\x7e]+),s=([A-Za-z0-9+/=]+),"
                     r"i=([0-9]+)", sf)
    check(m and m.group(1).startswith(cnonce) and
          len(m.group(1)) > len(cnonce), "server-first %r" % sf)
    check(len(base64.b64decode(m.group(2))) == 16 and m.group(3) == "4096",
          "salt/iterations in %r" % sf)
    return m.group(1), m.group(2)


def smtp_scram_by_hand(srv):
    """SCRAM-SHA-256 over SMTP, step by step: the server-first's shape, a
    fresh nonce and salt per exchange, the server's signature, the empty
    response after it; and each way to get it wrong."""
    user, pw = "alice@example.test", USERS["alice@example.test"][0]
    seen = set()
    for initial in (True, False):
        s = smtp(srv)
        try:
            c = Scram(user, pw)
            if initial:
                code, resp = s.docmd("AUTH", "SCRAM-SHA-256 " + c.first())
            else:
                code, resp = s.docmd("AUTH", "SCRAM-SHA-256")
                check((code, resp) == (334, b""), "empty challenge: %d %r"
                      % (code, resp))
                code, resp = s.docmd(c.first())
            check(code == 334, "server-first: %d %r" % (code, resp))
            sf = base64.b64decode(resp).decode()
            seen.add(check_server_first(sf, c.cnonce))
            code, resp = s.docmd(c.final(sf))
            check(code == 334 and base64.b64decode(resp).decode() ==
                  c.verifier, "server-final %d %r, want %r" %
                  (code, resp, c.verifier))
            code, resp = s.docmd("")
            check(code == 235, "after v=: %d %r" % (code, resp))
            send_after(s, srv, user, "scram by hand %s" % initial)
        finally:
            s.close()
    check(len(seen) == 2 and len({n for n, _ in seen}) == 2 and
          len({salt for _, salt in seen}) == 2,
          "nonce or salt repeated: %r" % seen)

    def refused(first, final_kw=None, want_first=334, after_v=None,
                want=535):
        s = smtp(srv)
        try:
            c = Scram(user, pw, **(first or {}))
            code, resp = s.docmd("AUTH", "SCRAM-SHA-256 " + c.first())
            check(code == want_first, "%r: AUTH %d %r" % (first, code,
                                                          resp))
            if code != 334:
                return
            sf = base64.b64decode(resp).decode()
            if final_kw == "cancel":
                code, resp = s.docmd("*")
            elif final_kw == "junk":
                code, resp = s.docmd("not base64!")
            else:
                code, resp = s.docmd(c.final(sf, **(final_kw or {})))
                if after_v is not None:
                    check(code == 334, "v=: %d %r" % (code, resp))
                    code, resp = s.docmd(after_v)
            check(code == want, "%r %r: %d %r, want %d" % (
                first, final_kw, code, resp, want))
            check(s.docmd("NOOP")[0] == 250, "the session goes on")
        finally:
            s.close()
    refused({"gs2": "p=tls-unique,,"}, want_first=535)  # no -PLUS offered
    refused({"gs2": "n,a=dave@example.test,"}, want_first=535)
    refused({"gs2": "y,,"}, {"cb": b64("n,,")}, want_first=334)
    refused(None, {"nonce": "someone-elses-nonce"})
    refused(None, "cancel", want=501)
    refused(None, "junk", want=501)
    refused(None, None, after_v=b64("extra"))
    # a wrong password: the proof fails, no v= is sent
    s = smtp(srv)
    try:
        c = Scram(user, pw + "x")
        code, resp = s.docmd("AUTH", "SCRAM-SHA-256 " + c.first())
        code, resp = s.docmd(c.final(base64.b64decode(resp).decode()))
        check(code == 535, "wrong password: %d %r" % (code, resp))
    finally:
        s.close()
    # "y,," (client could bind, thinks we cannot) is fine with c=eSws
    s = smtp(srv)
    try:
        c = Scram(user, pw, gs2="y,,")
        code, resp = s.docmd("AUTH", "SCRAM-SHA-256 " + c.first())
        code, resp = s.docmd(c.final(base64.b64decode(resp).decode()))
        check(code == 334, "y,,: %d %r" % (code, resp))
        check(s.docmd("")[0] == 235, "y,,: no 235")
    finally:
        s.close()
    log = srv.logtext()
    check(pw not in log, "the password is in the log")


def pop3_auth_scram(pop):
    """RFC 5034 with SCRAM-SHA-256: "+ " continuations, the server's
    signature as one, an empty line answers it; no secret, no login."""
    for user, ok in (("alice@example.test", True),
                     ("dave@example.test", False)):
        r, _ = pop3_raw(pop)
        try:
            c = Scram(user, USERS[user][0])
            got = r.cmd("AUTH SCRAM-SHA-256 " + c.first())
            check(got.startswith("+ "), "server-first %r" % got)
            sf = base64.b64decode(got[2:]).decode()
            check_server_first(sf, c.cnonce)
            got = r.cmd(c.final(sf))
            if ok:
                check(got.startswith("+ ") and base64.b64decode(
                    got[2:]).decode() == c.verifier, "v=: %r" % got)
                got = r.cmd("")
            pop3_auth_outcome(got, user, ok, "SCRAM-SHA-256")
            r.cmd("QUIT")
        finally:
            r.close()


def curl_auth(srv):
    msg = os.path.join(srv.tmp, "curl-msg")
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        _sent[0] += 1
        marker = "curl %s #%d" % (mech, _sent[0])
        with open(msg, "wb") as f:
            f.write(b"From: carol@example.test\r\nSubject: " +
                    marker.encode() + b"\r\n\r\nvia curl\r\n")
        user = "carol@example.test"
        rc, out = run(["curl", "-v", "-sS", "--max-time", "10",
                       "--connect-timeout", "5",
                       "--url", "smtp://%s:%d" % (HOST, srv.port),
                       "--mail-from", user, "--mail-rcpt",
                       "dave@example.test", "-u",
                       "%s:%s" % (user, USERS[user][0]),
                       "--login-options", "AUTH=" + mech, "-T", msg])
        check(rc == 0, "curl AUTH=%s: exit %d\n%s" % (mech, rc, out))
        check(re.search(r"^> AUTH %s" % mech, out, re.M),
              "curl did not use %s:\n%s" % (mech, out))
        delivered_as(srv, "example.test/dave", 1, user, marker)
    for user, pw, mech in (("carol@example.test", "wrong", "PLAIN"),
                           ("carol@example.test", "wrong", "LOGIN"),
                           ("dave@example.test",
                            USERS["dave@example.test"][0], "CRAM-MD5")):
        rc, out = run(["curl", "-sS", "--max-time", "10", "--url",
                       "smtp://%s:%d" % (HOST, srv.port), "--mail-from",
                       user, "--mail-rcpt", "dave@example.test", "-u",
                       "%s:%s" % (user, pw), "--login-options",
                       "AUTH=" + mech, "-T", msg])
        check(rc == 67, "curl AUTH=%s %s: exit %d (want 67, login denied)"
              "\n%s" % (mech, user, rc, out))


# -- POP3 ---------------------------------------------------------------------
class Pop3Raw(Raw):
    """Raw with POP3 status lines."""

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.line().decode("utf-8", "replace")


def pop3_raw(pop):
    r = Pop3Raw(pop.port)
    greet = r.line().decode()
    check(greet.startswith("+OK"), "greeting %r" % greet)
    return r, greet


def poplib_user_pass(pop):
    for user in USERS:
        p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
        try:
            p.user(user)
            r = p.pass_(USERS[user][0])
            check(r.startswith(b"+OK maildrop has"), "%s PASS: %r" %
                  (user, r))
            p.stat()
        finally:
            p.quit()
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        for user, pw in (("alice@example.test", "wrong"),
                         ("nobody@example.test", "alice-S3cret")):
            p.user(user)
            try:
                p.pass_(pw)
                raise Failure("PASS %s/%s accepted" % (user, pw))
            except poplib.error_proto as e:
                check(e.args[0] == b"-ERR [AUTH] Authentication failed",
                      "%s: %r" % (user, e.args[0]))
    finally:
        p.quit()


def poplib_apop(pop):
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        check(re.search(rb"<[^<>@]+@mx\.example\.test>$", p.getwelcome()),
              "no APOP timestamp: %r" % p.getwelcome())
        r = p.apop("alice@example.test", USERS["alice@example.test"][0])
        check(r.startswith(b"+OK maildrop has"), "APOP alice: %r" % r)
    finally:
        p.quit()
    # dave has no secret: APOP with his right password fails
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        try:
            p.apop("dave@example.test", USERS["dave@example.test"][0])
            raise Failure("APOP accepted for a user without a secret")
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR [AUTH] Authentication failed",
                  "APOP dave: %r" % e.args[0])
        # and the session goes on: PASS still works
        p.user("dave@example.test")
        r = p.pass_(USERS["dave@example.test"][0])
        check(r.startswith(b"+OK"), "PASS after failed APOP: %r" % r)
    finally:
        p.quit()


def pop3_capa_sasl(pop):
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        caps = p.capa()
        check(caps.get("SASL") == ["PLAIN", "LOGIN", "CRAM-MD5",
                                   "SCRAM-SHA-256"],
              "CAPA SASL %r" % caps.get("SASL"))
    finally:
        p.quit()


def pop3_auth_plain(pop):
    # RFC 5034 4: initial response, then "+ " continuation
    user, pw = "carol@example.test", USERS["carol@example.test"][0]
    msg = b64("\0%s\0%s" % (user, pw))
    r, _ = pop3_raw(pop)
    try:
        got = r.cmd("AUTH PLAIN " + msg)
        check(got.startswith("+OK maildrop has"), "AUTH PLAIN ir: %r" % got)
        check(r.cmd("STAT").startswith("+OK"), "STAT after AUTH")
        check(r.cmd("QUIT").startswith("+OK"), "QUIT")
    finally:
        r.close()
    r, _ = pop3_raw(pop)
    try:
        got = r.cmd("AUTH PLAIN")
        check(got == "+ ", "empty challenge: %r (want '+ ')" % got)
        got = r.cmd(msg)
        check(got.startswith("+OK maildrop has"), "AUTH PLAIN +: %r" % got)
        check(r.cmd("QUIT").startswith("+OK"), "QUIT")
    finally:
        r.close()
    # "=" is the empty initial response: PLAIN fails; "*" cancels
    r, _ = pop3_raw(pop)
    try:
        got = r.cmd("AUTH PLAIN =")
        check(got.startswith("-ERR"), "AUTH PLAIN =: %r" % got)
        got = r.cmd("AUTH PLAIN")
        check(got == "+ ", "challenge %r" % got)
        got = r.cmd("*")
        check(got.startswith("-ERR"), "cancel: %r" % got)
        got = r.cmd("AUTH PLAIN " + b64("\0%s\0wrong" % user))
        check(got == "-ERR [AUTH] Authentication failed", "wrong: %r" % got)
        got = r.cmd("AUTH PLAIN " + msg)
        check(got.startswith("+OK maildrop has"), "then right: %r" % got)
        r.cmd("QUIT")
    finally:
        r.close()
    log = pop.logtext()
    check(pw not in log and msg not in log, "password in the POP3 log")


def pop3_auth_outcome(got, user, ok, mech):
    """GOT, the last reply of a POP3 AUTH exchange by USER: logged in when
    OK, else refused as a user without a secret is."""
    if ok:
        check(got.startswith("+OK maildrop has"), "%s %s: %r" %
              (mech, user, got))
    else:
        check(got == "-ERR [AUTH] Authentication failed",
              "%s without a secret: %r" % (mech, got))


def pop3_auth_cram_md5(pop):
    for user, ok in (("alice@example.test", True),
                     ("dave@example.test", False)):
        r, _ = pop3_raw(pop)
        try:
            got = r.cmd("AUTH CRAM-MD5")
            check(got.startswith("+ "), "challenge %r" % got)
            ch = base64.b64decode(got[2:])
            check(re.fullmatch(rb"<[0-9a-f]+\.[0-9]+@mx\.example\.test>",
                               ch), "challenge is not a msg-id: %r" % ch)
            d = hmac.new(USERS[user][0].encode(), ch, hashlib.md5)
            got = r.cmd(b64("%s %s" % (user, d.hexdigest())))
            pop3_auth_outcome(got, user, ok, "CRAM-MD5")
            r.cmd("QUIT")
        finally:
            r.close()


def key_readable_by_others(srv, pop):
    # The key opens every sealed secret: a key file others can read is
    # refused at use (454 / -ERR [SYS/TEMP], "chmod 600" in the log), and
    # PLAIN, which needs no secret, still works.
    key = os.path.join(srv.tmp, "key")
    os.chmod(key, 0o644)
    try:
        s = smtp(srv)
        try:
            code, resp = s.docmd("AUTH", "CRAM-MD5")
            check(code == 334, "AUTH CRAM-MD5: %d %r" % (code, resp))
            ch = base64.b64decode(resp)
            d = hmac.new(USERS["alice@example.test"][0].encode(), ch,
                         hashlib.md5).hexdigest()
            code, resp = s.docmd(b64("alice@example.test " + d))
            check(code == 454, "CRAM-MD5 with a 0644 key: %d %r, want 454"
                  % (code, resp))
            code, resp = s.docmd("AUTH", "PLAIN " + b64(
                "\0alice@example.test\0" + USERS["alice@example.test"][0]))
            check(code == 235, "PLAIN with a 0644 key: %d" % code)
        finally:
            s.close()
        check("chmod 600" in srv.logtext(), "the log does not say why")
        p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
        try:
            p.apop("alice@example.test", USERS["alice@example.test"][0])
            raise Failure("APOP with a key readable by others")
        except poplib.error_proto as e:
            check(e.args[0].startswith(b"-ERR [SYS/TEMP]"), "APOP: %r" %
                  e.args[0])
        finally:
            p.quit()
    finally:
        os.chmod(key, 0o600)


# -- no key: no APOP, no CRAM-MD5 ---------------------------------------------
NOKEY_CONF = AUTH_CONF.replace("key = key\n", "")


def nokey_mechanisms(srv, pop):
    s = smtp(srv)
    try:
        check(s.esmtp_features.get("auth", "").split() == ["PLAIN", "LOGIN"],
              "EHLO AUTH without a key: %r" % s.esmtp_features.get("auth"))
    finally:
        s.quit()
    r, greet = pop3_raw(pop)
    try:
        check("<" not in greet, "APOP timestamp without a key: %r" % greet)
        got = r.cmd("APOP alice@example.test " + "0" * 32)
        check(got.startswith("-ERR"), "APOP without a key: %r" % got)
        r.send(b"CAPA\r\n")
        caps = []
        while True:
            l = r.line().decode()
            if l in (".", "<EOF>"):
                break
            caps.append(l)
        check("SASL PLAIN LOGIN" in caps, "CAPA without a key: %r" % caps)
        got = r.cmd("AUTH PLAIN " + b64("\0alice@example.test\0" +
                                          USERS["alice@example.test"][0]))
        check(got.startswith("+OK"), "PLAIN without a key: %r" % got)
        r.cmd("QUIT")
    finally:
        r.close()
    # the users added with --secret have sealed secrets nobody can open
    s = smtplib_auth(srv, "alice@example.test", "PLAIN")
    s.quit()


# -- auth_cleartext_from against the real peer address ------------------------
def cleartext_from(launcher):
    """auth_requires_tls = yes in [smtpd] and [pop3d]: AUTH (and POP3
    USER/PASS) only for clients in auth_cleartext_from, judged on the
    socket's peer (127.0.0.1)."""
    out = []
    for lst, offered in (("10.0.0.0/8, ::1", False),
                         ("10.0.0.0/8, 127.0.0.0/8", True),
                         ("127.0.0.1/32", True), ("127.0.0.2", False)):
        extra = NOKEY_CONF.replace(
            "auth_requires_tls = no",
            "auth_requires_tls = yes\nauth_cleartext_from = " + lst)
        srv = passwd_server(launcher, extra,
                            {"dave@example.test": USERS["dave@example.test"]},
                            key=False)
        try:
            srv.start()
            s = smtp(srv)
            try:
                check(s.has_extn("auth") == offered, "%s: AUTH %s in EHLO"
                      % (lst, "missing" if offered else "offered"))
                s.user, s.password = ("dave@example.test",
                                      USERS["dave@example.test"][0])
                code, resp = s.docmd("AUTH", "PLAIN " + b64(
                    "\0%s\0%s" % (s.user, s.password)))
                want = 235 if offered else 538
                check(code == want, "%s: AUTH PLAIN %d %r, want %d" %
                      (lst, code, resp, want))
            finally:
                s.close()
            pop = srv.sibling(POP3_BIN)
            pop.start()
            r, greet = pop3_raw(pop)
            try:
                r.send(b"CAPA\r\n")
                caps = []
                while True:
                    l = r.line().decode()
                    if l in (".", "<EOF>"):
                        break
                    caps.append(l)
                check(("USER" in caps) == offered and
                      ("SASL PLAIN LOGIN" in caps) == offered,
                      "%s: POP3 CAPA %r" % (lst, caps))
                got = r.cmd("USER dave@example.test")
                if offered:
                    check(got.startswith("+OK"), "%s: USER %r" % (lst, got))
                    got = r.cmd("PASS " + USERS["dave@example.test"][0])
                    check(got.startswith("+OK maildrop"), "%s: PASS %r" %
                          (lst, got))
                else:
                    check(got.startswith("-ERR [AUTH]"), "%s: USER %r" %
                          (lst, got))
                    got = r.cmd("AUTH PLAIN " + b64(
                        "\0dave@example.test\0" +
                        USERS["dave@example.test"][0]))
                    check(got.startswith("-ERR [AUTH]"), "%s: AUTH %r" %
                          (lst, got))
                r.cmd("QUIT")
            finally:
                r.close()
            check_handlers_clean(srv, ("event=connect",))
            check_handlers_clean(pop, ("event=connect",))
            out.append("%s:%s" % (lst.replace(" ", ""), code))
        finally:
            srv.cleanup()
    return " ".join(out)


# -- a malformed line ---------------------------------------------------------
def malformed_line(srv, pop):
    path = os.path.join(srv.tmp, "users")
    lines = read_lines(path)
    # eve's line (no {SCHEME}) goes second, between alice and dave
    lines.insert(1, "eve@example.test:eve-plain-pw")
    with open(path + ".new", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path + ".new", 0o600)
    os.rename(path + ".new", path)
    s = smtp(srv)
    try:
        code, _ = s.docmd("AUTH", "PLAIN " + b64("\0eve@example.test\0"
                                                  "eve-plain-pw"))
        check(code == 535, "eve (malformed line): %d, want 535" % code)
    finally:
        s.close()
    log = srv.logtext()
    check("users:2: malformed line for this user" in log,
          "the log does not name users:2:\n" + log[-800:])
    for user in ("alice@example.test", "dave@example.test",
                 "carol@example.test"):
        s = smtplib_auth(srv, user, "PLAIN")
        s.quit()
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        p.user("eve@example.test")
        try:
            p.pass_("eve-plain-pw")
            raise Failure("POP3 login through a malformed line")
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR [AUTH] Authentication failed",
                  "POP3 eve: %r" % e.args[0])
        p.user("dave@example.test")
        check(p.pass_(USERS["dave@example.test"][0]).startswith(b"+OK"),
              "POP3 dave next to a malformed line")
    finally:
        p.quit()
    check("users:2: malformed line" in pop.logtext(), "POP3 log lacks "
          "file:line")
    # cartero-passwd: check says no, list skips it, set repairs it
    rc, _, _ = cartero_passwd(srv.conf, "check", "eve@example.test",
                              password="eve-plain-pw")
    check(rc == 1, "check on a malformed line: exit %d" % rc)
    rc, out, _ = cartero_passwd(srv.conf, "list")
    check(rc == 0 and "eve@" not in out and "dave@" in out,
          "list: %d %r" % (rc, out))
    rc, _, err = cartero_passwd(srv.conf, "set", "eve@example.test",
                                password="eve-new-pw")
    check(rc == 0, "set repairs a malformed line: exit %d %s" % (rc, err))
    s = smtp(srv)
    try:
        code, _ = s.docmd("AUTH", "PLAIN " + b64("\0eve@example.test\0"
                                                  "eve-new-pw"))
        check(code == 235, "eve after set: %d" % code)
    finally:
        s.close()


# -- checkpassword ------------------------------------------------------------
CHECKPW = """#!%s
# qmail checkpassword interface (cr.yp.to/checkpwd/interface.html): user
# NUL password NUL timestamp NUL on fd 3; exit 0 yes, 1 no, 111 temporary.
import os, sys, time
data = b""
while len(data) < 1100:
    chunk = os.read(3, 1100 - len(data))
    if not chunk:
        break
    data += chunk
f = data.split(b"\\0")
if len(f) < 3:
    sys.exit(2)
user, pw = f[0], f[1]
if user == b"down":
    sys.exit(111)
if user == b"slow":
    time.sleep(5)
    sys.exit(0)
if user == b"alice@example.test" and pw == b"secret":
    sys.exit(0)
# a backend that checks only the password, whatever the name
if pw == b"any-name-pw":
    sys.exit(0)
sys.exit(1)
""" % sys.executable

CHECKPW_CONF = """
[smtpd]
auth = checkpassword
auth_requires_tls = no
auth_delay = 20
max_auth_failures = 20

[pop3d]
auth = checkpassword
auth_requires_tls = no
auth_delay = 20

[plugin checkpassword]
program = checkpw
timeout = 2
"""


def checkpw_server(launcher):
    # checkpassword cannot list users: a local recipient is known by its
    # maildrop, as without an auth plugin
    srv = Server(launcher, users=["example.test/alice"],
                 conf_extra=CHECKPW_CONF)
    prog = os.path.join(srv.tmp, "checkpw")
    with open(prog, "w") as f:
        f.write(CHECKPW)
    os.chmod(prog, 0o755)
    return srv


def checkpw_program_itself(srv):
    # the program does what it should when run as the plugin runs it
    prog = os.path.join(srv.tmp, "checkpw")
    out = []
    for user, pw, want in (("alice@example.test", "secret", 0),
                           ("alice@example.test", "wrong", 1),
                           ("down", "x", 111)):
        r, w = os.pipe()
        os.write(w, b"%s\0%s\0\0" % (user.encode(), pw.encode()))
        os.close(w)
        p = subprocess.run(["/bin/sh", "-c", 'exec "$0" /bin/true 3<&%d'
                            % r, prog], pass_fds=(r,),
                           stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        os.close(r)
        check(p.returncode == want, "checkpw %s/%s: exit %d, want %d" %
              (user, pw, p.returncode, want))
        out.append(str(p.returncode))
    return "exits " + " ".join(out)


def checkpw_smtp(srv):
    s = smtp(srv)
    try:
        check(s.esmtp_features.get("auth", "").split() == ["PLAIN", "LOGIN"],
              "checkpassword has no secrets: EHLO AUTH %r" %
              s.esmtp_features.get("auth"))
        got = []
        for user, pw, want in (("alice@example.test", "wrong", 535),
                               ("bob@example.test", "secret", 535),
                               ("down", "x", 454),
                               ("alice@example.test", "secret", 235)):
            code, resp = s.docmd("AUTH", "PLAIN " + b64("\0%s\0%s" %
                                                       (user, pw)))
            got.append((user, pw, code, want))
        bad = ["%s/%s: %d, want %d" % g for g in got if g[2] != g[3]]
        check(not bad, "; ".join(bad))
        s.sendmail("alice@example.test", ["alice@example.test"],
                   "Subject: checkpw\r\n\r\nx\r\n")
    finally:
        s.close()
    delivered_as(srv, "example.test/alice", 1, "alice@example.test",
                 "checkpw")
    log = srv.logtext()
    check("result=tempfail" in log and "checkpassword program failed "
          "temporarily" in log, "454 not logged as a backend failure")
    check("secret" not in log.replace("result=", ""),
          "a password in the log")


def checkpw_identity_injection(srv):
    # The identity goes into the Received field and the log.  SASLprep
    # (RFC 4616 2, RFC 4013 2.3) prohibits control characters, so a name
    # with CR LF must never log in, whatever the backend says (this one
    # accepts any name with the password any-name-pw), and must never
    # reach a stored header.
    evil = "evil\r\nX-Injected: yes\r\nX-More: 1"
    s = smtp(srv)
    try:
        code, resp = s.docmd("AUTH", "LOGIN")
        check(code == 334, "AUTH LOGIN: %d" % code)
        code, resp = s.docmd(b64(evil))
        if code == 334:
            code, resp = s.docmd(b64("any-name-pw"))
        auth_code = code
        s.sendmail("alice@example.test", ["alice@example.test"],
                   "Subject: injection probe\r\n\r\nx\r\n")
    finally:
        s.close()
    msgs = [m for m in srv.wait_messages("example.test/alice", 1)
            if b"injection probe" in m]
    check(len(msgs) == 1, "probe message not stored")
    head = msgs[0].split(b"\r\n\r\n", 1)[0]
    check(b"\r\nX-Injected: yes\r\n" not in head,
          "CR LF in the authentication identity became header fields:\n" +
          head.decode("utf-8", "replace"))
    check(auth_code != 235, "an identity with CR LF logged in (235)")
    # a name with no control characters is fine with that backend
    s = smtp(srv)
    try:
        code, _ = s.docmd("AUTH", "PLAIN " + b64("\0someone@example.org"
                                                  "\0any-name-pw"))
        check(code == 235, "plain name, any-name-pw: %d" % code)
    finally:
        s.close()


def checkpw_timeout(srv):
    s = smtp(srv)
    try:
        t0 = time.monotonic()
        code, resp = s.docmd("AUTH", "PLAIN " + b64("\0slow\0x"))
        took = time.monotonic() - t0
        check(code == 454, "a program slower than timeout = 2: %d %r" %
              (code, resp))
        # killed on the clock: 2 s, not the 5 s the program sleeps
        check(2 <= took < 4, "the 454 took %.1fs with timeout = 2" % took)
    finally:
        s.close()
    check("checkpassword program timed out" in srv.logtext(),
          "timeout not logged")
    return "454 after %.2fs" % took


def checkpw_pop3(srv, pop):
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        check(b"<" not in p.getwelcome(), "APOP timestamp with "
              "checkpassword: %r" % p.getwelcome())
        p.user("alice@example.test")
        r = p.pass_("secret")
        check(r.startswith(b"+OK maildrop has"), "PASS: %r" % r)
    finally:
        p.quit()
    p = poplib.POP3(HOST, pop.port, timeout=TIMEOUT)
    try:
        p.user("alice@example.test")
        try:
            p.pass_("wrong")
            raise Failure("a wrong password accepted")
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR [AUTH] Authentication failed",
                  "wrong: %r" % e.args[0])
        p.user("down")
        try:
            p.pass_("x")
            raise Failure("down accepted")
        except poplib.error_proto as e:
            check(e.args[0].startswith(b"-ERR [SYS/TEMP]"),
                  "down: %r" % e.args[0])
    finally:
        p.quit()


# -- driver -------------------------------------------------------------------
def with_servers(name, make, cases, need=("event=connect",
                                          "event=disconnect")):
    """Starts SRV (and a POP3 sibling), runs CASES [(label, fn(srv, pop))],
    then checks both handlers' logs and exit codes."""
    try:
        srv = make()
        srv.start()
        pop = srv.sibling(POP3_BIN)
        pop.start()
    except Exception as e:
        R.not_ok("%s: start" % name, e)
        try:
            srv.cleanup()
        except Exception:
            pass
        return
    try:
        for label, fn in cases:
            R.case("%s: %s" % (name, label), lambda: fn(srv, pop), srv)
        R.case("%s: smtpd handlers exited 0, log clean" % name,
               lambda: check_handlers_clean(srv, need), srv)
        R.case("%s: pop3d handlers exited 0, log clean" % name,
               lambda: check_handlers_clean(pop, ("event=connect",)), pop)
    finally:
        srv.cleanup()


def main():
    for label, fn in (
            ("cartero-passwd add: {ARGON2ID} lines, secrets, list",
             pw_add_lines),
            ("cartero-passwd exit codes 0/1/100/111", pw_exit_codes),
            ("cartero-passwd set/del", pw_set_del),
            ("cartero-passwd: passwords over 255 octets", pw_long_password),
            ("cartero-passwd rewrites atomically (new inode, 0600)",
             pw_atomic),
            ("cartero-passwd keeps a 0640 mode whatever the umask",
             pw_mode_kept),
            ("cartero-passwd keeps the file's owner", pw_owner_kept),
            ("cartero-passwd: 5 concurrent adds all land (flock)",
             pw_concurrent)):
        R.case(label, fn)

    for launcher in LAUNCHERS:
        with_servers("%s passwd" % launcher,
                     lambda: passwd_server(launcher), [
                         ("smtplib PLAIN/LOGIN/CRAM-MD5, ESMTPA Received",
                          lambda s, p: smtplib_each_mechanism(s)),
                         ("smtplib: no secret, no CRAM-MD5; wrong passwords",
                          lambda s, p: smtplib_no_secret(s)),
                         ("swaks --auth PLAIN/LOGIN/CRAM-MD5",
                          lambda s, p: swaks_auth(s)),
                         ("curl smtp:// AUTH=PLAIN/LOGIN/CRAM-MD5",
                          lambda s, p: curl_auth(s)),
                         ("poplib USER/PASS", lambda s, p:
                          poplib_user_pass(p)),
                         ("poplib APOP (secret) and not without",
                          lambda s, p: poplib_apop(p)),
                         ("POP3 CAPA SASL", lambda s, p: pop3_capa_sasl(p)),
                         ("POP3 AUTH PLAIN by hand (RFC 5034)",
                          lambda s, p: pop3_auth_plain(p)),
                         ("POP3 AUTH CRAM-MD5 by hand",
                          lambda s, p: pop3_auth_cram_md5(p)),
                         ("gsasl --smtp SCRAM-SHA-256 (RFC 7677)",
                          lambda s, p: gsasl_smtp(s)),
                         ("SMTP AUTH SCRAM-SHA-256 by hand: v=, nonces, "
                          "refusals", lambda s, p: smtp_scram_by_hand(s)),
                         ("POP3 AUTH SCRAM-SHA-256 by hand",
                          lambda s, p: pop3_auth_scram(p)),
                         ("a key file readable by others is refused",
                          key_readable_by_others),
                     ])
        R.case("%s: auth_cleartext_from judged on the peer address" %
               launcher, lambda: cleartext_from(launcher))

    nosecret = {u: (pw, False) for u, (pw, _) in USERS.items()}
    with_servers("no key", lambda: passwd_server("socket-activate",
                                                 NOKEY_CONF, nosecret,
                                                 key=False), [
        ("no CRAM-MD5, no APOP timestamp", nokey_mechanisms),
    ])
    with_servers("malformed line", lambda: passwd_server("tcpserver"), [
        ("only that user fails, log names file:line", malformed_line),
    ])
    for launcher in LAUNCHERS:
        with_servers("%s checkpassword" % launcher,
                     lambda: checkpw_server(launcher), [
                         ("the test program itself",
                          lambda s, p: checkpw_program_itself(s)),
                         ("SMTP 535 / 454 / 235", lambda s, p:
                          checkpw_smtp(s)),
                         ("timeout = 2 kills a slow program: 454",
                          lambda s, p: checkpw_timeout(s)),
                         ("CR LF in the identity never reaches a header",
                          lambda s, p: checkpw_identity_injection(s)),
                         ("POP3 USER/PASS", checkpw_pop3),
                     ])
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
