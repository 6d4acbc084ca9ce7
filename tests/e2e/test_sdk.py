#!/usr/bin/env python3
# ISC license.
# The SDK as an out-of-tree author meets it (docs/plugin-tutorial.md runs
# the same commands): make install into a throw-away DESTDIR, then build
# examples/plugins/hello with only the installed cartero.pc and headers
# (PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR point into the DESTDIR), put
# hello.so beside maildir.so, and run real SMTP sessions with
# "filters = hello" through cartero-smtpd under systemd-socket-activate:
# the greeting is logged at connect, the stored message carries
# "X-Hello: world" after cartero's trace fields, the configured sender is
# refused.  A hello.so built against a version.h whose ABI number is one
# more is refused with a log line naming both numbers, and 421.
#
# The plain run uses the installed cartero-smtpd and maildir.so; the ASan
# run uses $CARTERO_BIN and $CARTERO_PLUGINS with the same hello.so.
import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (HOST, PLUGINS, ROOT, TIMEOUT, Failure, Raw,  # noqa: E402
                         Reporter, Server, check, check_handlers_clean,
                         wait_for)

R = Reporter()
PREFIX = "/usr/local"
IS_ASAN = "asan" in os.environ.get("CARTERO_BIN", "")
VERSION_H = os.path.join(ROOT, "sdk", "include", "cartero", "version.h")
HELLO_SRC = os.path.join(ROOT, "examples", "plugins", "hello")

work = tempfile.mkdtemp(prefix="cartero-sdk-")
DEST = os.path.join(work, "dest")
PCDIR = DEST + PREFIX + "/lib/pkgconfig"
# What an author sets to build against the staged install.
PC_ENV = dict(os.environ, PKG_CONFIG_PATH=PCDIR, PKG_CONFIG_SYSROOT_DIR=DEST)
for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PKG_CONFIG_LIBDIR"):
    PC_ENV.pop(k, None)


def version_h(path=VERSION_H):
    text = open(path).read()
    abi = int(re.search(r"#define CARTERO_ABI_VERSION (\d+)", text).group(1))
    ver = re.search(r'#define CARTERO_VERSION "([^"]*)"', text).group(1)
    return abi, ver


ABI, VERSION = version_h()


