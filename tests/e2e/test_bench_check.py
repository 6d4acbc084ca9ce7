#!/usr/bin/env python3
# ISC license.
# Instructions per session do not creep up (make bench-check; make check
# runs this through tests/run): bench/instructions.py counts, with
# valgrind --tool=callgrind, the user-space instructions of one plain SMTP
# session (EHLO, MAIL, RCPT, DATA with 2 KB, QUIT; start-up and plugin
# loading included) and of one POP3 session (USER, PASS, LIST, RETR 1,
# QUIT), over pipes, same input and environment every time, and compares
# them with bench/baseline.txt: more than 10% over fails.  A wanted growth
# is recorded with make bench-baseline.
#
# Counts the normal build (bin/, plugins/): under the ASan variant of the
# runner there is nothing more to learn, so it says so and stops.
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import instructions  # noqa: E402


def main():
    if "asan" in os.environ.get("CARTERO_BIN", ""):
        print("# bench-check counts the normal build; nothing to do under "
              "ASan")
        return 0
    try:
        counts = instructions.measure(sessions=("smtp", "pop3"))
    except Exception as e:  # noqa: BLE001 - any failure is a "not ok"
        print("not ok - instructions: could not measure: %s" % e)
        return 1
    ok = instructions.check(os.path.join(ROOT, "bench", "baseline.txt"),
                            counts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
