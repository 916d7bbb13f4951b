"""What the Python test scripts share (tests/shards/, tests/report/): the
skip exit code, the check that records failures, and psql."""
import subprocess

SKIP = 77  # ctest's SKIP_RETURN_CODE for these scripts
failures = []


def check(cond, what):
    """Prints `what` as ok or FAIL; a failure is kept in `failures`."""
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def psql(uri, sql):
    """Runs `sql` on `uri` with Debian's psql, stopping at the first error; returns its stdout."""
    return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql],
                          capture_output=True, text=True, check=True).stdout
