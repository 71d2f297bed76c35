//! The device macro-models in ngspice against the behavioural model.
//!
//! Neuron: `trials` devices per pulse period, each with one uniform draw per pulse (seeded
//! ChaCha, handed to the netlist as switching thresholds); the count switched by each pulse
//! is compared with the model's probability (its 95 % binomial interval) and, trial by
//! trial, with the model run on the same draws. Synapse: one pulse pair per timing
//! difference, the conductance change compared with the model's window.

use crate::compiler::emit::deck;
use crate::compiler::lower::spice::spintronic::{
    NeuronMacro, SynapseMacro, neuron_monte_carlo, pair_signal, stdp_window, trial_signal,
};
use crate::device::mismatch::mix;
use crate::device::spintronic::{DeviceCard, SpinNeuron, SpinSynapse};
use crate::support::error::Result;
use crate::support::parallel::parallel;
use crate::support::stats::binomial_interval;
use crate::tools::ngspice;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The neuron experiment: pulse periods, pulses per train, trials per period.
#[derive(Debug, Clone)]
pub struct NeuronExperiment {
    pub periods_s: Vec<f64>,
    pub pulses: usize,
    pub trials: usize,
    pub seed: u64,
}

impl Default for NeuronExperiment {
    fn default() -> Self {
        NeuronExperiment {
            periods_s: vec![2e-3, 3e-3, 4e-3],
            pulses: 16,
            trials: 200,
            seed: 1,
        }
    }
}

/// One point of a switching-probability curve.
#[derive(Debug, Clone, Serialize)]
pub struct SwitchPoint {
    pub period_s: f64,
    pub pulses: usize,
    /// The model's probability of having switched by this pulse.
    pub model: f64,
    /// Its 95 % binomial interval for `trials` devices (counts).
    pub interval: (u32, u32),
    /// Devices switched by this pulse in ngspice, and in the model on the same draws.
    pub spice: u32,
    pub model_trials: u32,
    pub trials: usize,
}

impl SwitchPoint {
    pub fn inside(&self) -> bool {
        (self.interval.0..=self.interval.1).contains(&self.spice)
    }
}

/// A neuron period's result: its points and how many trials switched at a different pulse
/// in ngspice than in the model on the same draws.
#[derive(Debug, Clone, Serialize)]
pub struct SwitchCurve {
    pub period_s: f64,
    pub points: Vec<SwitchPoint>,
    pub trial_disagreements: usize,
}

/// The uniform draws of one trial: one per pulse, from its own generator.
fn trial_draws(seed: u64, period: usize, trial: usize, pulses: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, period as u64, trial as u64));
    // In (0, 1): a draw of exactly 0 would be an infinite threshold.
    (0..pulses)
        .map(|_| rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12))
        .collect()
}

/// Switching curves of the card's neuron in ngspice and in the model, one deck per period
/// run on `workers` threads.
pub fn neuron_curves(
    card: &DeviceCard,
    e: &NeuronExperiment,
    workers: usize,
) -> Result<Vec<SwitchCurve>> {
    let neuron = SpinNeuron::new(&card.neuron);
    let indexed: Vec<(usize, f64)> = e.periods_s.iter().copied().enumerate().collect();
    parallel(&indexed, workers, |&(k, period)| {
        neuron_curve(&neuron, e, k, period)
    })
    .into_iter()
    .collect()
}

