#!/usr/bin/env python3
# ISC license.
# Runs tests/smtp/*.t transcripts against the real handler over pipes.
#
# A transcript is one session.  Lines:
#   # ...              comment
#   !conf LINE         append LINE to the session's configuration file
#   !env K=V           set an environment variable for the handler
#   !args ARGS         extra command-line arguments (--lmtp, ...)
#   !user DOM/LOCAL    create that user's maildrop (tmp/ new/ cur/)
#   C: TEXT            send TEXT + CRLF (consecutive C lines go in one write)
#   C> TEXT            send TEXT with escapes (\r \n \0 \t \xNN \\), no CRLF
#   S: TEXT            expect this reply line; "*" matches any run of text
#   S: <EOF>           expect the handler to close the connection
#   !shutdown          close our sending side
#   !sleep SECONDS
#   !mail DOM/LOCAL N  expect N messages in that maildrop's new/
#   !body DOM/LOCAL T  expect the newest message, minus cartero's trace
#                      fields, to be T (escapes as in C>)
#   !header DOM/LOCAL T  expect the newest message to contain the line T
#   !log TEXT          expect the log (fd 2) to contain TEXT
#   !nolog TEXT        expect it not to
#   !exit N            expect exit status N (default 0)
#   !tmp-empty DOM/LOCAL  expect that maildrop's tmp/ to be empty
#   !testplugins       plugin_dir holds the test plugins (tests/plugins/)
#                      beside the real ones
#   !plugindir-mode M  chmod that plugin_dir to octal M (with !testplugins)
#   !file NAME TEXT    write TEXT (escapes as in C>) to NAME in the
#                      session's folder (for rules files and the like)
#   !msg DOM/LOCAL SUB/NAME TEXT  put a message file into that maildrop
#   !exists DOM/LOCAL SUB/NAME    expect that file; !gone: expect it absent
#   !count DOM/LOCAL SUB N        expect N files in new/, cur/ or tmp/
# Transcripts under tests/pop3/ run cartero-pop3d, with [pop3d] auth =
# testauth and its users file "users" ("user@domain:password" lines).
#   !pop3d LINE        add LINE to the [pop3d] section (pop3 transcripts)
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.path.join(ROOT, os.environ.get("CARTERO_BIN", "bin/cartero-smtpd"))
POP3_BIN = os.path.join(ROOT, os.environ.get("CARTERO_POP3_BIN",
                                             "bin/cartero-pop3d"))
PLUGINS = os.path.join(ROOT, os.environ.get("CARTERO_PLUGINS", "plugins"))
LINE_WAIT = 5.0

BASE_CONF = """hostname = mx.example.test
plugin_dir = {plugins}

[domain example.test]
store = maildir
path = mail/%d/%u

[domain example.org]
store = maildir
path = mail/%d/%u
"""

# POP3 sessions log in through the test-only auth plugin (tests/plugins/).
POP3_CONF = """
[pop3d]
auth = testauth
auth_delay = 10
auth_requires_tls = no
{pop3d}

[plugin testauth]
file = users
"""


