#!/usr/bin/env python3
# ISC license.
# End-to-end spamd filter: a real SpamAssassin spamd (Debian's spamd and
# spamassassin packages) started here on a loopback port and a unix socket,
# local tests only (-L, dns_available no: no network, no DNS), with its own
# temporary site configuration; cartero-smtpd behind systemd-socket-activate.
#
# Cases: a clean message is stored with X-Spam-Status: No and X-Spam-Score;
# GTUBE is refused 554 at or above reject_score, and tagged Yes with
# X-Spam-Flag when there is no reject_score; the unix socket; a message
# above max_size is not sent; spamd down, a server that never accepts and
# one that accepts and never answers all end within the budget, in 451
# (on_error = defer) or an untagged message (on_error = accept).
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate, make_msgid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (HOST, TIMEOUT, Failure, Raw, Reporter,  # noqa: E402
                         Server, check, check_handlers_clean, free_port,
                         listening, strip_trace, wait_for)

R = Reporter()
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
SPAMD_START = 30.0      # rule compilation takes a few seconds


class Spamd:
    """spamd on 127.0.0.1:PORT and a unix socket, in a temp folder."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="cartero-spamd-")
        os.chmod(self.tmp, 0o755)     # spamd's children run as nobody
        self.site = os.path.join(self.tmp, "site")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.site)
        os.makedirs(self.home)
        # The .pre files load the plugins the rules need (Check at least).
        for d in ("/etc/spamassassin", "/etc/mail/spamassassin"):
            for pre in glob.glob(os.path.join(d, "*.pre")):
                shutil.copy(pre, self.site)
        with open(os.path.join(self.site, "local.cf"), "w") as f:
            f.write("dns_available no\nskip_rbl_checks 1\nuse_bayes 0\n"
                    "bayes_auto_learn 0\n")
        for p in (self.site, self.home):
            os.chmod(p, 0o755)
        self.sock = os.path.join(self.tmp, "spamd.sock")
        self.logpath = os.path.join(self.tmp, "log")
        self.proc = None
        self.port = None

    def start(self):
        exe = shutil.which("spamd") or "/usr/sbin/spamd"
        check(os.path.exists(exe), "spamd is not installed (Debian: spamd "
              "and spamassassin; scripts/deps test installs them)")
        self.log = open(self.logpath, "ab")
        # spamd binds only after seconds of rule compilation: the port
        # may be taken meanwhile, and then it exits; another one then.
        for _ in range(3):
            self.port = free_port()
            argv = [exe, "--listen", "%s:%d" % (HOST, self.port),
                    "--listen", self.sock, "--socketmode", "0666",
                    "--allowed-ips", "127.0.0.1", "--local",
                    "--nouser-config", "--siteconfigpath", self.site,
                    "--helper-home-dir", self.home, "--max-children", "2",
                    "--syslog", "stderr",
                    "--pidfile", os.path.join(self.tmp, "pid")]
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=self.log, stderr=self.log,
                                         cwd=self.tmp, start_new_session=True)
            ok = wait_for(lambda: (listening(self.port) and
                                   os.path.exists(self.sock)) or
                          self.proc.poll() is not None, SPAMD_START, 0.1)
            if ok and self.proc.poll() is None:
                return self
            if self.proc.poll() is None:
                break           # alive but not listening: no retry
            self.proc.wait()
        raise Failure("spamd did not start within %ss:\n%s" %
                      (SPAMD_START, self.logtext()[-3000:]))

    def logtext(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=TIMEOUT)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=TIMEOUT)
            self.proc = None
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Silent:
    """A TCP server on loopback that accepts (or, with is_accepting false,
    leaves connections in the backlog) and never answers."""

    def __init__(self, is_accepting=True):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.s.bind((HOST, 0))
        self.s.listen(16)
        self.port = self.s.getsockname()[1]
        self.conns = []
        self.done = False
        if is_accepting:
            threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        self.s.settimeout(0.2)
        while not self.done:
            try:
                c, _ = self.s.accept()
            except (socket.timeout, OSError):
                continue
            self.conns.append(c)
            c.settimeout(0.2)
            try:
                while not self.done and c.recv(65536):
                    pass
            except (socket.timeout, OSError):
                pass

    def close(self):
        self.done = True
        for c in self.conns:
            c.close()
        self.s.close()


def message(subject, body, extra=""):
    return ("From: Alice Example <alice@example.org>\r\n"
            "To: Bob Example <bob@example.test>\r\n"
            "Subject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n%s\r\n%s\r\n" %
            (subject, formatdate(localtime=True),
             make_msgid(domain="example.org"), extra, body))


CLEAN = ("Hi Bob,\r\n\r\nShall we meet for lunch on Thursday at the usual "
         "place?\r\nI can bring the notes from the planning meeting.\r\n"
         "\r\nAlice\r\n")


def conf(**kw):
    lines = "".join("%s = %s\n" % kv for kv in kw.items())
    return "\n[smtpd]\nfilters = spamd\n\n[plugin spamd]\n" + lines


def send(srv, data):
    """One message to alice@example.test over a raw connection: (code,
    text, seconds from the final '.' to the reply)."""
    c = Raw(srv.port, timeout=TIMEOUT * 3)
    try:
        c.expect(220, "greeting")
        c.send(b"EHLO client.example.org\r\n")
        c.expect(250, "EHLO")
        c.send(b"MAIL FROM:<alice@example.org>\r\n")
        c.expect(250, "MAIL")
        c.send(b"RCPT TO:<alice@example.test>\r\n")
        c.expect(250, "RCPT")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(data.encode().replace(b"\r\n.", b"\r\n..") + b".\r\n")
        t0 = time.monotonic()
        code, lines = c.reply()
        took = time.monotonic() - t0
        c.send(b"QUIT\r\n")
        c.reply()
        return code, lines[-1], took
    finally:
        c.close()


def headers(msg):
    """The header block of a stored message as a list of lines."""
    return msg.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")


def main():
    spamd = Spamd()
    try:
        spamd.start()
    except Failure as e:
        R.not_ok("spamd starts", e)
        spamd.stop()
        return R.done()
    R.ok("spamd starts")
    servers = []

    def server(**kw):
        srv = Server("socket-activate", users=["example.test/alice"],
                     conf_extra=conf(**kw))
        servers.append(srv)
        return srv.start()

    def clean():
        srv = server(server="%s:%d" % (HOST, spamd.port), reject_score=10,
                     timeout=20)
        code, text, _ = send(srv, message("Lunch on Thursday", CLEAN))
        check(code == 250, "clean message: %d %s" % (code, text))
        msgs = srv.wait_messages("example.test/alice", 1)
        check(len(msgs) == 1, "%d messages" % len(msgs))
        h = headers(msgs[0])
        # cartero's trace fields, then the filter's, then the client's.
        check(h[0].startswith("Return-Path:") and
              h[1].startswith("Received:"), "trace first: %r" % h[:3])
        added = [l for l in h if l.startswith("X-Spam-")]
        check(len(added) == 2, "X-Spam fields %r" % added)
        status = [l for l in h if l.startswith("X-Spam-Status: ")]
        score = [l for l in h if l.startswith("X-Spam-Score: ")]
        check(status and status[0].startswith("X-Spam-Status: No, score=")
              and " required=5.0 tests=" in status[0], "status %r" % status)
        check(score and float(score[0].split()[1]) < 5,
              "score %r" % score)
        check(float(status[0].split("score=")[1].split()[0]) ==
              float(score[0].split()[1]), "score differs: %r %r" %
              (status, score))
        check(not any(l.startswith("X-Spam-Flag") for l in h), "flag %r" % h)
        check(strip_trace(msgs[0]).split(b"\r\n", 2)[:2] == [
            status[0].encode(), score[0].encode()] or
            strip_trace(msgs[0]).split(b"\r\n", 2)[:2] == [
            score[0].encode(), status[0].encode()],
            "X-Spam fields are not right after the trace fields")
        check(b"Subject: Lunch on Thursday" in msgs[0], "body lost")
        log = srv.logtext()
        check("event=spamd plugin=spamd score=" in log and
              "required=5.0 verdict=ham ms=" in log, log)
        check_handlers_clean(srv)
        return status[0]
    R.case("clean message: stored with X-Spam-Status: No and X-Spam-Score",
           clean)

    def gtube_reject():
        srv = server(server="%s:%d" % (HOST, spamd.port), reject_score=10,
                     timeout=20)
        code, text, _ = send(srv, message("Test", GTUBE))
        check(code == 554 and
              text.startswith("554 5.7.1 Message rejected as spam (score ")
              and float(text.split("score ")[1].rstrip(")")) >= 900,
              "GTUBE: %d %s" % (code, text))
        check(srv.files("example.test/alice") == [], "GTUBE was stored")
        check("verdict=reject ms=" in srv.logtext(), srv.logtext())
        check_handlers_clean(srv)
        return text
    R.case("GTUBE: 554 5.7.1 at or above reject_score", gtube_reject)

    def gtube_tag():
        srv = server(server="%s:%d" % (HOST, spamd.port), timeout=20)
        code, text, _ = send(srv, message("Test", GTUBE))
        check(code == 250, "GTUBE without reject_score: %d %s" %
              (code, text))
        msgs = srv.wait_messages("example.test/alice", 1)
        h = headers(msgs[0])
        check("X-Spam-Flag: YES" in h, "no flag: %r" % h)
        status = [l for l in h if l.startswith("X-Spam-Status: ")]
        check(status and status[0].startswith("X-Spam-Status: Yes, score=")
              and "GTUBE" in status[0].split("tests=")[1], "%r" % status)
        check("verdict=spam ms=" in srv.logtext(), srv.logtext())
        check_handlers_clean(srv)
    R.case("spam below reject_score: X-Spam-Status: Yes and X-Spam-Flag",
           gtube_tag)

    def unix_socket():
        srv = server(server="unix:" + spamd.sock, reject_score=10,
                     timeout=20)
        code, text, _ = send(srv, message("Over a unix socket", CLEAN))
        check(code == 250, "%d %s" % (code, text))
        msgs = srv.wait_messages("example.test/alice", 1)
        check(any(l.startswith("X-Spam-Status: No, ")
                  for l in headers(msgs[0])), "untagged: %r" % msgs)
        code, text, _ = send(srv, message("Test", GTUBE))
        check(code == 554, "GTUBE: %d %s" % (code, text))
        check_handlers_clean(srv)
    R.case("server = unix:PATH", unix_socket)

    def too_big():
        srv = server(server="%s:%d" % (HOST, spamd.port), reject_score=10,
                     max_size=2000)
        code, text, _ = send(srv, message("Big", GTUBE + "\r\n" +
                                          "filler line\r\n" * 300))
        check(code == 250, "%d %s" % (code, text))
        msgs = srv.wait_messages("example.test/alice", 1)
        check(not any(l.startswith("X-Spam-") for l in headers(msgs[0])),
              "tagged: %r" % headers(msgs[0]))
        check("plugin=spamd verdict=skip reason=size size=" in
              srv.logtext() and "max_size=2000" in srv.logtext(),
              srv.logtext())
        check_handlers_clean(srv)
    R.case("above max_size: not sent, stored untagged", too_big)

    def failing(where, on_error, timeout, at_least, why):
        srv = server(server=where, reject_score=10, timeout=timeout,
                     on_error=on_error)
        code, text, took = send(srv, message("Lunch", CLEAN))
        check(took >= at_least - 0.05, "answered after %.2fs" % took)
        check(took <= timeout + 1.5, "answered after %.2fs, budget %ss" %
              (took, timeout))
        log = srv.logtext()
        check("plugin=spamd verdict=error action=%s ms=" % on_error in log
              and why in log, "log lacks %r:\n%s" % (why, log))
        if on_error == "defer":
            check(code == 451 and text.startswith(
                "451 4.3.0 Spam check unavailable"), "%d %s" % (code, text))
            check(srv.files("example.test/alice") == [], "stored")
        else:
            check(code == 250, "%d %s" % (code, text))
            msgs = srv.wait_messages("example.test/alice", 1)
            check(len(msgs) == 1 and not any(
                l.startswith("X-Spam-") for l in headers(msgs[0])),
                "not stored untagged: %r" % msgs)
        check_handlers_clean(srv)
        return "%.2fs" % took

    down = "%s:%d" % (HOST, free_port())
    R.case("spamd down, on_error = defer: 451 at once",
           lambda: failing(down, "defer", 5, 0, "Connection refused"))
    R.case("spamd down, on_error = accept: stored untagged",
           lambda: failing(down, "accept", 5, 0, "Connection refused"))
    R.case("spamd socket missing: 451",
           lambda: failing("unix:" + spamd.sock + ".none", "defer", 5, 0,
                           "No such file"))

    def silent(is_accepting, on_error, why):
        s = Silent(is_accepting)
        try:
            return failing("%s:%d" % (HOST, s.port), on_error, 2, 2, why)
        finally:
            s.close()
    R.case("accepts, never answers, on_error = defer: 451 within 2 s",
           lambda: silent(True, "defer", "timed out waiting for"))
    R.case("accepts, never answers, on_error = accept: stored within 2 s",
           lambda: silent(True, "accept", "timed out waiting for"))
    R.case("never accepts: 451 within 2 s",
           lambda: silent(False, "defer", "timed out"))

    def spamd_clean_log():
        log = spamd.logtext()
        check("identified spam" in log and "clean message" in log,
              "spamd log:\n" + log[-2000:])
    R.case("spamd saw the messages", spamd_clean_log)

    for srv in servers:
        srv.cleanup()
    spamd.stop()
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
