#!/usr/bin/env python3
# ISC license.
# End-to-end safety: the real handler behind real launchers on loopback.
#  - a handler SIGKILLed in the middle of DATA stores nothing;
#  - SMTP smuggling (bare LF / bare CR around the dot) never yields a second
#    message;
#  - the binary links no TLS/crypto library, and libltdl (built in);
#  - plugins load only from plugin_dir (not LTDL_LIBRARY_PATH,
#    LD_LIBRARY_PATH or the working directory), a missing plugin means
#    421 4.3.0 and exit 111, never accepting mail;
#  - ten clients at once give ten distinct files.
import os
import re
import signal
import smtplib
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, HOST, LAUNCHERS, PLUGINS, TIMEOUT,  # noqa: E402
                         Failure, Raw, Reporter, Server, check, run,
                         strip_trace, wait_for)

R = Reporter()
ALICE = "example.test/alice"


def ehlo(c):
    c.expect(220, "greeting")
    c.send(b"EHLO raw.example\r\n")
    c.expect(250, "EHLO")


def start_data(c, rcpt="alice@example.test", sender="good@example.net"):
    ehlo(c)
    c.send(b"MAIL FROM:<%s>\r\n" % sender.encode())
    c.expect(250, "MAIL")
    c.send(b"RCPT TO:<%s>\r\n" % rcpt.encode())
    c.expect(250, "RCPT")
    c.send(b"DATA\r\n")
    c.expect(354, "DATA")


def rchar(pid):
    try:
        with open("/proc/%d/io" % pid) as f:
            for l in f:
                if l.startswith("rchar:"):
                    return int(l.split()[1])
    except OSError:
        pass
    return -1


def spool_fds(pid, tmp):
    """The handler's open files under TMPDIR (its unnamed spool)."""
    out = []
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if t.startswith(tmp) and t != os.path.join(tmp, "log"):
                out.append(t)
    except OSError:
        pass
    return out


# -- SIGKILL in the middle of DATA ----------------------------------------
def kill_mid_data(srv):
    c = Raw(srv.port)
    try:
        start_data(c)
        kids = wait_for(srv.handlers)
        check(len(kids) == 1, "handler pids: %r" % (kids,))
        pid = kids[0]
        part = b"Subject: killed\r\n\r\n" + b"a line of the body\r\n" * 2000
        before = rchar(pid)
        c.send(part)
        # bounded wait until the handler has read what we sent and
        # opened its (unnamed) spool file under TMPDIR
        wait_for(lambda: rchar(pid) >= before + len(part) - 4096 and
                 spool_fds(pid, srv.tmp))
        spool = spool_fds(pid, srv.tmp)
        os.kill(pid, signal.SIGKILL)
        check(wait_for(lambda: pid not in srv.handlers()),
              "handler %d still alive after SIGKILL" % pid)
        try:
            end = c.line()
        except (ConnectionResetError, Failure):
            end = b"<EOF>"
        check(end == b"<EOF>", "after SIGKILL the client read %r" % end)
    finally:
        c.close()
    check(srv.files(ALICE) == [], "new/ has %r" % srv.files(ALICE))
    check(srv.files(ALICE, "tmp") == [], "tmp/ has %r" %
          srv.files(ALICE, "tmp"))
    left = [f for f in os.listdir(srv.tmp)
            if f not in ("cartero.conf", "log", "mail")]
    check(left == [], "left behind in TMPDIR: %r" % left)
    # the service survives: the next connection delivers
    msg = b"Subject: after the kill\r\n\r\nstill here\r\n"
    with smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT) as s:
        s.sendmail("good@example.net", ["alice@example.test"], msg)
    got = srv.wait_messages(ALICE, 1)
    check(len(got) == 1 and strip_trace(got[0]) == msg,
          "after the kill: %r" % got)
    return "spool while in DATA: %s" % (", ".join(spool) or "none seen")


