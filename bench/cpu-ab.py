# Compares start-ups by their CPU time as well as their wall time: python3 bench/cpu-ab.py RUNS LABEL=COMMAND...
# The first command is the baseline (bare `node -e 0`). Each round runs every command once, the order
# alternating, and takes each child's user + system time from getrusage(RUSAGE_CHILDREN): on a shared
# machine (load 15 on 2 cores while these were taken) the wall time of a start swings by 100 ms from run
# to run, its CPU time far less. OUT in a command becomes a fresh output directory. A label containing
# "pipe" runs with stdout a pipe, as in a container. How the variants were built: docs/performance.md.
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

runs = int(sys.argv[1])
cases = [a.split('=', 1) for a in sys.argv[2:]]
fix = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'files')
env = {k: v for k, v in os.environ.items() if k != 'NODE_EXTRA_CA_CERTS'}
env.update(KCS_SOURCE=os.path.join(fix, 'openssl3-default.pfx'), KCS_PASSWORD='fixture-Pa55',
           KCS_OUTPUT_PASSWORD='fixture-Pa55')
wall = [[] for _ in cases]
cpu = [[] for _ in cases]
for i in range(runs + 2):
    order = list(range(len(cases)))
    if i % 2:
        order.reverse()
    for j in order:
        label, cmd = cases[j]
        cmd = cmd.replace('OUT', os.path.join(tempfile.mkdtemp(prefix='kcs-ab-'), 'out'))
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run(shlex.split(cmd), env=env, stderr=subprocess.PIPE,
                           stdout=subprocess.PIPE if 'pipe' in label else subprocess.DEVNULL)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in (0, 6):
            sys.exit(f'{label} failed: {p.stderr[:500]!r}')
        if i >= 2:  # two warm-up rounds
            wall[j].append((t1 - t0) * 1000)
            cpu[j].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
bw, bc = statistics.median(wall[0]), statistics.median(cpu[0])
for j, (label, _) in enumerate(cases):
    w, c = statistics.median(wall[j]), statistics.median(cpu[j])
    print(f'{label:16} wall {w:7.1f} ms {w / bw:5.2f}x   cpu {c:7.1f} ms {c / bc:5.2f}x')
