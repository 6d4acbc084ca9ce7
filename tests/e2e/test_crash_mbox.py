#!/usr/bin/env python3
# ISC license.
# The mbox store part of test_crash.py, as a program of its own under
# CARTERO_FULL=1 (the runner gives each program 600 s); in CI
# test_crash.py runs it and this one does nothing.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_crash  # noqa: E402

if __name__ == "__main__":
    sys.exit(test_crash.part_main("mbox"))