# -- smuggling ---------------------------------------------------------------
INJECT = (b"MAIL FROM:<evil@x>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
          b"evil\r\n.\r\n")
SMUGGLE = [
    ("LF.CRLF", b"\n.\r\n"),
    ("CRLF.LF", b"\r\n.\n"),
    ("LF.LF", b"\n.\n"),
    ("CR.CRLF", b"\r.\r\n"),
    ("CRLF.CR", b"\r\n.\r"),
    ("CRLF.CRCRLF", b"\r\n.\r\r\n"),
]


def smuggle(srv, seq, bdat=False):
    c = Raw(srv.port)
    replies = []
    try:
        payload = b"Subject: smuggle\r\n\r\nline" + seq + INJECT
        if bdat:
            ehlo(c)
            c.send(b"MAIL FROM:<good@example.net>\r\n"
                   b"RCPT TO:<alice@example.test>\r\n")
            c.expect(250, "MAIL")
            c.expect(250, "RCPT")
            c.send(b"BDAT %d LAST\r\n" % len(payload) + payload)
        else:
            start_data(c)
            c.send(payload)      # INJECT ends in CRLF.CRLF: the real end
        first = c.reply()
        replies.append(" / ".join(first[1]))
        c.send(b"QUIT\r\n")
        while True:
            code, lines = c.reply()
            replies.append(" / ".join(lines))
            if code is None or code == 221:
                break
    finally:
        c.close()
    srv.wait_idle()
    msgs = srv.messages(ALICE)
    for m in msgs:
        check(not m.startswith(b"Return-Path: <evil@x>"),
              "a smuggled message was stored: %r (replies %r)" %
              (m[:200], replies))
    check(len(msgs) <= 1, "%d messages stored (replies %r)" %
          (len(msgs), replies))
    # the contract: a bare CR or LF anywhere refuses the whole message
    check(first[0] == 554 and first[1][0].startswith("554 5.6.0"),
          "first reply %r, expected 554 5.6.0 (all replies %r)" %
          (first, replies))
    check(msgs == [], "stored %r" % msgs)
    check("evil@x" not in srv.logtext(), "log mentions evil@x")
    return "replies: " + " | ".join(replies)


# -- ldd -----------------------------------------------------------------------
def ldd():
    rc, out = run(["ldd", BIN])
    check(rc == 0, "ldd exit %d: %s" % (rc, out))
    for bad in ("libgnutls", "libsodium", "libcrypto", "libssl"):
        check(bad not in out, "%s links %s:\n%s" % (BIN, bad, out))
    # libltdl is linked in statically (one object fewer to map in every
    # session), or dynamically with LTDL_STATIC= at build time
    if not re.search(r"^\s*libltdl\.so", out, re.M):
        rc, syms = run(["nm", BIN])
        check(rc == 0 and re.search(r" T lt_dlopenext$", syms, re.M),
              "%s has no libltdl, neither linked nor built in:\n%s" %
              (BIN, out))
    libs = re.findall(r"^\s*(\S+\.so[.\d]*)", out, re.M)
    check(all(l.split(".so")[0] in ("linux-vdso", "libc", "libltdl",
                                    "libcrypt", "libm") or
              "ld-linux" in l or "libasan" in l or "libubsan" in l or
              "libstdc++" in l or "libgcc_s" in l for l in libs),
          "%s links more than libc and libltdl: %r" % (BIN, libs))


# -- plugin_dir -----------------------------------------------------------------
FAKE_C = r"""
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void fake_loaded(void)
{
	int fd = open(MARKER, O_WRONLY | O_CREAT, 0600);
	if (fd >= 0)
		close(fd);
}
const int cartero_plugin = 0;
"""


