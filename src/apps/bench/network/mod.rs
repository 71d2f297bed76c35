//! Leaky integrate-and-fire network simulator with current-based exponential synapses (CUBA).
//!
//! Per neuron `i` (all parameters are per-neuron arrays, so mismatch draws of the analog chips
//! plug in directly):
//!
//! ```text
//! dv/dt  = (ge + gi - (v - v_rest)) / tau_m     (held while refractory)
//! dge/dt = -ge / tau_e
//! dgi/dt = -gi / tau_i
//! v > v_th  ->  spike, v = v_reset, refractory for `refractory`
//! ```
//!
//! Units are the caller's: voltages (and `ge`, `gi`, weights) in one unit, times (`dt`, the
//! taus, `refractory`) in another. `ge`/`gi` are in voltage units, as in Brian2's CUBA example.
//!
//! # Time step (same order as Brian2's default schedule)
//! Step `s` (time `s * dt`):
//! 1. State update, exact solution of the linear system over `dt` (Brian2's `exact`):
//!    `u' = u*e^(-dt/tau_m) + ge*ce + gi*ci`, `ge' = ge*e^(-dt/tau_e)`, `gi' = gi*e^(-dt/tau_i)`
//!    with `u = v - v_rest`, `ce = tau_e/(tau_e - tau_m) * (e^(-dt/tau_e) - e^(-dt/tau_m))`
//!    (and the `tau_e == tau_m` limit). A refractory neuron keeps its `v`; `ge`, `gi` decay.
//! 2. Threshold: a neuron that is not refractory and has `v > v_th` spikes.
//! 3. Delivery: each spike of `j` adds each outgoing weight to `ge` (w >= 0) or `gi` (w < 0) of
//!    the target, after the decay of this step, so it acts on `v` from step `s + 1` on
//!    (Brian2 `on_pre='ge += we'` with no delay).
//! 4. Reset: `v = v_reset`; the neuron is refractory during steps `s+1 ..= s+R-1` and integrates
//!    again at step `s+R`, `R = timestep(refractory, dt)` (Brian2's
//!    `not_refractory = timestep(t - lastspike, dt) >= timestep(refractory, dt)`).
//!
//! # Precision and agreement with Brian2
//! State and coefficients are `f32` (coefficients computed in `f64`). On a 200-neuron CUBA-type
//! network with the same connections and initial potentials, the spike trains equal Brian2's
//! (`f64`, numpy target) spike for spike for the first ~730 ms (1451 spikes); after that the
//! chaotic network amplifies rounding differences, as it would between any two simulators.
//!
//! # Speed
//! Structure-of-arrays state (`u = v - v_rest`, `ge`, `gi`, `ref_until`), precomputed decay
//! factors, nothing allocated per step. On x86_64 with AVX2 (detected at run time) the update is
//! an intrinsics loop over 8 neurons at a time whose spike search is a `movemask`; elsewhere a
//! portable, auto-vectorized loop over blocks of 64 neurons rescans only blocks with a spike.
//! Neither uses FMA and both do the same operations in the same order, so their results are
//! bit-identical (tested). When all neurons share their parameters (checked at construction)
//! the coefficients are broadcast constants instead of 6 more streamed arrays. Refractoriness is
//! a read-only `ref_until` step per neuron, written only on a spike. Synapses are CSR with a
//! target index into one `[ge | gi]` array, so delivery is `g[idx] += w` with no sign branch.

mod connectivity;
mod kernel;
mod params;

pub use connectivity::Connectivity;
pub use params::{LifParams, NetworkError, NetworkParams};

#[cfg(target_arch = "x86_64")]
use kernel::avx2;
use kernel::{Coef, CoefArrays, Spikes, State, detect_avx2, update_portable};
use params::CLOCK_REBASE;
use std::fmt;
use std::ops::{Add, AddAssign};

/// Spike and synaptic-event counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Number of spikes.
    pub spikes: u64,
    /// Number of synaptic events: the sum over spikes of the out-degree of the spiking neuron.
    pub synaptic_events: u64,
}

impl Add for RunStats {
    type Output = RunStats;
    fn add(self, o: RunStats) -> RunStats {
        RunStats {
            spikes: self.spikes + o.spikes,
            synaptic_events: self.synaptic_events + o.synaptic_events,
        }
    }
}

