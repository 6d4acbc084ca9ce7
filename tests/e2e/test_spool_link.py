#!/usr/bin/env python3
# ISC license.
# The maildir store takes the spool itself when it can: the host's spool is
# an unnamed O_TMPFILE, and on the maildrop's file system the store fsyncs
# it and links it straight into new/ (no copy, nothing in tmp/).  Through
# the real bin/cartero-smtpd over pipes:
#  - same file system, two recipients: both new/ files are the same inode
#    (st_nlink 2), equal to what was sent, tmp/ empty;
#  - a POP3 DELE+QUIT of one recipient's copy leaves the other's whole;
#  - the spool on another file system (a tmpfs, when the machine has one
#    apart from the maildrops): two separate copies, each st_nlink 1;
#  - LMTP (each recipient committed alone) links the same way.
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (BIN, POP3_BIN, Reporter, Server, check,  # noqa: E402
                         strip_trace)
from pipeproc import Handler, handler_env  # noqa: E402

R = Reporter()
BODY = b"Subject: linked\r\n\r\n" + b"a line of the message\r\n" * 200


def deliver(srv, spool, rcpts, lmtp=False):
    """One message to RCPTS over pipes; returns the replies' codes."""
    argv = [BIN] + (["--lmtp"] if lmtp else []) + ["-c", srv.conf]
    h = Handler(argv, env=handler_env(spool), cwd=srv.tmp)
    codes = []
    try:
        h.expect(220)
        h.send(b"LHLO x\r\n" if lmtp else b"EHLO x\r\n")
        h.expect(250)
        h.send(b"MAIL FROM:<s@example.net>\r\n")
        h.expect(250)
        for r in rcpts:
            h.send(b"RCPT TO:<%s>\r\n" % r.encode())
            h.expect(250)
        h.send(b"DATA\r\n")
        h.expect(354)
        h.send(BODY + b".\r\n")
        for _ in (rcpts if lmtp else [0]):
            codes.append(h.reply()[0])
        h.send(b"QUIT\r\n")
        h.expect(221)
    finally:
        rc = h.finish()
    check(rc == 0, "handler exit %d" % rc)
    return codes


def files(srv, user):
    d = srv.maildrop("example.test/" + user)
    new = [os.path.join(d, "new", f) for f in os.listdir(os.path.join(
        d, "new"))]
    tmp = os.listdir(os.path.join(d, "tmp"))
    return new, tmp


def check_copy(path):
    with open(path, "rb") as f:
        data = f.read()
    check(strip_trace(data) == BODY, "%s differs from what was sent" % path)


def same_fs(lmtp=False):
    srv = Server(accounts={"a@example.test": "pw", "b@example.test": "pw"})
    try:
        spool = os.path.join(srv.tmp, "spool")
        os.makedirs(spool)
        codes = deliver(srv, spool, ["a@example.test", "b@example.test"],
                        lmtp)
        check(codes == ([250, 250] if lmtp else [250]), "replies %r" % codes)
        (na, ta), (nb, tb) = files(srv, "a"), files(srv, "b")
        check(len(na) == 1 and len(nb) == 1, "new/: %r %r" % (na, nb))
        check(ta == [] and tb == [], "tmp/ not empty: %r %r" % (ta, tb))
        sa, sb = os.stat(na[0]), os.stat(nb[0])
        check(sa.st_ino == sb.st_ino and sa.st_nlink == 2,
              "not one linked file: inodes %d/%d, links %d" %
              (sa.st_ino, sb.st_ino, sa.st_nlink))
        check(sa.st_mode & 0o777 == 0o600, "mode %o" % sa.st_mode)
        check_copy(na[0])
        check(os.listdir(spool) == [], "spool folder not empty")
        if lmtp:
            return "LMTP: one inode, 2 links"
        # POP3: a DELE+QUIT of a's copy leaves b's whole
        p = subprocess.run([POP3_BIN, "-c", srv.conf], input=b"USER "
                           b"a@example.test\r\nPASS pw\r\nDELE 1\r\nQUIT\r\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=handler_env(spool), cwd=srv.tmp, timeout=30)
        out = p.stdout.decode("latin-1")
        check(out.count("+OK") == 5, "POP3 session: %r %r" % (
            out, p.stderr[-400:]))
        check(not os.path.exists(na[0]), "a's copy still there")
        check(os.stat(nb[0]).st_nlink == 1, "b's copy lost a link wrongly")
        check_copy(nb[0])
        return "one inode, 2 links; after a's DELE b's copy intact"
    finally:
        srv.cleanup()


def other_fs():
    shm = "/dev/shm"
    srv = Server(users=["example.test/a", "example.test/b"])
    try:
        if not os.path.isdir(shm) or \
                os.stat(shm).st_dev == os.stat(srv.tmp).st_dev:
            return "SKIP no tmpfs apart from the maildrops"
        spool = tempfile.mkdtemp(prefix="cartero-spool-", dir=shm)
        try:
            codes = deliver(srv, spool, ["a@example.test", "b@example.test"])
        finally:
            os.rmdir(spool)
        check(codes == [250], "replies %r" % codes)
        (na, ta), (nb, tb) = files(srv, "a"), files(srv, "b")
        check(len(na) == 1 and len(nb) == 1 and ta == [] and tb == [],
              "new/ %r %r tmp/ %r %r" % (na, nb, ta, tb))
        sa, sb = os.stat(na[0]), os.stat(nb[0])
        check(sa.st_ino != sb.st_ino and sa.st_nlink == 1 and
              sb.st_nlink == 1, "copies expected: links %d/%d" %
              (sa.st_nlink, sb.st_nlink))
        check_copy(na[0])
        check_copy(nb[0])
        return "two copies, one link each"
    finally:
        srv.cleanup()


def main():
    R.case("spool on the maildrops' file system: linked into new/, no copy",
           same_fs)
    R.case("LMTP: the same link for each recipient", lambda: same_fs(True))
    R.case("spool on another file system: copied", other_fs)
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
