#!/usr/bin/env python3
# ISC license.
"""instructions: user-space instructions of one cartero session, counted by
valgrind --tool=callgrind (deterministic, unlike time), over pipes.

Usage: bench/instructions.py [--check FILE] [--write FILE] [--annotate DIR]

Sessions (each in a fresh temporary folder, the same every time):

  smtp   bin/cartero-smtpd -c CONF, stdin a pipe holding EHLO, MAIL, RCPT,
         DATA with a 2 KB message, QUIT; the maildir store delivers it
         (fsync and all).  Start-up, configuration and plugin loading count.
  pop3   bin/cartero-pop3d -c CONF, stdin a pipe holding USER, PASS, LIST,
         RETR 1, QUIT, on a maildrop of 20 messages (fixed names and bytes);
         the test-only auth plugin tests/plugins/testauth.so logs in.
  floor  build/bench/trivial-smtpd (when built) with the smtp input: the
         cost of any exec'd C handler (dynamic linker, libc start-up).

The environment is fixed (PATH, TMPDIR only), the input fixed, nothing
read from the clock steers control flow; what varies from run to run (the
session id, the Maildir name's time and random part) has a fixed width.
Counts still differ between CPUs (glibc picks string functions by CPU) and
glibc versions: the baseline belongs to the machine kind it was made on.

--check FILE   compares with FILE ("NAME INSTRUCTIONS" lines; # comments);
               prints "ok - ..." / "not ok - ..." per session, exits 1 when
               one grew more than 10% (LIMIT in FILE overrides).
--write FILE   writes the counts to FILE (a new baseline).
--annotate DIR keeps the callgrind.out files in DIR.
Without options prints "NAME INSTRUCTIONS" lines.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMTPD = os.path.join(ROOT, "bin", "cartero-smtpd")
POP3D = os.path.join(ROOT, "bin", "cartero-pop3d")
FLOOR = os.path.join(ROOT, "build", "bench", "trivial-smtpd")
PLUGINS = os.path.join(ROOT, "plugins")
TEST_PLUGINS = os.path.join(ROOT, "tests", "plugins")
TIMEOUT = 120
LIMIT = 0.10
USER, PASSWORD = "alice@example.test", "benchpw"


class Error(Exception):
    pass


def smtp_input():
    body = b"".join(b"Line %04d of the benchmark message, filler text to "
                    b"make it 2 KB long .........\r\n" % i for i in range(26))
    msg = (b"From: Bob <bob@example.org>\r\nTo: Alice <alice@example.test>\r\n"
           b"Subject: bench\r\nMessage-ID: <bench.1@example.org>\r\n"
           b"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n\r\n" + body)
    return (b"EHLO client.example.org\r\n"
            b"MAIL FROM:<bob@example.org> SIZE=%d\r\n"
            b"RCPT TO:<alice@example.test>\r\nDATA\r\n" % len(msg) +
            msg + b".\r\nQUIT\r\n")


def pop3_input():
    return (b"USER %s\r\nPASS %s\r\nLIST\r\nRETR 1\r\nQUIT\r\n" %
            (USER.encode(), PASSWORD.encode()))


def pop3_message(i):
    head = (b"Return-Path: <bob@example.org>\r\nReceived: from client "
            b"([192.0.2.1])\r\n\tby mx.example.test (cartero) with ESMTP id "
            b"0123456789abcdef.%d\r\n\tfor <alice@example.test>;\r\n\t"
            b"Mon, 01 Jan 2024 00:00:00 +0000\r\nFrom: bob@example.org\r\n"
            b"Subject: message %d\r\n\r\n" % (i, i))
    body = b"".join(b"line %d of message %d, some words to fill it up\r\n" %
                    (k, i) for k in range(40))
    body += b"..a stuffed line\r\n.\r\nend\r\n"
    return head + body


def make_tree(tmp):
    """The configuration, plugin folder, spool and maildrops in TMP."""
    plugdir = os.path.join(tmp, "plugins")
    os.makedirs(plugdir)
    for d in (PLUGINS, TEST_PLUGINS):
        for so in sorted(os.listdir(d)):
            if so.endswith(".so") and not os.path.lexists(
                    os.path.join(plugdir, so)):
                os.symlink(os.path.join(d, so), os.path.join(plugdir, so))
    os.makedirs(os.path.join(tmp, "spool"))
    with open(os.path.join(tmp, "users"), "w") as f:
        f.write("%s:%s\n" % (USER, PASSWORD))
    conf = os.path.join(tmp, "cartero.conf")
    with open(conf, "w") as f:
        f.write("hostname = mx.example.test\nplugin_dir = %s\n\n"
                "[domain example.test]\nstore = maildir\npath = mail/%%d/%%u\n"
                "\n[pop3d]\nauth = testauth\nauth_requires_tls = no\n\n"
                "[plugin testauth]\nfile = users\n" % plugdir)
    drop = os.path.join(tmp, "mail", "example.test", "alice")
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(drop, sub))
    when = 1700000000
    for i in range(1, 21):
        data = pop3_message(i)
        name = "%d.M%06dP1000Q%dR0badc0de.bench.example,S=%d,W=%d" % (
            when + i, i, i, len(data), len(data))
        path = os.path.join(drop, "new", name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (when + i, when + i))
    return conf


def callgrind(argv, stdin, tmp, outfile):
    """Ir of one run of ARGV with STDIN on a pipe, in TMP."""
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": os.path.join(tmp, "spool")}
    p = subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=" + outfile] + argv,
                       input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=tmp, env=env,
                       timeout=TIMEOUT)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    m = re.search(r"Collected : (\d+)", err)
    if p.returncode != 0 or m is None:
        raise Error("%s: exit %d\n%s\n%s" % (argv[0], p.returncode,
                                            out[-1500:], err[-1500:]))
    return int(m.group(1)), out


def measure(keep_dir=None, sessions=("smtp", "pop3", "floor")):
    """{name: instructions}; raises Error when a session goes wrong."""
    if shutil.which("valgrind") is None:
        raise Error("valgrind is not installed (scripts/deps test installs "
                    "it)")
    res = {}
    for name in sessions:
        if name == "floor" and not os.access(FLOOR, os.X_OK):
            continue
        tmp = tempfile.mkdtemp(prefix="cartero-instr-")
        try:
            conf = make_tree(tmp)
            out = os.path.join(keep_dir or tmp, "callgrind.out.%s" % name)
            if name == "smtp":
                n, text = callgrind([SMTPD, "-c", conf], smtp_input(), tmp,
                                    out)
                if "250 2.0.0" not in text or "221" not in text:
                    raise Error("the SMTP session did not deliver:\n" + text)
                got = os.listdir(os.path.join(tmp, "mail", "example.test",
                                              "alice", "new"))
                if len(got) != 21:
                    raise Error("the SMTP session stored %d files" %
                                (len(got) - 20))
            elif name == "pop3":
                n, text = callgrind([POP3D, "-c", conf], pop3_input(), tmp,
                                    out)
                if text.count("+OK") < 5 or "-ERR" in text:
                    raise Error("the POP3 session went wrong:\n" + text)
            else:
                n, text = callgrind([FLOOR], smtp_input(), tmp, out)
            res[name] = n
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return res


def read_baseline(path):
    base, limit = {}, LIMIT
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) == 2 and line[0] == "LIMIT":
                limit = float(line[1])
            elif len(line) == 2:
                base[line[0]] = int(line[1])
    return base, limit


def check(path, counts):
    """'ok - ' / 'not ok - ' lines; True when all held."""
    base, limit = read_baseline(path)
    good = True
    for name in ("smtp", "pop3"):
        what = {"smtp": "plain SMTP one-message session",
                "pop3": "POP3 login+LIST+RETR+QUIT session"}[name]
        if name not in base:
            print("not ok - instructions: %s: no baseline in %s" %
                  (what, path))
            good = False
            continue
        n, b = counts[name], base[name]
        delta = (n - b) / b
        line = "instructions: %s: %d, baseline %d (%+.1f%%, limit +%d%%)" % (
            what, n, b, 100 * delta, round(100 * limit))
        if delta > limit:
            print("not ok - %s: more than the limit; find the cause "
                  "(bench/instructions.py --annotate DIR, then "
                  "callgrind_annotate --inclusive=yes) or, if the growth is "
                  "wanted, make bench-baseline" % line)
            good = False
        else:
            print("ok - " + line + ("; much lower: consider make "
                                    "bench-baseline" if delta < -limit
                                    else ""))
    return good


def write(path, counts):
    with open(path, "w") as f:
        f.write("# User-space instructions (valgrind --tool=callgrind, Ir) of "
                "one session over pipes,\n# measured by bench/instructions.py; "
                "make bench-check fails when one grows\n# more than LIMIT "
                "over these.  Remake with: make bench-baseline\n"
                "LIMIT 0.10\n")
        for name in ("smtp", "pop3"):
            f.write("%s %d\n" % (name, counts[name]))


def main(argv):
    args = argv[1:]
    keep = None
    if "--annotate" in args:
        i = args.index("--annotate")
        keep = os.path.abspath(args[i + 1])
        os.makedirs(keep, exist_ok=True)
        del args[i:i + 2]
    try:
        counts = measure(keep)
    except (Error, subprocess.TimeoutExpired, OSError) as e:
        print("not ok - instructions: %s" % e)
        return 1
    if args[:1] == ["--check"] and len(args) == 2:
        return 0 if check(args[1], counts) else 1
    if args[:1] == ["--write"] and len(args) == 2:
        write(args[1], counts)
    elif args:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 100
    for k, v in counts.items():
        print("%s %d" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