impl AddAssign for RunStats {
    fn add_assign(&mut self, o: RunStats) {
        *self = *self + o;
    }
}

/// Which update loop a [`Network`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// All neurons share their parameters: broadcast coefficients.
    Uniform,
    /// Per-neuron coefficient arrays.
    PerNeuron,
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kernel::Uniform => "uniform",
            Kernel::PerNeuron => "per-neuron",
        })
    }
}

/// A leaky integrate-and-fire network with CUBA synapses. See the module docs for the model.
#[derive(Debug, Clone)]
pub struct Network {
    n: usize,
    dt: f64,
    /// Steps done since construction.
    steps: u64,
    /// Step counter used by the refractory test; rebased before it overflows.
    clock: i32,
    /// `v - v_rest`.
    u: Vec<f32>,
    /// `[ge | gi]`, 2n entries.
    g: Vec<f32>,
    /// First step at which the neuron integrates again.
    ref_until: Vec<i32>,
    v_rest: Vec<f32>,
    uniform: Option<Coef>,
    arrays: CoefArrays,
    syn_offsets: Vec<usize>,
    /// Index into `g`: `post` for w >= 0, `n + post` for w < 0.
    syn_index: Vec<u32>,
    syn_weight: Vec<f32>,
    /// Neurons that spiked in the last step: `fired[..n_fired]` (length n, allocated once).
    fired: Vec<u32>,
    n_fired: usize,
    monitor: Option<Vec<(u64, u32)>>,
    totals: RunStats,
    avx2: bool,
}

