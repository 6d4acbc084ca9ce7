#!/usr/bin/env python3
# ISC license.
# The manual stays true (make lint-man runs this too):
# - every page in docs/ (docs/*.[1-8]) is clean under mandoc -Tlint: any
#   message fails it, except the two that depend on the machine's own
#   manuals (an outdated mandoc.db, and "referenced manual not found" for
#   a page that is not cartero's);
# - every .Xr to a cartero page names a page that is in docs/;
# - the pages SPEC.md names exist;
# - every configuration key the code accepts is documented in
#   cartero.conf(5), in its section: the keys of each section in
#   sdk/src/setup.c, the store_keys of bin/*.c, and the
#   conf_keys of every plugin that plugins/*/*.mk builds, each in a
#   subsection whose title names the plugin.  A key counts as documented
#   when it is a word of an .It line there.
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "lib"))
from carterotest import ROOT, Failure, Reporter, check  # noqa: E402

R = Reporter()
DOCS = os.path.join(ROOT, "docs")
SPEC_PAGES = ("cartero-smtpd.8", "cartero-pop3d.8", "cartero-passwd.1",
              "cartero.conf.5", "cartero-plugin.3")


def pages():
    return sorted(f for f in os.listdir(DOCS) if re.search(r"\.[1-8]$", f))


def own_xr_ok(name, sec):
    return os.path.isfile(os.path.join(DOCS, "%s.%s" % (name, sec)))


def lint(page):
    path = os.path.join(DOCS, page)
    check(shutil.which("mandoc"), "mandoc is not installed (scripts/deps "
          "test installs it)")
    p = subprocess.run(["mandoc", "-Tlint", "-W", "all", path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=60)
    bad = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if "outdated mandoc.db" in line:
            continue
        m = re.search(r"referenced manual not found: Xr (\S+) (\S+)", line)
        if m and not (m.group(1).startswith("cartero") and
                      not own_xr_ok(m.group(1), m.group(2))):
            continue
        bad.append(line.replace(ROOT + "/", ""))
    # Our own cross-references, whatever the machine has installed.
    text = open(path, encoding="utf-8").read()
    for n, line in enumerate(text.splitlines(), 1):
        for m in re.finditer(r"\bXr (cartero\S*) ([1-8])", line):
            if not own_xr_ok(m.group(1), m.group(2)):
                bad.append("%s:%d: Xr %s %s: no such page in docs/" %
                           (page, n, m.group(1), m.group(2)))
    check(not bad, "%d lint message(s):\n%s" % (len(bad), "\n".join(bad)))


def c_array(text, name):
    """The string literals of `... name[] = { ... };` in C source text."""
    m = re.search(r"\b%s\s*\[\s*\]\s*=\s*\{(.*?)\};" % re.escape(name), text,
                  re.S)
    if m is None:
        return None
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return re.findall(r'"([^"]*)"', body)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def code_keys():
    """[(label, doc section matcher, [keys])] from the sources."""
    out = []
    setup = read("sdk/src/setup.c")
    table = re.search(r"sections\[\]\s*=\s*\{(.*?)\};", setup, re.S)
    check(table, "no sections[] table in sdk/src/setup.c")
    pairs = re.findall(r'\{\s*"([^"]*)"\s*,\s*(\w+)\s*\}', table.group(1))
    check(pairs, "sections[] of sdk/src/setup.c did not parse")
    for kind, arr in pairs:
        keys = c_array(setup, arr)
        check(keys, "array %s of sdk/src/setup.c did not parse" % arr)
        if kind == "":
            out.append(("top level", ("sh", "TOP LEVEL"), keys))
        else:
            out.append(("[%s]" % kind, ("sh", "[%s]" % kind), keys))
    bins = "".join(read(os.path.join("bin", f)) for f in
                   sorted(os.listdir(os.path.join(ROOT, "bin")))
                   if f.endswith(".c"))
    keys = c_array(bins, "store_keys")
    check(keys, "store_keys of bin/*.c did not parse")
    out.append(("[domain NAME]", ("sh", "[domain NAME]"), keys))
    pdir = os.path.join(ROOT, "plugins")
    for d in sorted(os.listdir(pdir)):
        mk = os.path.join(pdir, d, d + ".mk")
        if not os.path.isfile(mk):
            continue
        for name in re.findall(r"^PLUGINS\s*\+=\s*(\S+)", open(mk).read(),
                               re.M):
            srcs = [f for f in os.listdir(os.path.join(pdir, d))
                    if f.endswith(".c")]
            text = "".join(read(os.path.join("plugins", d, f))
                           for f in srcs)
            m = re.search(r"\.conf_keys\s*=\s*(\w+)", text)
            if m is None:
                continue        # no keys (the tls module reads [tls])
            keys = c_array(text, m.group(1))
            check(keys is not None, "conf_keys %s of plugin %s did not "
                  "parse" % (m.group(1), name))
            out.append(("[plugin %s]" % name, ("plugin", name), keys))
    return out


def doc_sections():
    """cartero.conf.5 cut at .Sh and .Ss: [(kind, title, lines)]."""
    out = []
    sh_title = ""
    for line in read("docs/cartero.conf.5").splitlines():
        if line.startswith(".Sh "):
            sh_title = line[4:]
            out.append(("sh", sh_title, []))
        elif line.startswith(".Ss "):
            out.append(("ss", line[4:], []))
        elif out:
            out[-1][2].append(line)
    return out


def words(line):
    return set(re.findall(r"[A-Za-z0-9_]+", line))


def documented(where, keys, secs):
    kind, what = where
    if kind == "sh":
        found = [s for s in secs if s[0] == "sh" and what in s[1]]
    else:
        # A subsection (or section) whose title names the plugin.
        found = [s for s in secs if what in words(s[1]) and
                 not s[1].startswith("THE [plugin NAME]")]
    check(found, "cartero.conf.5 has no section for %s" %
          (what if kind == "sh" else "plugin " + what))
    items = set()
    for s in found:
        for line in s[2]:
            if line.startswith(".It"):
                items |= words(line)
    missing = [k for k in keys if k not in items]
    check(not missing, "not documented in %r: %s" %
          ([s[1] for s in found], " ".join(missing)))


def main():
    def spec_pages():
        missing = [p for p in SPEC_PAGES if not os.path.isfile(
            os.path.join(DOCS, p))]
        check(not missing, "missing: %s" % " ".join(missing))
    R.case("the man pages SPEC.md names are in docs/", spec_pages)
    for page in pages():
        R.case("mandoc -Tlint docs/%s" % page, lambda p=page: lint(p))
    try:
        keys = code_keys()
    except Failure as e:
        R.not_ok("configuration keys found in the sources", e)
        return R.done()
    secs = doc_sections()
    for label, where, ks in keys:
        R.case("cartero.conf.5 documents every key of %s" % label,
               lambda w=where, k=ks: documented(w, k, secs))
    return R.done()


if __name__ == "__main__":
    sys.exit(main())
