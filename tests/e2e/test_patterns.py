#!/usr/bin/env python3
# ISC license.
# End-to-end tests of the patterns filter behind real launchers: smtplib
# over a loopback socket (the client is 127.0.0.1).
#  - sender, recipient and header rules refuse with the rule's reply;
#  - tag rules (client, sender, header) add their fields to the stored
#    message, once each, after cartero's trace fields;
#  - a broken rule: 421 4.3.0 at connect, the log names file and line,
#    nothing is accepted;
#  - patterns.so needs libc, nothing else.
import os
import smtplib
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import (HOST, LAUNCHERS, PLUGINS, TIMEOUT,  # noqa: E402
                         Raw, Reporter, Server, check, check_handlers_clean,
                         strip_trace)

R = Reporter()
ALICE = "example.test/alice"

RULES = """\
# e2e rules
client glob 127.0.0.* tag X-Client-Net loopback
sender glob *@spam.example reject 550 5.7.1 No mail from spam.example
recipient regex ^bob@ reject 550 5.1.1 Bob left
header regex ^subject:.*[[:space:]]free[[:space:]]+money reject 554 5.7.1 Nope
header glob list-id:* tag X-List yes
sender regex @lists\\.example$ tag X-From-List yes
"""


def conf(rules_path):
    return ("\n[smtpd]\nfilters = patterns\n\n[plugin patterns]\n"
            "rules = %s\n" % rules_path)


def server(launcher, rules=RULES):
    srv = Server(launcher, users=[ALICE, "example.test/bob"])
    path = os.path.join(srv.tmp, "rules")
    with open(path, "w") as f:
        f.write(rules)
    with open(srv.conf, "a") as f:
        f.write(conf("rules"))     # relative to the configuration's folder
    return srv


def refusals(launcher):
    srv = server(launcher)
    with srv:
        c = smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT)
        try:
            c.ehlo("client.example")
            code, msg = c.mail("x@spam.example")
            check((code, msg) == (550, b"5.7.1 No mail from spam.example"),
                  "MAIL: %d %r" % (code, msg))
            c.rset()
            c.mail("a@ok.example")
            code, msg = c.rcpt("bob@example.test")
            check((code, msg) == (550, b"5.1.1 Bob left"),
                  "RCPT: %d %r" % (code, msg))
            c.rcpt("alice@example.test")
            code, msg = c.data(b"Subject: get FREE\r\n  money now\r\n"
                               b"\r\nbody\r\n")
            check((code, msg) == (554, b"5.7.1 Nope"),
                  "DATA: %d %r" % (code, msg))
            c.quit()
        finally:
            c.close()
        check(srv.messages(ALICE) == [], "a message was stored")
        check_handlers_clean(srv, need=(
            "field=sender verdict=reject code=550",
            "field=recipient verdict=reject code=550",
            "rules:5 field=header verdict=reject code=554 "
            'value="Subject: get FREE money now"'))


def tags(launcher):
    srv = server(launcher)
    with srv:
        c = smtplib.SMTP(HOST, srv.port, timeout=TIMEOUT)
        try:
            c.ehlo("client.example")
            body = (b"List-Id: <l.lists.example>\r\nList-Id: <again>\r\n"
                    b"Subject: news\r\n\r\nbody\r\n")
            c.sendmail("news@lists.example", ["alice@example.test"], body)
            c.quit()
        finally:
            c.close()
        msgs = srv.wait_messages(ALICE, 1)
        check(len(msgs) == 1, "%d messages" % len(msgs))
        want = (b"X-Client-Net: loopback\r\nX-List: yes\r\n"
                b"X-From-List: yes\r\n" + body)
        check(strip_trace(msgs[0]) == want, "stored %r" % msgs[0])
        check_handlers_clean(srv, need=(
            "rules:2 field=client verdict=tag header=X-Client-Net",
            "rules:6 field=header verdict=tag header=X-List",
            "rules:7 field=sender verdict=tag header=X-From-List"))


def broken(launcher):
    srv = server(launcher, RULES + "helo globby * reject 550 5.7.1 x\n")
    with srv:
        c = Raw(srv.port)
        try:
            lines = c.expect(421, "greeting")
            check(lines == ["421 4.3.0 Service temporarily unavailable"],
                  "%r" % lines)
            check(c.line() == b"<EOF>", "connection left open")
        finally:
            c.close()
        check(srv.wait_idle(), "handler still running")
        log = srv.logtext()
        check("plugin patterns: init failed: " in log and
              "/rules:8: unknown kind \\\"globby\\\" (glob or regex)" in log,
              "log: " + log)


def needed(so):
    """The NEEDED entries of a shared object, from readelf -d."""
    out = subprocess.run(["readelf", "-d", so], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=TIMEOUT,
                         check=True).stdout.decode()
    return sorted(l.split("[", 1)[1].split("]", 1)[0]
                  for l in out.splitlines() if "(NEEDED)" in l)


def links_only():
    so = os.path.join(PLUGINS, "patterns.so")
    libs = [l for l in needed(so) if not l.startswith(("libasan.",
            "libubsan."))]
    want = ["libc"]
    check([l.split(".so")[0] for l in libs] == want,
          "%s needs %r, expected %r" % (so, libs, want))


R.case("patterns.so links libc only", links_only)
for launcher in LAUNCHERS:
    R.case("%s: rules refuse sender, recipient, header" % launcher,
           lambda: refusals(launcher))
    R.case("%s: tag rules add fields once each" % launcher,
           lambda: tags(launcher))
    R.case("%s: a broken rule means 421 and file:line in the log" %
           launcher, lambda: broken(launcher))
sys.exit(R.done())
