"""What the Python client checks in this folder share: the shape of the
scenario (like tests/clients/go/scenario), the records they write and
read back, and how a check reports to its shell test ("ok ..." lines,
"FAIL ..." and exit status 1).
"""
import sys
import time

PARTITIONS = 3  # partitions of the scenario's topic
RECORDS = 300  # records produced before the group reads them
LATER = 20  # records produced after the group committed
DEADLINE_S = 90  # generous: the test machine is shared and loaded


def key(i):
    return b"key-%d" % i


def value(i):
    return b"value-%d-%0100d" % (i, i)


def ok(what):
    print("ok " + what, flush=True)


def fail(what):
    print("FAIL " + what, flush=True)
    sys.exit(1)


def check(cond, what):
    if not cond:
        fail(what)


class Seen:
    """The produced records a consumer read: fails on one it does not
    know, one with a wrong value or header, or one read twice."""

    def __init__(self):
        self.keys = set()

    def add(self, k, v, headers):
        try:
            i = int(k.split(b"-", 1)[1])
        except (IndexError, ValueError):
            fail("consumed an unknown key %r" % (k,))
        check(key(i) == k, "consumed an unknown key %r" % (k,))
        check(v == value(i), "record %r has value %r" % (k, v))
        check(list(headers or []) == [("h", k)], "record %r has headers %r" % (k, headers))
        check(k not in self.keys, "record %r consumed twice" % (k,))
        self.keys.add(k)

    def check_exactly(self, first, n):
        want = {key(i) for i in range(first, first + n)}
        check(self.keys == want, "consumed %d records, not exactly records %d..%d" % (len(self.keys), first, first + n - 1))


class Deadline:
    def __init__(self, seconds=DEADLINE_S):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def check(self, what):
        if self.left() <= 0:
            fail("deadline passed: " + what)
