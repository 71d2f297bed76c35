//! The CUBA benchmark (Vogels & Abbott 2005, as in Brian2's `examples/CUBA.py`).
//!
//! 4000 LIF neurons (3200 excitatory, 800 inhibitory), random connectivity with p = 0.02
//! (autapses allowed, as Brian2's `connect(p=0.02)`), tau_m 20 ms, tau_e 5 ms, tau_i 10 ms,
//! v_rest -49 mV, v_th -50 mV, v_reset -60 mV, refractory 5 ms, w_e = 1.62 mV, w_i = -9 mV,
//! dt 0.1 ms, initial v uniform in [v_reset, v_th), ge = gi = 0. Brian2 gets ~222,000 spikes in
//! 10 s (~5.6 Hz); the network is chaotic, so only the statistics agree, not the spike trains.
//!
//! Synaptic events are counted as Brian2 executes `on_pre`: one per (spike, outgoing synapse).

use crate::apps::bench::network::{Connectivity, LifParams, Network, NetworkParams};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

pub const N: usize = 4000;
pub const N_EXC: usize = 3200;
pub const P_CONNECT: f64 = 0.02;
/// Time step (ms).
pub const DT_MS: f64 = 0.1;
/// Excitatory weight (mV): 60 * 0.27 / 10.
pub const W_E: f64 = 60.0 * 0.27 / 10.0;
/// Inhibitory weight (mV): -20 * 4.5 / 10.
pub const W_I: f64 = -20.0 * 4.5 / 10.0;

/// The CUBA neuron, in mV and ms.
pub fn neuron() -> LifParams {
    LifParams {
        v_rest: -49.0,
        v_th: -50.0,
        v_reset: -60.0,
        tau_m: 20.0,
        tau_e: 5.0,
        tau_i: 10.0,
        refractory: 5.0,
    }
}

/// Build the CUBA network for `seed` (ChaCha8: first the 4000 initial potentials, then the
/// synapses, row by row, with geometric skips between the connected targets).
pub fn build(seed: u64) -> Network {
    let p = neuron();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v0: Vec<f64> = (0..N)
        .map(|_| p.v_reset + rng.random::<f64>() * (p.v_th - p.v_reset))
        .collect();
    let log_q = (1.0 - P_CONNECT).ln();
    let mut offsets = Vec::with_capacity(N + 1);
    let expected = (N as f64 * N as f64 * P_CONNECT * 1.05) as usize;
    let mut post = Vec::with_capacity(expected);
    let mut weight = Vec::with_capacity(expected);
    offsets.push(0);
    for pre in 0..N {
        let w = if pre < N_EXC { W_E } else { W_I } as f32;
        // Gaps between successes of Bernoulli(p) trials are geometric.
        let mut j: i64 = -1;
        loop {
            let u: f64 = rng.random(); // [0, 1)
            j += 1 + ((1.0 - u).ln() / log_q).floor() as i64;
            if j >= N as i64 {
                break;
            }
            post.push(j as u32);
            weight.push(w);
        }
        offsets.push(post.len());
    }
    let conn =
        Connectivity::from_csr(N, offsets, post, weight).expect("CUBA connectivity is valid");
    let params = NetworkParams::uniform(N, DT_MS, &p);
    Network::new(&params, &conn, &v0).expect("CUBA parameters are valid")
}

/// Result of one CUBA run.
#[derive(Debug, Clone, PartialEq)]
pub struct CubaReport {
    pub seed: u64,
    /// Biological time simulated (s).
    pub seconds: f64,
    pub steps: u64,
    pub neurons: usize,
    pub synapses: usize,
    pub spikes: u64,
    pub synaptic_events: u64,
    /// Spikes per neuron per second of biological time (Hz).
    pub mean_rate_hz: f64,
    /// Wall time of building the network (RNG draws, CSR, coefficients) (s).
    pub build_s: f64,
    /// Wall time of the simulation loop alone (s).
    pub wall_s: f64,
    /// `synaptic_events / wall_s`.
    pub events_per_s: f64,
    /// Peak resident memory of the process (VmHWM, KiB), when /proc is there.
    pub peak_memory_kib: Option<u64>,
    /// Update loop used, e.g. "uniform, avx2".
    pub kernel: String,
    pub threads: usize,
}

/// Run CUBA for `seconds` of biological time, single-threaded, spike monitor off.
pub fn run_cuba(seed: u64, seconds: f64) -> CubaReport {
    let t0 = Instant::now();
    let mut net = build(seed);
    let build_s = t0.elapsed().as_secs_f64();
    let steps = (seconds * 1000.0 / DT_MS).round().max(0.0) as u64;
    let t1 = Instant::now();
    let stats = net.run(steps);
    let wall_s = t1.elapsed().as_secs_f64();
    let kernel = format!(
        "{}, {}",
        net.kernel(),
        if net.uses_avx2() { "avx2" } else { "portable" }
    );
    CubaReport {
        seed,
        seconds,
        steps,
        neurons: net.n(),
        synapses: net.synapses(),
        spikes: stats.spikes,
        synaptic_events: stats.synaptic_events,
        mean_rate_hz: if seconds > 0.0 {
            stats.spikes as f64 / N as f64 / seconds
        } else {
            0.0
        },
        build_s,
        wall_s,
        events_per_s: if wall_s > 0.0 {
            stats.synaptic_events as f64 / wall_s
        } else {
            0.0
        },
        peak_memory_kib: peak_memory_kib(),
        kernel,
        threads: 1,
    }
}