impl Network {
    /// A network with initial membrane potentials `v0` (one per neuron) and `ge = gi = 0`.
    /// The spike monitor starts off.
    pub fn new(
        params: &NetworkParams,
        conn: &Connectivity,
        v0: &[f64],
    ) -> Result<Network, NetworkError> {
        params.validate()?;
        let n = params.len();
        if conn.n != n {
            return Err(NetworkError::SizeMismatch {
                got: conn.n,
                expected: n,
            });
        }
        if v0.len() != n {
            return Err(NetworkError::Length {
                name: "v0",
                got: v0.len(),
                expected: n,
            });
        }
        if let Some((neuron, &value)) = v0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(NetworkError::BadParam {
                neuron,
                name: "v0",
                rule: "finite",
                value,
            });
        }
        let coefs: Vec<Coef> = (0..n)
            .map(|i| Coef::new(&params.neuron(i), params.dt))
            .collect();
        let arrays = CoefArrays {
            pm: coefs.iter().map(|c| c.pm).collect(),
            ce: coefs.iter().map(|c| c.ce).collect(),
            ci: coefs.iter().map(|c| c.ci).collect(),
            pe: coefs.iter().map(|c| c.pe).collect(),
            pi: coefs.iter().map(|c| c.pi).collect(),
            u_th: coefs.iter().map(|c| c.u_th).collect(),
            u_reset: coefs.iter().map(|c| c.u_reset).collect(),
            ref_steps: coefs.iter().map(|c| c.ref_steps).collect(),
        };
        let uniform = match coefs.first() {
            Some(c0) if coefs.iter().all(|c| c == c0) => Some(*c0),
            _ => None,
        };
        let v_rest: Vec<f32> = params.v_rest.iter().map(|&x| x as f32).collect();
        let u = v0
            .iter()
            .zip(&params.v_rest)
            .map(|(&v, &r)| (v - r) as f32)
            .collect();
        let syn_index = conn
            .post
            .iter()
            .zip(&conn.weight)
            .map(|(&p, &w)| if w < 0.0 { n as u32 + p } else { p })
            .collect();
        Ok(Network {
            n,
            dt: params.dt,
            steps: 0,
            clock: 0,
            u,
            g: vec![0.0; 2 * n],
            ref_until: vec![0; n],
            v_rest,
            uniform,
            arrays,
            syn_offsets: conn.offsets.clone(),
            syn_index,
            syn_weight: conn.weight.clone(),
            fired: vec![0; n],
            n_fired: 0,
            monitor: None,
            totals: RunStats::default(),
            avx2: detect_avx2(),
        })
    }

    /// Number of neurons.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of synapses.
    pub fn synapses(&self) -> usize {
        self.syn_index.len()
    }

    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> u64 {
        self.steps
    }

    /// Simulated time so far (`steps_done * dt`).
    pub fn time(&self) -> f64 {
        self.steps as f64 * self.dt
    }

    /// Membrane potential of neuron `i`.
    pub fn v(&self, i: usize) -> f64 {
        self.u[i] as f64 + self.v_rest[i] as f64
    }

    /// Excitatory synaptic current (voltage units) of neuron `i`.
    pub fn ge(&self, i: usize) -> f64 {
        self.g[i] as f64
    }

    /// Inhibitory synaptic current (voltage units, <= 0 for negative weights) of neuron `i`.
    pub fn gi(&self, i: usize) -> f64 {
        self.g[self.n + i] as f64
    }

    /// Whether neuron `i` is refractory (its `v` held) in the next step.
    pub fn is_refractory(&self, i: usize) -> bool {
        self.clock < self.ref_until[i]
    }

    /// Neurons that spiked in the last step, in increasing order.
    pub fn fired(&self) -> &[u32] {
        &self.fired[..self.n_fired]
    }

    /// Totals since construction.
    pub fn totals(&self) -> RunStats {
        self.totals
    }

    /// Which update loop is in use.
    pub fn kernel(&self) -> Kernel {
        if self.uniform.is_some() {
            Kernel::Uniform
        } else {
            Kernel::PerNeuron
        }
    }

    /// Whether the AVX2 copy of the update loop is in use.
    pub fn uses_avx2(&self) -> bool {
        self.avx2
    }

    /// Use the per-neuron loop even when all parameters are equal (for tests and benchmarks;
    /// results are identical).
    pub fn force_per_neuron_kernel(&mut self) {
        self.uniform = None;
    }

    /// Use the portable (SSE2 on x86_64) loop instead of AVX2 (results are identical).
    pub fn force_portable(&mut self) {
        self.avx2 = false;
    }

    /// Switch the spike monitor on (keeps what it has recorded) or off (drops it).
    pub fn record_spikes(&mut self, on: bool) {
        match (on, self.monitor.is_some()) {
            (true, false) => self.monitor = Some(Vec::new()),
            (false, true) => self.monitor = None,
            _ => {}
        }
    }

    /// Recorded spikes as `(step, neuron)`, in time order and increasing neuron within a step.
    pub fn spikes(&self) -> &[(u64, u32)] {
        self.monitor.as_deref().unwrap_or(&[])
    }

    /// Take the recorded spikes, leaving the monitor on and empty.
    pub fn take_spikes(&mut self) -> Vec<(u64, u32)> {
        self.monitor
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Set the membrane potential of neuron `i`.
    pub fn set_v(&mut self, i: usize, v: f64) {
        self.u[i] = (v - self.v_rest[i] as f64) as f32;
    }

    /// Set the synaptic currents of neuron `i`.
    pub fn set_g(&mut self, i: usize, ge: f64, gi: f64) {
        self.g[i] = ge as f32;
        self.g[self.n + i] = gi as f32;
    }

    /// Advance one time step; returns the spike and event counts of this step.
    pub fn step(&mut self) -> RunStats {
        if self.clock >= CLOCK_REBASE {
            self.rebase_clock();
        }
        let (ge, gi) = self.g.split_at_mut(self.n);
        let state = State {
            clock: self.clock,
            u: &mut self.u,
            ge,
            gi,
            ref_until: &mut self.ref_until,
            fired: Spikes {
                buf: &mut self.fired,
                len: 0,
            },
        };
        #[cfg(target_arch = "x86_64")]
        let n_fired = if self.avx2 {
            // SAFETY: `avx2` is only true when the CPU reports AVX2 (`detect_avx2`).
            unsafe { avx2::update(state, self.uniform.as_ref(), &self.arrays) }
        } else {
            update_portable(state, self.uniform.as_ref(), &self.arrays)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let n_fired = update_portable(state, self.uniform.as_ref(), &self.arrays);
        self.n_fired = n_fired;

        let mut events = 0usize;
        let g = &mut self.g[..];
        for &j in &self.fired[..self.n_fired] {
            let r = self.syn_offsets[j as usize]..self.syn_offsets[j as usize + 1];
            events += r.len();
            for (&k, &w) in self.syn_index[r.clone()].iter().zip(&self.syn_weight[r]) {
                debug_assert!((k as usize) < g.len());
                // SAFETY: every `syn_index` entry is `post` or `n + post` with `post < n`
                // (checked by `Connectivity`), and `g` has 2n entries; `syn_index` is private
                // and never changes after construction.
                unsafe { *g.get_unchecked_mut(k as usize) += w };
            }
        }
        if let Some(m) = &mut self.monitor {
            m.extend(self.fired[..self.n_fired].iter().map(|&i| (self.steps, i)));
        }
        self.steps += 1;
        self.clock += 1;
        let stats = RunStats {
            spikes: self.n_fired as u64,
            synaptic_events: events as u64,
        };
        self.totals += stats;
        stats
    }

    /// Advance `steps` time steps; returns the counts of this run.
    pub fn run(&mut self, steps: u64) -> RunStats {
        let before = self.totals;
        for _ in 0..steps {
            self.step();
        }
        RunStats {
            spikes: self.totals.spikes - before.spikes,
            synaptic_events: self.totals.synaptic_events - before.synaptic_events,
        }
    }

    /// Move the clock back by `CLOCK_REBASE`, keeping every neuron's remaining refractory time.
    fn rebase_clock(&mut self) {
        self.clock -= CLOCK_REBASE;
        for r in &mut self.ref_until {
            *r = (*r - CLOCK_REBASE).max(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::kernel::drive_coef;
    use super::*;

    /// Brian2 CUBA neuron (mV, ms).
    fn cuba_neuron() -> LifParams {
        crate::apps::bench::cuba::neuron()
    }

    /// So much drive that one integrating step from v_reset crosses the threshold.
    fn strong() -> LifParams {
        LifParams {
            v_rest: 1e6,
            ..cuba_neuron()
        }
    }

    fn single(p: LifParams, dt: f64, v0: f64) -> Network {
        let params = NetworkParams::uniform(1, dt, &p);
        Network::new(&params, &Connectivity::empty(1), &[v0]).unwrap()
    }

    fn spike_steps(net: &mut Network, steps: u64) -> Vec<u64> {
        net.record_spikes(true);
        net.run(steps);
        net.spikes().iter().map(|&(s, _)| s).collect()
    }

    #[test]
    fn constant_drive_fires_at_the_analytic_rate() {
        // v_rest above threshold is a constant drive: from v_reset the neuron needs
        // T = tau_m ln((v_rest - v_reset)/(v_rest - v_th)) to reach threshold, plus refractory.
        let p = cuba_neuron();
        let dt = 0.1;
        let mut net = single(p, dt, p.v_reset);
        let steps = spike_steps(&mut net, 20_000);
        assert!(steps.len() > 10, "{steps:?}");
        let t_int = p.tau_m * ((p.v_rest - p.v_reset) / (p.v_rest - p.v_th)).ln();
        let period = p.refractory + t_int; // 52.96 ms
        for w in steps[1..].windows(2) {
            let got = (w[1] - w[0]) as f64 * dt;
            assert!(
                (got - period).abs() <= dt,
                "interval {got} ms vs {period} ms"
            );
        }
        // Discrete: held for 49 steps, then ceil(ln 11 / (dt/tau_m)) = 480 integrating steps.
        assert_eq!(steps[2] - steps[1], 49 + 480);
        // First spike from v_reset without refractoriness: 480 steps, the 480th is step 479.
        assert_eq!(steps[0], 479);
    }

    #[test]
    fn refractory_period_is_respected() {
        // Huge drive: the neuron crosses threshold in the first step it integrates, so the
        // interval equals the refractory period exactly; v stays at v_reset meanwhile.
        let p = strong();
        let mut net = single(p, 0.1, p.v_reset);
        net.record_spikes(true);
        let mut last = None;
        for _ in 0..1000 {
            let s = net.step();
            if s.spikes == 1 {
                assert_eq!(net.v(0), p.v_reset);
                assert!(net.is_refractory(0));
                if let Some(l) = last {
                    assert_eq!(net.steps_done() - l, 50);
                }
                last = Some(net.steps_done());
            } else if last.is_some() {
                // held while refractory (the 50th step integrates and fires)
                assert_eq!(net.v(0), p.v_reset);
            }
        }
        assert_eq!(net.spikes().len(), 20);
        assert_eq!(net.spikes()[0].0, 0);
        // Refractory 0: fires every step.
        let p0 = LifParams {
            refractory: 0.0,
            ..p
        };
        let mut net = single(p0, 0.1, p0.v_reset);
        assert_eq!(net.run(100).spikes, 100);
    }

    #[test]
    fn refractory_neurons_still_receive_and_decay_input() {
        let p = cuba_neuron();
        let mut net = single(p, 0.1, -40.0); // above threshold: fires at step 0
        assert_eq!(net.step().spikes, 1);
        net.set_g(0, 2.0, -1.0);
        net.step();
        let pe = (-0.1f64 / 5.0).exp();
        let pi = (-0.1f64 / 10.0).exp();
        assert!((net.ge(0) - 2.0 * pe).abs() < 1e-6);
        assert!((net.gi(0) + pi).abs() < 1e-6);
        assert_eq!(net.v(0), p.v_reset);
    }

    #[test]
    fn a_spike_delivers_exactly_its_weights() {
        let n = 6;
        let p = LifParams {
            v_th: -40.0, // rest below threshold
            ..cuba_neuron()
        };
        let params = NetworkParams::uniform(n, 0.1, &p);
        let edges = [
            (0, 1, 1.5),
            (0, 2, -2.25),
            (0, 3, 0.5),
            (0, 3, 0.25), // two synapses onto one target add up
            (0, 0, 4.0),  // autapse
            (5, 4, 9.0),  // neuron 5 does not fire
        ];
        let conn = Connectivity::from_edges(n, edges).unwrap();
        assert_eq!(conn.out_degree(0), 5);
        let mut v0 = vec![p.v_rest; n];
        v0[0] = 0.0; // far above threshold: spikes in step 0
        let mut net = Network::new(&params, &conn, &v0).unwrap();
        let s = net.step();
        assert_eq!(
            s,
            RunStats {
                spikes: 1,
                synaptic_events: 5
            }
        );
        assert_eq!(net.fired(), &[0]);
        // Delivered after this step's decay: exactly the weights.
        assert_eq!(net.ge(1), 1.5);
        assert_eq!(net.gi(1), 0.0);
        assert_eq!(net.gi(2), -2.25);
        assert_eq!(net.ge(2), 0.0);
        assert_eq!(net.ge(3), 0.75);
        assert_eq!(net.ge(0), 4.0);
        assert_eq!((net.ge(4), net.gi(4), net.ge(5)), (0.0, 0.0, 0.0));
        // Nothing acted on v yet (v at rest stays at rest); from the next step it does.
        assert_eq!(net.v(1), p.v_rest);
        net.step();
        assert!(net.v(1) > p.v_rest && net.v(2) < p.v_rest);
        let ce = drive_coef(0.1, 20.0, 5.0);
        assert!((net.v(1) - (p.v_rest + 1.5 * ce)).abs() < 1e-5);
    }

    #[test]
    fn exact_integration_matches_the_closed_form() {
        // No threshold in reach: v(t) - v_rest = (u0 - A) e^(-t/tm) + A e^(-t/te),
        // A = ge0 te/(te - tm).
        let p = LifParams {
            v_th: 1e9,
            ..cuba_neuron()
        };
        let mut net = single(p, 0.1, -55.0);
        net.set_g(0, 3.0, 0.0);
        net.run(200);
        let t = 20.0;
        let a = 3.0 * 5.0 / (5.0 - 20.0);
        let want = p.v_rest + (-6.0 - a) * (-t / 20.0f64).exp() + a * (-t / 5.0f64).exp();
        assert!((net.v(0) - want).abs() < 1e-4, "{} vs {want}", net.v(0));
        // tau_e == tau_m limit is finite and right: u = ge0 (t/tm) e^(-t/tm).
        let q = LifParams {
            tau_e: 20.0,
            v_th: 1e9,
            ..cuba_neuron()
        };
        let mut net = single(q, 0.1, q.v_rest);
        net.set_g(0, 3.0, 0.0);
        net.run(200);
        let want = q.v_rest + 3.0 * (t / 20.0) * (-t / 20.0f64).exp();
        assert!((net.v(0) - want).abs() < 1e-4, "{} vs {want}", net.v(0));
    }

    /// A random recurrent network (per-neuron parameter spread) for the determinism tests.
    fn random_net(seed: u64, spread: bool) -> Network {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let n = 300;
        let mut params = NetworkParams::uniform(n, 0.1, &cuba_neuron());
        if spread {
            for i in 0..n {
                let mut q = params.neuron(i);
                q.tau_m *= 1.0 + 0.1 * (rng.random::<f64>() - 0.5);
                q.v_th += 0.2 * (rng.random::<f64>() - 0.5);
                q.refractory = 4.0 + 2.0 * rng.random::<f64>();
                params.set_neuron(i, &q);
            }
        }
        let mut edges = Vec::new();
        for pre in 0..n as u32 {
            for post in 0..n as u32 {
                if rng.random::<f64>() < 0.1 {
                    let w = if pre < 240 { 1.62 } else { -9.0 };
                    edges.push((pre, post, w));
                }
            }
        }
        let conn = Connectivity::from_edges(n, edges).unwrap();
        let v0: Vec<f64> = (0..n).map(|_| -60.0 + 10.0 * rng.random::<f64>()).collect();
        Network::new(&params, &conn, &v0).unwrap()
    }

    fn trace(mut net: Network, steps: u64) -> (Vec<(u64, u32)>, RunStats) {
        net.record_spikes(true);
        let stats = net.run(steps);
        (net.take_spikes(), stats)
    }

    #[test]
    fn deterministic_and_seed_sensitive() {
        let a = trace(random_net(7, true), 3000);
        let b = trace(random_net(7, true), 3000);
        assert_eq!(a, b);
        assert!(a.1.spikes > 100, "{:?}", a.1);
        let c = trace(random_net(8, true), 3000);
        assert_ne!(a.0, c.0);
    }

    #[test]
    fn all_kernels_give_identical_results() {
        for spread in [false, true] {
            let net = random_net(3, spread);
            assert_eq!(net.kernel() == Kernel::Uniform, !spread);
            let reference = trace(net.clone(), 3000);
            let mut per = net.clone();
            per.force_per_neuron_kernel();
            assert_eq!(trace(per, 3000), reference);
            let mut portable = net.clone();
            portable.force_portable();
            portable.force_per_neuron_kernel();
            assert_eq!(trace(portable, 3000), reference);
        }
    }

    #[test]
    fn clock_rebase_keeps_refractoriness() {
        let p = strong();
        let mut a = single(p, 0.1, p.v_reset);
        let mut b = a.clone();
        b.clock = CLOCK_REBASE - 1234; // rebases inside the run
        let sa = spike_steps(&mut a, 3000);
        let sb = spike_steps(&mut b, 3000);
        assert_eq!(sa, sb);
        assert!(b.clock < 3000);
    }

    #[test]
    fn bad_input_is_an_error() {
        let p = cuba_neuron();
        let mut params = NetworkParams::uniform(3, 0.1, &p);
        params.tau_m[1] = 0.0;
        let e = Network::new(&params, &Connectivity::empty(3), &[0.0; 3]).unwrap_err();
        assert!(e.to_string().contains("neuron 1"), "{e}");
        let params = NetworkParams::uniform(3, 0.1, &p);
        assert!(Network::new(&params, &Connectivity::empty(4), &[0.0; 3]).is_err());
        assert!(Network::new(&params, &Connectivity::empty(3), &[0.0; 2]).is_err());
        assert!(Connectivity::from_edges(3, [(0, 3, 1.0)]).is_err());
        assert!(Connectivity::from_edges(3, [(0, 1, f64::NAN)]).is_err());
        assert!(Connectivity::from_csr(2, vec![0, 2, 1], vec![0, 1], vec![1.0, 1.0]).is_err());
        let ok = Connectivity::from_csr(2, vec![0, 1, 2], vec![1, 0], vec![1.0, -1.0]).unwrap();
        assert_eq!(ok.targets(1), (&[0u32][..], &[-1.0f32][..]));
    }
}