fn neuron_curve(
    neuron: &SpinNeuron,
    e: &NeuronExperiment,
    k: usize,
    period: f64,
) -> Result<SwitchCurve> {
    let draws: Vec<Vec<f64>> = (0..e.trials)
        .map(|t| trial_draws(e.seed, k, t, e.pulses))
        .collect();
    let thresholds: Vec<Vec<f64>> = draws
        .iter()
        .map(|d| d.iter().map(|&u| neuron.threshold(u)).collect())
        .collect();
    let cell = NeuronMacro::new(neuron.increment, neuron.pulse_width_s, neuron.leak_tau_s);
    let view = neuron_monte_carlo(cell, neuron.pulse_width_s, period, &thresholds);
    let w = ngspice::run(&deck::spin_neuron_mc(&view)?)?;
    let t = w.time();
    let mut spice_pulse = Vec::with_capacity(e.trials);
    for trial in 0..e.trials {
        let m = w.get(&trial_signal(trial))?;
        // The first sample after a read window that finds the device switched; samples
        // fall every quarter period, so the pulse is the one that started last before it.
        let pulse = m
            .iter()
            .position(|&v| v > 0.5)
            .map(|s| (t[s] / period - 1e-6).floor() as usize + 1);
        spice_pulse.push(pulse);
    }
    let model_pulse: Vec<Option<usize>> = draws.iter().map(|d| neuron.trial(d, period)).collect();
    let by = |pulses: &[Option<usize>], n: usize| {
        pulses.iter().filter(|p| p.is_some_and(|p| p <= n)).count() as u32
    };
    let probability = neuron.switched_by(e.pulses, period);
    let points = (1..=e.pulses)
        .map(|n| SwitchPoint {
            period_s: period,
            pulses: n,
            model: probability[n - 1],
            interval: binomial_interval(e.trials as u32, probability[n - 1], 0.95),
            spice: by(&spice_pulse, n),
            model_trials: by(&model_pulse, n),
            trials: e.trials,
        })
        .collect();
    let trial_disagreements = spice_pulse
        .iter()
        .zip(&model_pulse)
        .filter(|(a, b)| a != b)
        .count();
    Ok(SwitchCurve {
        period_s: period,
        points,
        trial_disagreements,
    })
}

/// One point of the STDP window.
#[derive(Debug, Clone, Serialize)]
pub struct WindowPoint {
    /// Post pulse start minus pre pulse start (s).
    pub dt_s: f64,
    /// Timing-dependent change of the normalised conductance (the pair's change minus that
    /// of a post pulse alone) in the model and in ngspice.
    pub model: f64,
    pub spice: f64,
}

impl WindowPoint {
    pub fn relative_error(&self) -> f64 {
        (self.spice - self.model).abs() / self.model.abs()
    }
}

/// The STDP window, and the change of a post pulse alone (model: -a_post).
#[derive(Debug, Clone, Serialize)]
pub struct StdpWindowRun {
    pub points: Vec<WindowPoint>,
    pub post_alone_model: f64,
    pub post_alone_spice: f64,
}

/// The timing differences of the window: `per_side` on each side, from one pulse width to
/// five time constants, evenly spaced.
pub fn window_dts(card: &DeviceCard, per_side: usize) -> Vec<f64> {
    let s = SpinSynapse::new(&card.synapse);
    let side = |tau: f64| -> Vec<f64> {
        let (from, to) = (s.pulse_width_s, 5.0 * tau);
        (0..per_side)
            .map(|k| from + (to - from) * k as f64 / (per_side - 1).max(1) as f64)
            .collect()
    };
    let mut dts: Vec<f64> = side(s.tau_minus_s).into_iter().map(|d| -d).rev().collect();
    dts.extend(side(s.tau_plus_s));
    dts
}

/// Conductance normalised start of every pair: mid-range, so no change reaches a bound.
pub const WINDOW_G0: f64 = 0.5;

/// The card's STDP window in ngspice and in the model at `dts`. The retention (1e6 s on the
/// bundled card) moves g by a relative 1e-7 over the run and is left out of the comparison.
pub fn stdp_window_points(card: &DeviceCard, dts: &[f64]) -> Result<StdpWindowRun> {
    let s = SpinSynapse::new(&card.synapse);
    let r = s.rates();
    let cell = SynapseMacro::new(
        [r.trace_rate, r.k_plus, r.k_minus, r.k_post],
        s.tau_plus_s,
        s.tau_minus_s,
        s.retention_s,
    );
    let lead = 1e-3;
    let view = stdp_window(cell, WINDOW_G0, s.pulse_width_s, lead, dts);
    let w = ngspice::run(&deck::spin_stdp(&view)?)?;
    let end = |k: usize| -> Result<f64> {
        let g = w.get(&pair_signal(k))?;
        Ok(g.last().copied().unwrap_or(WINDOW_G0))
    };
    let post_alone = end(dts.len())?;
    let points = dts
        .iter()
        .enumerate()
        .map(|(k, &dt)| {
            Ok(WindowPoint {
                dt_s: dt,
                model: s.window(dt),
                spice: end(k)? - post_alone,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StdpWindowRun {
        points,
        post_alone_model: s.after_post(WINDOW_G0) - WINDOW_G0,
        post_alone_spice: post_alone - WINDOW_G0,
    })
}