def unescape(s):
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    while i < len(b):
        c = b[i]
        if c == 0x5c and i + 1 < len(b):
            n = chr(b[i + 1])
            if n == "r":
                out += b"\r"
            elif n == "n":
                out += b"\n"
            elif n == "t":
                out += b"\t"
            elif n == "0":
                out += b"\0"
            elif n == "\\":
                out += b"\\"
            elif n == "x":
                out.append(int(b[i + 2:i + 4], 16))
                i += 2
            else:
                out += b"\\" + bytes([b[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def glob_match(pattern, text):
    rx = "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$"
    return re.match(rx, text, re.S) is not None


def strip_trace(msg):
    """Drops Return-Path and the first Received field (with its folds)."""
    lines = msg.split(b"\r\n")
    i = 0
    if lines and lines[0].startswith(b"Return-Path:"):
        i = 1
    if i < len(lines) and lines[i].startswith(b"Received:"):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\r\n".join(lines[i:])


class Session:
    def __init__(self, tmp, conf_extra, env_extra, args, testplugins=False,
                 pop3=False, pop3d=(), plugindir_mode=None):
        self.tmp = tmp
        conf = os.path.join(tmp, "cartero.conf")
        plugins = PLUGINS
        if testplugins:
            plugins = os.path.join(tmp, "plugins")
            os.mkdir(plugins)
            for d in (PLUGINS, os.path.join(ROOT, "tests", "plugins")):
                for so in os.listdir(d):
                    if so.endswith(".so"):
                        os.symlink(os.path.join(d, so),
                                   os.path.join(plugins, so))
            if plugindir_mode is not None:
                os.chmod(plugins, plugindir_mode)
        with open(conf, "w") as f:
            f.write(BASE_CONF.format(plugins=plugins))
            if pop3:
                f.write(POP3_CONF.format(pop3d="\n".join(pop3d)))
            f.write("\n".join(conf_extra) + "\n")
        env = {k: v for k, v in os.environ.items()
               if k not in ("TCPREMOTEIP", "REMOTE_ADDR", "RELAYCLIENT")}
        env.update({"TCPREMOTEIP": "192.0.2.7", "TCPREMOTEPORT": "40000",
                    "TMPDIR": tmp})
        env.update(env_extra)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        self.logpath = os.path.join(tmp, "log")
        self.log = open(self.logpath, "wb")
        self.p = subprocess.Popen([POP3_BIN if pop3 else BIN, "-c", conf] +
                                  args,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.log,
                                  env=env, cwd=tmp)
        self.buf = b""
        self.pending = b""

    def flush(self):
        if self.pending:
            try:
                self.p.stdin.write(self.pending)
                self.p.stdin.flush()
            except BrokenPipeError:
                pass
            self.pending = b""

    def readline(self, wait=LINE_WAIT):
        self.flush()
        deadline = time.monotonic() + wait
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                if self.buf:
                    line, self.buf = self.buf, b""
                    return line
                return b"<EOF>"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def close(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.p.wait(timeout=LINE_WAIT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()
        return self.p.returncode


def maildrop(tmp, spec):
    dom, local = spec.split("/", 1)
    return os.path.join(tmp, "mail", dom, local)


def newest(tmp, spec):
    d = os.path.join(maildrop(tmp, spec), "new")
    # Newest by mtime; on a tie, by name (cartero's names grow with the
    # delivery counter of the session).
    files = sorted(os.listdir(d), key=lambda f: (os.stat(
        os.path.join(d, f)).st_mtime_ns, len(f), f)) \
        if os.path.isdir(d) else []
    if not files:
        return None
    with open(os.path.join(d, files[-1]), "rb") as f:
        return f.read()


def run(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    conf, env, args, steps, pop3d = [], {}, [], [], []
    for n, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        if line.startswith("!conf "):
            conf.append(line[6:])
        elif line.startswith("!pop3d "):
            pop3d.append(line[7:])
        elif line.startswith("!env "):
            k, v = line[5:].split("=", 1)
            env[k] = v
        elif line.startswith("!args "):
            args += line[6:].split()
        else:
            steps.append((n, line))
    tmp = tempfile.mkdtemp(prefix="cartero-t-")
    try:
        for n, line in steps:
            if line.startswith("!user "):
                for sub in ("tmp", "new", "cur"):
                    os.makedirs(os.path.join(maildrop(tmp, line[6:]), sub))
            if line.startswith("!msg "):
                spec, name, text = line[5:].split(" ", 2)
                mpath = os.path.join(maildrop(tmp, spec), name)
                os.makedirs(os.path.dirname(mpath), exist_ok=True)
                with open(mpath, "wb") as f:
                    f.write(unescape(text))
            if line.startswith("!file "):
                name, text = line[6:].split(" ", 1)
                with open(os.path.join(tmp, name), "ab") as f:
                    f.write(unescape(text))
        pop3 = os.path.basename(os.path.dirname(
            os.path.abspath(path))) == "pop3"
        testplugins = pop3 or any(l == "!testplugins" for _, l in steps)
        modes = [int(l.split()[1], 8) for _, l in steps
                 if l.startswith("!plugindir-mode ")]
        steps = [(n, l) for n, l in steps
                 if not l.startswith(("!user ", "!file ", "!msg ",
                                      "!plugindir-mode ")) and
                 l != "!testplugins"]
        s = Session(tmp, conf, env, args, testplugins, pop3, pop3d,
                    modes[0] if modes else None)
        want_exit = 0
        try:
            for n, line in steps:
                err = step(s, tmp, line)
                if err:
                    return "line %d: %s" % (n, err)
                if line.startswith("!exit "):
                    want_exit = int(line[6:])
        finally:
            rc = s.close()
        with open(s.logpath, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        for n, line in steps:
            if line.startswith("!log ") and line[5:] not in log:
                return "line %d: log lacks %r; log:\n%s" % (n, line[5:], log)
            if line.startswith("!nolog ") and line[7:] in log:
                return "line %d: log has %r; log:\n%s" % (n, line[7:], log)
        if "ERROR: AddressSanitizer" in log or "runtime error:" in log:
            return "sanitizer report:\n" + log
        if rc != want_exit:
            return "exit status %s, expected %d; log:\n%s" % (rc, want_exit,
                                                              log)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def step(s, tmp, line):
    if line == "C:":
        s.pending += b"\r\n"
    elif line.startswith("C: "):
        s.pending += line[3:].encode("utf-8") + b"\r\n"
    elif line.startswith("C> "):
        s.pending += unescape(line[3:])
    elif line.startswith("S: ") or line == "S:":
        want = line[3:]
        got = s.readline()
        if got is None:
            return "expected %r, got nothing within %ss" % (want, LINE_WAIT)
        text = got.decode("utf-8", "replace")
        if want == "<EOF>":
            if text != "<EOF>":
                return "expected EOF, got %r" % text
            return None
        if not text.endswith("\r\n"):
            return "expected %r, got %r (not CRLF-terminated)" % (want, text)
        if not glob_match(want, text[:-2]):
            return "expected %r, got %r" % (want, text[:-2])
    elif line == "!shutdown":
        s.flush()
        s.p.stdin.close()
    elif line.startswith("!sleep "):
        s.flush()
        time.sleep(float(line[7:]))
    elif line.startswith("!mail "):
        spec, count = line[6:].rsplit(" ", 1)
        d = os.path.join(maildrop(tmp, spec), "new")
        have = len(os.listdir(d)) if os.path.isdir(d) else 0
        if have != int(count):
            return "%s has %d messages, expected %s" % (spec, have, count)
    elif line.startswith("!body "):
        spec, text = line[6:].split(" ", 1)
        msg = newest(tmp, spec)
        if msg is None:
            return "%s has no message" % spec
        if strip_trace(msg) != unescape(text):
            return "body is %r, expected %r" % (strip_trace(msg),
                                                 unescape(text))
    elif line.startswith("!header "):
        spec, text = line[8:].split(" ", 1)
        msg = newest(tmp, spec)
        if msg is None:
            return "%s has no message" % spec
        if not any(glob_match(text, l.decode("utf-8", "replace"))
                   for l in msg.split(b"\r\n")):
            return "no line %r in %r" % (text, msg[:600])
    elif line.startswith("!tmp-empty "):
        d = os.path.join(maildrop(tmp, line[11:]), "tmp")
        if os.path.isdir(d) and os.listdir(d):
            return "%s/tmp is not empty: %s" % (line[11:], os.listdir(d))
    elif line.startswith(("!exists ", "!gone ")):
        spec, name = line.split(" ", 2)[1:]
        there = os.path.exists(os.path.join(maildrop(tmp, spec), name))
        if there != line.startswith("!exists "):
            return "%s/%s is %s" % (spec, name,
                                    "there" if there else "missing")
    elif line.startswith("!count "):
        spec, sub, count = line[7:].split(" ")
        d = os.path.join(maildrop(tmp, spec), sub)
        have = len([f for f in os.listdir(d) if not f.startswith(".")]) \
            if os.path.isdir(d) else 0
        if have != int(count):
            return "%s/%s has %d files, expected %s: %s" % (
                spec, sub, have, count, os.listdir(d))
    elif line.startswith(("!log ", "!nolog ", "!exit ")):
        pass
    else:
        return "unknown transcript line %r" % line
    return None


def main():
    bad = 0
    for path in sys.argv[1:]:
        name = os.path.basename(path)
        try:
            err = run(path)
        except Exception as e:  # a broken transcript is a failure too
            err = "runner error: %r" % e
        if err:
            bad += 1
            print("not ok - %s: %s" % (name, err))
        else:
            print("ok - %s" % name)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