def build_fake(dirpath, marker):
    src = os.path.join(dirpath, "fake.c")
    with open(src, "w") as f:
        f.write(FAKE_C)
    os.makedirs(os.path.join(dirpath, "fake"), exist_ok=True)
    so = os.path.join(dirpath, "fake", "maildir.so")
    rc, out = run(["cc", "-shared", "-fPIC", '-DMARKER="%s"' % marker,
                   "-o", so, src])
    if rc != 0:
        raise Failure("cannot build the fake plugin: %s" % out)
    # a libtool archive too, in case anything looks for NAME.la
    with open(os.path.join(dirpath, "fake", "maildir.la"), "w") as f:
        f.write("dlname='maildir.so'\nlibrary_names='maildir.so'\n"
                "old_library=''\ninstalled=yes\nlibdir='%s'\n" %
                os.path.join(dirpath, "fake"))
    return os.path.join(dirpath, "fake")


def plugin_dir_safety(launcher):
    srv = Server(launcher)
    try:
        marker = os.path.join(srv.tmp, "FAKE-PLUGIN-LOADED")
        fake = build_fake(srv.tmp, marker)
        # and a copy in the handler's working directory
        subprocess.run(["cp", os.path.join(fake, "maildir.so"),
                        os.path.join(fake, "maildir.la"), srv.tmp],
                       check=True, timeout=TIMEOUT)
        empty = os.path.join(srv.tmp, "empty-plugins")
        os.mkdir(empty)
        with open(srv.conf) as f:
            conf = f.read()
        with open(srv.conf, "w") as f:
            f.write(conf.replace("plugin_dir = %s" % PLUGINS,
                                 "plugin_dir = %s" % empty))
        srv.env.update({"LTDL_LIBRARY_PATH": fake, "LD_LIBRARY_PATH": fake})
        srv.add_user(ALICE)
        srv.start()
        try:
            smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT).quit()
            raise Failure("the handler greeted with an empty plugin_dir")
        except smtplib.SMTPConnectError as e:
            check(e.smtp_code == 421 and e.smtp_error.startswith(b"4.3.0"),
                  "got %r" % (e.args,))
        check(srv.wait_idle(), "handler did not exit")
        check(not os.path.exists(marker),
              "the fake maildir.so was loaded (LTDL_LIBRARY_PATH/"
              "LD_LIBRARY_PATH/cwd)")
        log = srv.logtext()
        check("event=plugin-load" in log, "no event=plugin-load in log")
        if launcher == "socket-activate":
            codes = wait_for(srv.child_exits)
            check(codes == [111], "handler exit codes %r, expected [111]"
                  % codes)
        # the same environment with the real plugin_dir works
        srv.stop()
        with open(srv.conf, "w") as f:
            f.write(conf)
        srv.start()
        msg = b"Subject: real plugin\r\n\r\nok\r\n"
        with smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT) as s:
            s.sendmail("good@example.net", ["alice@example.test"], msg)
        got = srv.wait_messages(ALICE, 1)
        check(len(got) == 1 and strip_trace(got[0]) == msg, "got %r" % got)
        check(not os.path.exists(marker), "the fake maildir.so was loaded")
        # control: the marker does work (plugin_dir = the fake's folder
        # loads it, and its bogus descriptor is refused with 421 4.3.0)
        srv.stop()
        with open(srv.conf, "w") as f:
            f.write(conf.replace("plugin_dir = %s" % PLUGINS,
                                 "plugin_dir = %s" % fake))
        srv.start()
        try:
            smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT).quit()
            raise Failure("the handler accepted the fake plugin")
        except smtplib.SMTPConnectError as e:
            check(e.smtp_code == 421, "fake plugin: got %r" % (e.args,))
        check(wait_for(lambda: os.path.exists(marker)),
              "control failed: the fake in plugin_dir left no marker")
    except Exception as e:
        raise Failure("%s: %s\nlog:\n%s" % (type(e).__name__, e,
                                              srv.logtext()))
    finally:
        srv.cleanup()


