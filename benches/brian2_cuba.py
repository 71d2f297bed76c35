#!/usr/bin/env python3
"""CUBA (Vogels & Abbott 2005) in Brian2's C++ standalone mode, single thread.

The side-by-side reference for `snngen bench cuba` (see BENCHMARKS.md). Same network as
Brian2's examples/CUBA.py and snngen's src/apps/bench/cuba.rs: 4000 LIF neurons (3200 exc / 800 inh),
p = 0.02, exact integration, dt = 0.1 ms.

Brian2 is NOT a dependency of snngen or its test suite. Install it on the side:

    python3 -m venv /tmp/b2venv
    /tmp/b2venv/bin/pip install brian2 'numpy<2.4'   # brian2 2.9.0 breaks on numpy 2.4 (ndarray.ptp)
    /tmp/b2venv/bin/python benches/brian2_cuba.py --seconds 10

Timing: the project is generated and compiled first (not timed), then the compiled binary is
run `--repeats` more times. Reported per run: `run_s`, the time Brian2 itself measures around
the simulation loop (`device._last_run_time`, excludes synapse creation and file output), and
`binary_s`, the wall time of the whole `main` process (includes building the random synapses
and writing results). Events/s uses `run_s` (best of the repeats). Peak memory is the maximum
resident set of one more run of `main` on its own (GNU time).

Synaptic events: sum over all spikes of the out-degree of the spiking neuron, i.e. the number
of `ge += we` / `gi += wi` executions.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
from brian2 import (
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    defaultclock,
    device,
    ms,
    mV,
    prefs,
    run,
    second,
    seed,
    set_device,
)


def peak_rss_kib(directory):
    """Peak resident memory (KiB) of one more run of the compiled `main`, measured by GNU time
    (a fork of this Python process would count Python's own memory in ru_maxrss)."""
    time_bin = shutil.which("time")
    if time_bin is None:
        return None
    r = subprocess.run(
        [time_bin, "-f", "%M", "./main"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    return int(r.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="biological time (s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="/tmp/brian2_cuba_standalone", help="standalone project dir")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of the compiled binary")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args()

    set_device("cpp_standalone", directory=args.dir)
    prefs.devices.cpp_standalone.openmp_threads = 0  # single thread, no OpenMP
    seed(args.seed)
    defaultclock.dt = 0.1 * ms

    n, n_exc = 4000, 3200
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms, method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV  # 1.62 mV
    wi = (-20 * 4.5 / 10) * mV  # -9 mV
    Ce = Synapses(P, P, on_pre="ge += we")
    Ci = Synapses(P, P, on_pre="gi += wi")
    Ce.connect("i<3200", p=0.02)
    Ci.connect("i>=3200", p=0.02)
    # record=False: per-neuron spike counts only, no spike list (cheap, like snngen's
    # monitor-off run).
    s_mon = SpikeMonitor(P, record=False)

    t0 = time.perf_counter()
    run(args.seconds * second)  # generates, compiles and runs once
    first_total = time.perf_counter() - t0

    counts = np.asarray(s_mon.count[:], dtype=np.int64)
    outdeg = np.bincount(np.asarray(Ce.i[:]), minlength=n) + np.bincount(
        np.asarray(Ci.i[:]), minlength=n
    )
    spikes = int(counts.sum())
    events = int((counts * outdeg).sum())
    synapses = int(outdeg.sum())

    runs = []
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        device.run(args.dir, with_output=False)
        binary_s = time.perf_counter() - t0
        runs.append({"run_s": float(device._last_run_time), "binary_s": binary_s})
    peak_memory_kib = peak_rss_kib(args.dir)

    best = min(r["run_s"] for r in runs)
    best_binary = min(r["binary_s"] for r in runs)

    out = {
        "simulator": "brian2",
        "version": __import__("brian2").__version__,
        "mode": "cpp_standalone, 1 thread",
        "neurons": n,
        "synapses": synapses,
        "seconds": args.seconds,
        "seed": args.seed,
        "spikes": spikes,
        "mean_rate_hz": spikes / n / args.seconds,
        "synaptic_events": events,
        "run_s": best,
        "binary_s": best_binary,
        "events_per_s": events / best,
        "peak_memory_kib": peak_memory_kib,
        "first_build_and_run_s": first_total,
        "runs": runs,
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"Brian2 {out['version']} CUBA, {out['mode']}, {args.seconds:g} s biological time")
        print(f"  neurons          {n}")
        print(f"  synapses         {synapses}")
        print(f"  spikes           {spikes}")
        print(f"  mean rate        {out['mean_rate_hz']:.2f} Hz")
        print(f"  synaptic events  {events}")
        print(f"  run time         {best:.3f} s (Brian2's own loop timer, best of {len(runs)})")
        print(f"  binary wall      {best_binary:.3f} s (whole process incl. synapse creation)")
        print(f"  events/s         {out['events_per_s']:.3e}")
        if peak_memory_kib is not None:
            print(f"  peak memory      {peak_memory_kib / 1024:.1f} MiB (the main binary, max RSS)")
        print(f"  first build+run  {first_total:.1f} s (code generation + compilation)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
