# ISC license.
# A handler run over pipes (no launcher), for the hardening tests: fault
# injection, crashes, abuse and memory.  Standard library only; every wait
# is bounded.
#
#   h = Handler([BIN, "-c", conf], env=..., cwd=tmp)
#   h.expect(220)                 # SMTP reply (multi-line aware)
#   h.send(b"EHLO x\r\n")
#   h.hwm_kb()                    # VmHWM of the handler, while it lives
#   rc = h.finish()               # close stdin, wait for exit (bounded)
#
# A reader thread drains the handler's stdout all the time, so a test can
# pipeline megabytes of commands without both sides blocking on full
# pipes.  KEEP=False keeps only a count of replies per code and the last
# lines (for a million replies).
import collections
import os
import subprocess
import threading
import time

from carterotest import TIMEOUT, Failure


class Handler:
    def __init__(self, argv, env=None, cwd=None, keep=True, stderr=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=stderr or subprocess.DEVNULL,
                                  env=env, cwd=cwd)
        self.pid = self.p.pid
        self.keep = keep
        self.lines = collections.deque()
        self.last = collections.deque(maxlen=20)
        self.codes = collections.Counter()
        self.n_lines = 0
        self.eof = False
        self.cv = threading.Condition()
        self.hwm = 0
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        buf = b""
        fd = self.p.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self.cv:
                    if buf:
                        self._add(buf)
                    self.eof = True
                    self.cv.notify_all()
                return
            buf += chunk
            parts = buf.split(b"\r\n")
            buf = parts.pop()
            with self.cv:
                for l in parts:
                    self._add(l)
                self.cv.notify_all()

    def _add(self, l):
        self.n_lines += 1
        self.last.append(l)
        if len(l) >= 4 and l[3:4] != b"-":
            self.codes[l[:3]] += 1
        if self.keep:
            self.lines.append(l)

    # -- output --------------------------------------------------------
    def line(self, timeout=TIMEOUT):
        """One line without CRLF; b'<EOF>' at the end of the output."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while not self.lines:
                if self.eof:
                    return b"<EOF>"
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("no reply within %ss (last lines %r)" %
                                  (timeout, list(self.last)))
                self.cv.wait(left)
            return self.lines.popleft()

    def reply(self, timeout=TIMEOUT):
        """An SMTP reply: (code or None at EOF, [lines])."""
        out = []
        while True:
            l = self.line(timeout)
            if l == b"<EOF>":
                return None, out + ["<EOF>"]
            out.append(l.decode("utf-8", "replace"))
            if len(l) < 4 or l[3:4] != b"-":
                try:
                    return int(l[:3]), out
                except ValueError:
                    return None, out

    def expect(self, code, what="", timeout=TIMEOUT):
        c, lines = self.reply(timeout)
        if c != code:
            raise Failure("%sexpected %s, got %r" %
                          (what + ": " if what else "", code, lines))
        return lines

    def wait_lines(self, n, timeout=TIMEOUT):
        """Bounded wait until N lines in all have been read."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while self.n_lines < n and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cv.wait(min(left, 1.0))
            return self.n_lines

    def wait_eof(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cv:
            while not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cv.wait(left)
            return True

    # -- input ---------------------------------------------------------
    def send(self, data):
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def shutdown(self):
        try:
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    # -- the process ---------------------------------------------------
    def hwm_kb(self):
        """The handler's peak resident set (VmHWM, kB), 0 once gone;
        the highest value seen is kept in self.hwm."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for l in f:
                    if l.startswith("VmHWM:"):
                        self.hwm = max(self.hwm, int(l.split()[1]))
        except OSError:
            pass
        return self.hwm

    def finish(self, timeout=TIMEOUT):
        """Closes stdin and waits (bounded) for the exit status."""
        self.shutdown()
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(timeout=TIMEOUT)
            raise Failure("handler did not exit within %ss" % timeout)
        self.t.join(TIMEOUT)
        return rc

    def kill(self):
        try:
            self.p.kill()
        except ProcessLookupError:
            pass
        try:
            self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self.shutdown()
        self.t.join(TIMEOUT)


def handler_env(tmp, extra=None):
    """The environment of a handler over pipes: no peer variables, TMPDIR
    for the spool, sanitizer options passed on."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TCPREMOTEIP", "TCPREMOTEPORT", "REMOTE_ADDR",
                        "REMOTE_PORT", "RELAYCLIENT", "LISTEN_FDS",
                        "LISTEN_PID", "CARTERO_CONF", "LD_PRELOAD")}
    env["TMPDIR"] = tmp
    env.update(extra or {})
    return env


def is_asan(binpath):
    return "/asan/" in binpath


def full():
    """CARTERO_FULL=1 (make check-full): the long variants."""
    return os.environ.get("CARTERO_FULL", "") not in ("", "0")
