#!/usr/bin/env python3
"""What bounds a step: the CPU seconds a server (every postgres process, or
mariadbd) and a client command spend while the command runs, next to its wall
time. Server = the change in utime+stime of each server process plus its
reaped children's (PostgreSQL backends that exited); client = the command's and
its children's. On a machine of C cores a step cannot take less wall time than
(server + client) / C, so when two tools' sums differ by less than their aimed
ratio the aim is out of reach there (bench/README.md).

Usage: bench/cpu_split.py pg|mariadb -- COMMAND [ARG...]
Linux only (/proc). Run it on an idle machine: other load inflates spin-waits."""
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")

def procs(kind):
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = open(f"/proc/{pid}/comm").read().strip()
            st = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if (kind == "pg" and comm.startswith("postgres")) or (kind == "mariadb" and comm == "mariadbd"):
            # fields after ')' start at index 0 = state; utime=11, stime=12, cutime=13, cstime=14
            out[pid] = (int(st[11]) + int(st[12]), int(st[13]) + int(st[14]))
    return out

def total(snap, before):
    s = 0
    for pid, (own, children) in snap.items():
        b = before.get(pid, (0, 0))
        s += (own - b[0]) + (children - b[1])
    return s / TICK

if len(sys.argv) < 4 or sys.argv[1] not in ("pg", "mariadb") or sys.argv[2] != "--":
    sys.exit(__doc__)
kind = sys.argv[1]
cmd = sys.argv[3:]
before = procs(kind)
t0 = time.time()
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
time.sleep(0.5)  # the postmaster reaps exited backends
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
wall = time.time() - t0
after = procs(kind)
server = total(after, before)
client = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(f"wall {wall:.2f} s  server CPU {server:.2f} s  client CPU {client:.2f} s  sum {server+client:.2f} s  "
      f"(sum/2 cores = {(server+client)/2:.2f} s)  :: {' '.join(cmd)[:100]}")