def plugin_missing(launcher):
    srv = Server(launcher, users=[ALICE], store="nosuch")
    try:
        srv.start()
        try:
            smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT).quit()
            raise Failure("the handler greeted with store = nosuch")
        except smtplib.SMTPConnectError as e:
            check(e.smtp_code == 421 and e.smtp_error.startswith(b"4.3.0"),
                  "got %r" % (e.args,))
        check(srv.wait_idle(), "handler did not exit")
        log = srv.logtext()
        check(re.search(r"event=plugin-load\b.*nosuch", log),
              "no event=plugin-load line naming nosuch")
        if launcher == "socket-activate":
            codes = wait_for(srv.child_exits)
            check(codes == [111], "handler exit codes %r, expected [111]"
                  % codes)
        check(srv.files(ALICE) == [], "something was stored")
    except Exception as e:
        raise Failure("%s: %s\nlog:\n%s" % (type(e).__name__, e,
                                              srv.logtext()))
    finally:
        srv.cleanup()


# -- concurrency --------------------------------------------------------------
def concurrent(srv, n=10):
    spec = "example.test/conc"
    srv.add_user(spec)
    errors = []
    msgs = [b"Subject: client %d\r\n\r\n%s\r\n" % (i, b"x" * (100 * i))
            for i in range(n)]
    go = threading.Event()

    def client(i):
        try:
            go.wait(TIMEOUT)
            with smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT) as s:
                s.sendmail("c%d@example.net" % i, ["conc@example.test"],
                           msgs[i])
        except Exception as e:         # reported below
            errors.append("client %d: %r" % (i, e))

    ts = [threading.Thread(target=client, args=(i,), daemon=True)
          for i in range(n)]
    for t in ts:
        t.start()
    go.set()
    for t in ts:
        t.join(TIMEOUT * 2)
    check(not any(t.is_alive() for t in ts), "clients still running")
    check(errors == [], "; ".join(errors))
    files = srv.files(spec)
    check(len(files) == n and len(set(os.path.basename(f) for f in files))
          == n, "new/ has %d files: %r" % (len(files), files))
    got = sorted(strip_trace(m) for m in srv.messages(spec))
    check(got == sorted(msgs), "stored bodies differ from sent ones")
    check(srv.files(spec, "tmp") == [], "tmp/ not empty")


def main():
    for launcher in LAUNCHERS:
        srv = Server(launcher, users=[ALICE])
        try:
            srv.start()
            R.case("%s: SIGKILL in the middle of DATA stores nothing" %
                   launcher, lambda: kill_mid_data(srv), srv)
        except Failure as e:
            R.not_ok("%s: start" % launcher, e, srv.logtext())
        finally:
            srv.cleanup()

    srv = Server("socket-activate", users=[ALICE])
    try:
        srv.start()
        for name, seq in SMUGGLE:
            R.case("smuggling DATA %s + MAIL/RCPT/DATA: no second message"
                   % name, lambda: smuggle(srv, seq), srv)
        R.case("smuggling BDAT LF.CRLF + MAIL/RCPT/DATA: refused",
               lambda: smuggle(srv, b"\n.\r\n", bdat=True), srv)
    except Failure as e:
        R.not_ok("smuggling: start", e, srv.logtext())
    finally:
        srv.cleanup()

    R.case("ldd: no gnutls/sodium/crypto, has libltdl", ldd)
    for launcher in LAUNCHERS:
        R.case("%s: plugin_dir without maildir.so: 421 4.3.0, exit 111, "
               "fake on LTDL_LIBRARY_PATH/LD_LIBRARY_PATH/cwd not loaded"
               % launcher, lambda: plugin_dir_safety(launcher))
        R.case("%s: store = nosuch: 421 4.3.0, event=plugin-load" % launcher,
               lambda: plugin_missing(launcher))
    for launcher in LAUNCHERS:
        srv = Server(launcher)
        try:
            srv.start()
            R.case("%s: 10 concurrent smtplib clients, 10 files" % launcher,
                   lambda: concurrent(srv), srv)
        except Failure as e:
            R.not_ok("%s: start" % launcher, e, srv.logtext())
        finally:
            srv.cleanup()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