def sh(cmd, cwd, env=PC_ENV, timeout=300):
    """Runs a shell command line; its output, or Failure with it."""
    try:
        p = subprocess.run(cmd, shell=True, cwd=cwd, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("timed out after %ds: %s" % (timeout, cmd))
    out = p.stdout.decode("utf-8", "replace")
    check(p.returncode == 0, "%s: exit %d\n%s" % (cmd, p.returncode, out))
    return out


def plugin_names():
    """NAME of every in-tree plugin (PLUGINS += NAME in plugins/*/*.mk)."""
    names = []
    for d in sorted(os.listdir(os.path.join(ROOT, "plugins"))):
        mk = os.path.join(ROOT, "plugins", d, d + ".mk")
        if os.path.exists(mk):
            names += re.findall(r"^PLUGINS\s*\+=\s*(\S+)", open(mk).read(),
                                re.M)
    return names


def case_install():
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR")}
    out = sh("make -s install DESTDIR=%s PREFIX=%s" % (DEST, PREFIX), ROOT,
             env=env, timeout=600)
    check(out.strip() == "", "make -s install was not quiet:\n" + out)


def case_layout():
    p = DEST + PREFIX
    for prog in ("cartero-smtpd", "cartero-pop3d", "cartero-passwd"):
        f = os.path.join(p, "bin", prog)
        check(os.access(f, os.X_OK), "no executable %s" % f)
    for name in plugin_names():
        f = os.path.join(p, "lib/cartero/plugins", name + ".so")
        check(os.path.isfile(f), "plugin %s not installed" % name)
    inc = os.path.join(ROOT, "sdk", "include", "cartero")
    for h in os.listdir(inc):
        with open(os.path.join(inc, h), "rb") as a, \
                open(os.path.join(p, "include", "cartero", h), "rb") as b:
            check(a.read() == b.read(), "installed %s differs" % h)
    pages = [f for f in os.listdir(os.path.join(ROOT, "docs"))
             if re.search(r"\.[1-8]$", f)]
    check(len(pages) >= 5, "only %d man pages in docs/" % len(pages))
    for page in pages:
        f = os.path.join(p, "share/man/man" + page[-1], page)
        check(os.path.isfile(f), "man page %s not at %s" % (page, f))
    ex = os.path.join(p, "share/doc/cartero/examples")
    for f in ("cartero.conf", "plugins/hello/hello.c",
              "plugins/hello/Makefile"):
        check(os.path.isfile(os.path.join(ex, f)), "example %s missing" % f)


def case_pc():
    check(sh("pkg-config --modversion cartero", work).strip() == VERSION,
          "Version is not CARTERO_VERSION %s" % VERSION)
    abi = sh("pkg-config --variable=abi cartero", work).strip()
    check(abi == str(ABI), "abi=%s, version.h says %d" % (abi, ABI))
    cflags = sh("pkg-config --cflags cartero", work).split()
    check("-I%s%s/include" % (DEST, PREFIX) in cflags and "-fPIC" in cflags
          and "-fvisibility=hidden" in cflags, "cflags %r" % cflags)
    # The other way to reach a staged copy: redefine prefix.
    env = dict(PC_ENV)
    del env["PKG_CONFIG_SYSROOT_DIR"]
    out = sh("pkg-config --define-variable=prefix=%s%s --cflags cartero" %
             (DEST, PREFIX), work, env=env)
    check("-I%s%s/include" % (DEST, PREFIX) in out.split(), out)
    env["PKG_CONFIG_PATH"] = PCDIR
    out = sh("pkg-config --variable=plugindir cartero", work, env=env)
    check(out.strip() == PREFIX + "/lib/cartero/plugins", out)


def copy_hello(dest):
    shutil.copytree(HELLO_SRC, dest)
    for f in os.listdir(dest):
        if f.endswith(".so"):
            os.unlink(os.path.join(dest, f))
    return dest


def case_build_makefile():
    d = copy_hello(os.path.join(work, "hello"))
    sh("make -s", d)
    so = os.path.join(d, "hello.so")
    check(os.path.isfile(so), "make built no hello.so")
    out = sh("nm -D --defined-only hello.so", d)
    syms = [l.split()[-1] for l in out.splitlines() if l.strip()]
    check(syms == ["cartero_plugin"], "exports %r, not only cartero_plugin"
          % syms)


def case_build_spec_line():
    d = copy_hello(os.path.join(work, "hello-spec"))
    sh("cc -shared -fPIC $(pkg-config --cflags cartero) -o hello.so hello.c",
       d)
    check(os.path.isfile(os.path.join(d, "hello.so")), "no hello.so")


def plugin_dir(name, hello_so):
    """A plugin_dir with hello.so and the store it needs."""
    d = os.path.join(work, name)
    os.makedirs(d)
    shutil.copy(hello_so, os.path.join(d, "hello.so"))
    store_dir = PLUGINS if IS_ASAN else \
        DEST + PREFIX + "/lib/cartero/plugins"
    shutil.copy(os.path.join(store_dir, "maildir.so"), d)
    return d


class logged:
    """with logged(srv): a Failure inside carries the handler log."""

    def __init__(self, srv):
        self.srv = srv

    def __enter__(self):
        return self.srv

    def __exit__(self, kind, e, tb):
        if kind is Failure:
            raise Failure("%s\nhandler log:\n%s" % (e, self.srv.logtext()))


def server(pdir):
    conf = """hostname = mx.example.test
plugin_dir = %s

[smtpd]
filters = hello

[plugin hello]
reject = spammer@example.net

[domain example.test]
store = maildir
path = mail/%%d/%%u
""" % pdir
    binary = None if IS_ASAN else DEST + PREFIX + "/bin/cartero-smtpd"
    return Server("socket-activate", users=["example.test/alice"], conf=conf,
                  bin=binary)


MSG = (b"From: bob@example.net\r\nTo: alice@example.test\r\n"
       b"Subject: hello plugin\r\n\r\nbody\r\n")


def case_session():
    srv = server(plugin_dir("plugins", os.path.join(work, "hello",
                                                     "hello.so")))
    with srv, logged(srv):
        with smtplib.SMTP(HOST, srv.port, local_hostname="client.example",
                          timeout=TIMEOUT) as c:
            refused = c.sendmail("bob@example.net", ["alice@example.test"],
                                 MSG)
            check(refused == {}, "refused %r" % refused)
            try:
                c.sendmail("spammer@example.net", ["alice@example.test"],
                           MSG)
                raise Failure("mail from the reject = sender was taken")
            except smtplib.SMTPSenderRefused as e:
                check(e.smtp_code == 550 and e.smtp_error ==
                      b"5.7.1 Hello, but not from you",
                      "refused with %r" % ((e.smtp_code, e.smtp_error),))
        msgs = srv.wait_messages("example.test/alice", 1)
        check(len(msgs) == 1, "%d messages stored" % len(msgs))
        head = msgs[0].split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        check(head[0].startswith(b"Return-Path: <bob@example.net>"),
              "first line %r" % head[0])
        check(b"X-Hello: world" in head, "no X-Hello field in %r" % head)
        at = head.index(b"X-Hello: world")
        # After Return-Path and Received (with its folded lines), before
        # the client's own header fields.
        check(all(l.startswith((b"Return-Path:", b"Received:", b"\t"))
                  for l in head[:at]) and any(l.startswith(b"Received:")
                                              for l in head[:at]),
              "X-Hello not right after the trace fields: %r" % head)
        check(head[at + 1:] == [b"From: bob@example.net",
                                b"To: alice@example.test",
                                b"Subject: hello plugin"],
              "client header changed: %r" % head[at + 1:])
        log = srv.wait_idle() and srv.logtext()
        check('event=hello plugin=hello greeting="hello, 127.0.0.1"' in log,
              "no greeting at connect in the log")
        check('event=hello plugin=hello refused="spammer@example.net"' in
              log, "refusal not logged")
        check_handlers_clean(srv)


def case_abi_mismatch():
    # A copy of the installed version.h with ABI + 1, first on the
    # include path, stands for an SDK of another ABI.
    inc = os.path.join(work, "abi-inc", "cartero")
    os.makedirs(inc)
    text = open(DEST + PREFIX + "/include/cartero/version.h").read()
    text = re.sub(r"#define CARTERO_ABI_VERSION \d+",
                  "#define CARTERO_ABI_VERSION %d" % (ABI + 1), text)
    with open(os.path.join(inc, "version.h"), "w") as f:
        f.write(text)
    d = copy_hello(os.path.join(work, "hello-abi"))
    sh("cc -shared -fPIC -I../abi-inc $(pkg-config --cflags cartero) "
       "-o hello.so hello.c", d)
    pdir = plugin_dir("plugins-abi", os.path.join(d, "hello.so"))
    srv = server(pdir)
    with srv, logged(srv):
        c = Raw(srv.port)
        try:
            code, lines = c.reply()
            check(code == 421 and lines == [
                "421 4.3.0 Service temporarily unavailable"],
                "greeting %r" % lines)
            check(c.line() == b"<EOF>", "connection not closed")
        finally:
            c.close()
        check(srv.wait_idle(), "handler still running")
        want = ('event=plugin-load error="built for ABI %d, this is ABI %d '
                '(rebuild %s/hello.so against this SDK)"' %
                (ABI + 1, ABI, pdir))
        log = srv.logtext()
        check(want in log, "log lacks %r" % want)
        # systemd-socket-activate logs the exit a moment after it.
        codes = wait_for(srv.child_exits) or []
        check(codes == [111], "handler exit codes %r, not [111]" % codes)


def main():
    steps = [
        ("make -s install DESTDIR=... PREFIX=/usr/local", case_install),
        ("installed: programs, every plugin, headers, .pc, man pages, "
         "examples", case_layout),
        ("cartero.pc: Version, abi, Cflags into the DESTDIR", case_pc),
        ("hello builds with its own Makefile, exports only cartero_plugin",
         case_build_makefile),
        ("hello builds with SPEC's cc -shared -fPIC $(pkg-config ...) line",
         case_build_spec_line),
        ("filters = hello: greeting logged, X-Hello stored, sender refused",
         case_session),
        ("hello built for ABI+1 is refused: 421, log names both ABIs, "
         "exit 111", case_abi_mismatch),
    ]
    # Everything needs the install; the sessions need hello.so.
    needs = {case_install: None, case_build_makefile: case_install}
    failed = set()
    for name, fn in steps:
        need = needs.get(fn, case_install)
        if need is not None and need in failed or \
                (fn in (case_session, case_abi_mismatch) and
                 case_build_makefile in failed):
            failed.add(fn)
            R.not_ok(name, "not run: an earlier step failed")
            continue
        before = R.failed
        R.case(name, fn)
        if R.failed > before:
            failed.add(fn)
    shutil.rmtree(work, ignore_errors=True)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
