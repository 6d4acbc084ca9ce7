#!/usr/bin/env python3
# ISC license.
# Static analysis of every C file of the programs, the SDK and the plugins
# (and the fault shim), at the level docs/design/security.md records:
#  - cppcheck --enable=warning,portability,performance: no finding.  About
#    2 s: in make check.
#  - clang-tidy, clang-analyzer-* (less the C11 Annex K "insecureAPI"
#    advice) and bugprone-* (less five checks that only restate the house
#    style), no finding outside ALLOW.  About a minute: only with
#    CARTERO_FULL=1 (make check-full).  No compile_commands.json is
#    needed: the flags of the Makefile are given after "--".
# Runs once (the runner's ASan variant skips it: the sources are the same).
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import BIN, ROOT, Reporter, check  # noqa: E402
from pipeproc import full, is_asan  # noqa: E402

R = Reporter()
CFLAGS = ["-std=c11", "-D_GNU_SOURCE", "-Isdk/include",
          '-DCARTERO_PLUGIN_DIR="/usr/local/lib/cartero/plugins"']
CPPCHECK_LEVEL = "warning,portability,performance"
TIDY_CHECKS = ",".join([
    "-*", "clang-analyzer-*",
    "-clang-analyzer-security.insecureAPI.*",   # memcpy -> memcpy_s advice
    "bugprone-*",
    "-bugprone-easily-swappable-parameters",    # (char *dst, size_t n, ...)
    "-bugprone-narrowing-conversions",          # c | 0x20 into a char
    "-bugprone-implicit-widening-of-multiplication-result",  # i * 2 < 64
    "-bugprone-macro-parentheses",              # the X-macro reply table
    "-bugprone-branch-clone",                   # parallel reply branches
    "-bugprone-not-null-terminated-result",     # memcpy of counted octets
])
# Findings read and judged false: (file, check, why).
ALLOW = [
    ("sdk/src/peer.c", "clang-analyzer-core.UndefinedBinaryOperatorResult",
     "getpeername() fills the sockaddr_storage; the analyzer does not "
     "model it"),
    ("bin/smtp-data.c", "clang-analyzer-optin.portability.UnixAPI",
     "calloc(n_rcpts, ...) runs only with n_hops > 0, so n_rcpts >= 1"),
    ("plugins/spamd/spamd.c",
     "clang-analyzer-core.UndefinedBinaryOperatorResult",
     "r.score is read only when spamd_check() returned 0, which sets it; "
     "the analyzer takes spamd_fail() (always -1) for a success"),
    ("plugins/spamd/spamd.c", "clang-analyzer-core.CallAndMessage",
     "the same path as above"),
]


def sources():
    files = []
    for pat in ("sdk/src/*.c", "bin/*.c", "plugins/*/*.c",
                "tests/fault/*.c"):
        files += sorted(glob.glob(os.path.join(ROOT, pat)))
    return [os.path.relpath(f, ROOT) for f in files]


def cppcheck():
    exe = shutil.which("cppcheck")
    check(exe is not None, "cppcheck is not installed (scripts/deps test)")
    p = subprocess.run([exe, "--enable=" + CPPCHECK_LEVEL, "--std=c11",
                        "--error-exitcode=1", "--inline-suppr", "-q",
                        "--suppress=missingIncludeSystem", "-j2",
                        "--template={file}:{line}: {severity}: {message} "
                        "[{id}]"] + CFLAGS[1:] + sources(),
                       cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300)
    out = p.stdout.decode("utf-8", "replace").strip()
    check(p.returncode == 0 and not out, "cppcheck findings:\n" + out)
    return "%d files, --enable=%s: clean" % (len(sources()), CPPCHECK_LEVEL)


def tidy_one(exe, f):
    p = subprocess.run([exe, "-quiet", "-checks=" + TIDY_CHECKS, f, "--"] +
                       CFLAGS, cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    found = []
    for l in p.stdout.decode("utf-8", "replace").splitlines():
        m = re.match(r"(/\S+?):(\d+):\d+: (warning|error): (.*) \[([\w.,-]+)\]$",
                     l)
        if m:
            found.append((os.path.relpath(m.group(1), ROOT), int(m.group(2)),
                          m.group(5), m.group(4)))
    return found


def clang_tidy():
    exe = shutil.which("clang-tidy")
    check(exe is not None, "clang-tidy is not installed (scripts/deps test)")
    files = sources()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda f: tidy_one(exe, f), files))
    allowed = {(f, c) for f, c, _ in ALLOW}
    bad, ok = [], 0
    for found in results:
        for f, line, chk, msg in found:
            if (f, chk) in allowed:
                ok += 1
            else:
                bad.append("%s:%d: %s [%s]" % (f, line, msg, chk))
    bad = sorted(set(bad))
    check(not bad, "%d clang-tidy findings:\n%s" % (len(bad), "\n".join(bad)))
    return "%d files, %d allowed false positives: clean" % (len(files), ok)


def main():
    if is_asan(BIN):
        R.skip("static analysis", "runs once, in the plain variant")
        return R.done()
    R.case("cppcheck", cppcheck)
    if full() or os.environ.get("CARTERO_TIDY"):
        R.case("clang-tidy", clang_tidy)
    else:
        R.skip("clang-tidy", "about a minute: make check-full")
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