/// VmHWM from /proc/self/status, in KiB.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl CubaReport {
    /// A human-readable table.
    pub fn table(&self) -> String {
        let mem = match self.peak_memory_kib {
            Some(k) => format!("{:.1} MiB", k as f64 / 1024.0),
            None => "n/a".to_string(),
        };
        let rows = [
            ("neurons", self.neurons.to_string()),
            ("synapses", self.synapses.to_string()),
            (
                "biological time",
                format!("{} s ({} steps of {} ms)", self.seconds, self.steps, DT_MS),
            ),
            ("spikes", self.spikes.to_string()),
            ("mean rate", format!("{:.2} Hz", self.mean_rate_hz)),
            ("synaptic events", self.synaptic_events.to_string()),
            ("build time", format!("{:.3} s", self.build_s)),
            ("run time", format!("{:.3} s", self.wall_s)),
            ("events/s", format!("{:.3e}", self.events_per_s)),
            (
                "realtime factor",
                format!("{:.1}x", self.seconds / self.wall_s.max(f64::MIN_POSITIVE)),
            ),
            ("peak memory", mem),
            (
                "kernel",
                format!("{} ({} thread)", self.kernel, self.threads),
            ),
        ];
        let mut s = format!(
            "CUBA benchmark (Vogels & Abbott 2005), seed {}\n",
            self.seed
        );
        for (k, v) in rows {
            s.push_str(&format!("  {k:<16} {v}\n"));
        }
        s
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "benchmark": "cuba",
            "seed": self.seed,
            "seconds": self.seconds,
            "dt_ms": DT_MS,
            "steps": self.steps,
            "neurons": self.neurons,
            "synapses": self.synapses,
            "spikes": self.spikes,
            "synaptic_events": self.synaptic_events,
            "mean_rate_hz": self.mean_rate_hz,
            "build_s": self.build_s,
            "wall_s": self.wall_s,
            "events_per_s": self.events_per_s,
            "peak_memory_kib": self.peak_memory_kib,
            "kernel": self.kernel,
            "threads": self.threads,
        })
    }
}

/// Each update loop of the simulator (uniform or per-neuron parameters, AVX2 or portable) on
/// the same network, best of `repeats`: (name, seconds, events/s). Every loop must give the
/// same spikes and synaptic events as `reference`, or the disagreement is returned.
pub fn run_all_kernels(
    reference: &CubaReport,
    repeats: u32,
) -> Result<Vec<(&'static str, f64, f64)>, String> {
    let mut rows = Vec::new();
    for (name, per_neuron, portable) in [
        ("uniform, avx2", false, false),
        ("per-neuron, avx2", true, false),
        ("uniform, portable", false, true),
        ("per-neuron, portable", true, true),
    ] {
        let mut best = f64::INFINITY;
        for _ in 0..repeats.max(1) {
            let mut net = build(reference.seed);
            if per_neuron {
                net.force_per_neuron_kernel();
            }
            if portable {
                net.force_portable();
            }
            let t = Instant::now();
            let s = net.run(reference.steps);
            best = best.min(t.elapsed().as_secs_f64());
            if (s.spikes, s.synaptic_events) != (reference.spikes, reference.synaptic_events) {
                return Err(format!(
                    "the {name} loop gave {} spikes and {} events, the reference run {} and {}",
                    s.spikes, s.synaptic_events, reference.spikes, reference.synaptic_events
                ));
            }
        }
        rows.push((name, best, reference.synaptic_events as f64 / best));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connectivity_has_the_expected_statistics() {
        let net = build(1);
        // 16e6 candidate pairs at p = 0.02: 320,000 +- 560 (1 sigma).
        let s = net.synapses() as f64;
        assert!((s - 320_000.0).abs() < 5_000.0, "{s}");
        assert_eq!(net.n(), N);
        for i in 0..N {
            let v = net.v(i);
            assert!((-60.0..=-50.0).contains(&v), "{v}");
        }
    }

    #[test]
    fn one_second_is_in_brian2_regime() {
        let r = run_cuba(1, 1.0);
        assert_eq!(r.steps, 10_000);
        // Brian2: ~5.6 Hz over 10 s; the first second includes the start transient.
        assert!((3.0..9.0).contains(&r.mean_rate_hz), "{}", r.table());
        assert!(r.synaptic_events > 50 * r.spikes, "{}", r.table());
        let again = run_cuba(1, 1.0);
        assert_eq!(
            (again.spikes, again.synaptic_events),
            (r.spikes, r.synaptic_events)
        );
        let j = r.to_json();
        assert_eq!(j["spikes"], r.spikes);
        assert!(r.table().contains("events/s"));
    }

    #[test]
    fn every_update_loop_gives_the_same_spikes() {
        let r = run_cuba(3, 0.3);
        let rows = run_all_kernels(&r, 1).unwrap();
        assert_eq!(rows.len(), 4);
    }
}
