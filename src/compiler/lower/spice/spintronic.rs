//! Decks of the spintronic devices (templates/spice/spin_*.cir): the macro-models themselves
//! (`spin_neuron`, `spin_synapse` in spin_cells.cir, also written by a build), a Monte-Carlo
//! of neuron trials under one pulse train, and the STDP window of the synapse, one pulse pair
//! per instance. Callers hand in the physics as rate constants and the random draws as
//! per-pulse switching thresholds; this module only lays them out.

use super::cells::Saved;
use super::{Signal, num};

/// Every deck's tolerances: behavioural sources only, but the STDP window is compared to
/// 2 % down to e^-5 of its peak, so the integration is kept tight.
pub const SPIN_RELTOL: f64 = 1e-6;

/// Rise and fall time of every pulse (s): short against the pulses, so that a pulse's
/// integral is its nominal width (the flat top is shortened by one edge).
pub const SPIN_EDGE: f64 = 1e-8;

/// Parameters of the `spin_neuron` subckt.
#[derive(Debug, Clone)]
pub struct NeuronMacro {
    /// State units per second injected while the input is on (increment / pulse width).
    pub inc_rate: String,
    pub tau: String,
    /// How fast the magnetization latches once the state exceeds the threshold (1/s).
    pub latch_rate: String,
    /// How fast a switched device's state is pulled to 0 (1/s).
    pub reset_rate: String,
}

impl NeuronMacro {
    pub fn new(increment: f64, width: f64, tau: f64) -> NeuronMacro {
        NeuronMacro {
            inc_rate: num(increment / width),
            tau: num(tau),
            latch_rate: num(1e3 / READ_WINDOW),
            reset_rate: num(1e3 / width),
        }
    }
}

/// Parameters of the `spin_synapse` subckt.
#[derive(Debug, Clone)]
pub struct SynapseMacro {
    pub trace_rate: String,
    pub k_plus: String,
    pub k_minus: String,
    pub k_post: String,
    pub tau_plus: String,
    pub tau_minus: String,
    pub retention: String,
}

impl SynapseMacro {
    /// `rates`: trace rate, k_plus, k_minus, k_post.
    pub fn new(rates: [f64; 4], tau_plus: f64, tau_minus: f64, retention: f64) -> SynapseMacro {
        SynapseMacro {
            trace_rate: num(rates[0]),
            k_plus: num(rates[1]),
            k_minus: num(rates[2]),
            k_post: num(rates[3]),
            tau_plus: num(tau_plus),
            tau_minus: num(tau_minus),
            retention: num(retention),
        }
    }
}

/// The read window after each input pulse during which a device whose state exceeds its
/// threshold latches (s); the latch settles within 1/1000 of it.
pub const READ_WINDOW: f64 = 1e-6;

/// Longest time step of a neuron deck (s): the state must reach each pulse's read within
/// about 1e-6 of the model (a draw closer to the state than that is a coin toss).
pub const NEURON_TMAX: f64 = 1e-5;

/// One trial: its own device, with one switching threshold per pulse as a PWL source.
#[derive(Debug, Clone)]
pub struct NeuronTrial {
    pub index: usize,
    pub thresholds: String,
}

/// `trials.len()` neuron devices under one shared train of `pulses` pulses.
#[derive(Debug, Clone)]
pub struct NeuronMonteCarlo {
    pub cell: NeuronMacro,
    pub period: String,
    pub width_flat: String,
    pub edge: String,
    pub window_at: String,
    pub window_flat: String,
    pub pulses: usize,
    pub trials: Vec<NeuronTrial>,
    pub reltol: String,
    /// The grid the saved data is interpolated to (a quarter period: the magnetization is
    /// read once after every pulse's window).
    pub tstep: String,
    pub tmax: String,
    pub tstop: String,
    pub saved: Saved,
}

/// The magnetization node of trial `k`, as the deck saves it.
pub fn trial_signal(k: usize) -> Signal {
    Signal::v(format!("m{k}"))
}

/// A neuron Monte-Carlo deck: pulses of `width` every `period`, each trial's device switching
/// at pulse j when its state exceeds `thresholds[trial][j]`.
pub fn neuron_monte_carlo(
    cell: NeuronMacro,
    width: f64,
    period: f64,
    thresholds: &[Vec<f64>],
) -> NeuronMonteCarlo {
    let pulses = thresholds.first().map_or(0, Vec::len);
    let trials = thresholds
        .iter()
        .enumerate()
        .map(|(index, th)| NeuronTrial {
            index,
            thresholds: staircase(th, period, width),
        })
        .collect();
    let signals = (0..thresholds.len()).map(trial_signal).collect();
    NeuronMonteCarlo {
        cell,
        period: num(period),
        width_flat: num(width - SPIN_EDGE),
        edge: num(SPIN_EDGE),
        // After the fall edge: the pulse has delivered all its charge.
        window_at: num(width + SPIN_EDGE),
        window_flat: num(READ_WINDOW - SPIN_EDGE),
        pulses,
        trials,
        reltol: num(SPIN_RELTOL),
        tstep: num(period / 4.0),
        tmax: num(NEURON_TMAX),
        tstop: num(pulses as f64 * period),
        saved: Saved::new("neuron_mc.dat", signals),
    }
}

/// A PWL source holding `values[j]` through pulse j (pulses every `period`, changing
/// half-way through each gap).
fn staircase(values: &[f64], period: f64, width: f64) -> String {
    let mut points = vec![format!("0 {}", num(values[0]))];
    for (j, pair) in values.windows(2).enumerate() {
        let at = j as f64 * period + (period + width) / 2.0;
        points.push(format!("{} {}", num(at), num(pair[0])));
        points.push(format!("{} {}", num(at + SPIN_EDGE), num(pair[1])));
    }
    points.join(" ")
}

/// One synapse under one pre/post pulse pair.
#[derive(Debug, Clone)]
pub struct StdpPair {
    pub index: usize,
    pub pre_at: String,
    pub post_at: String,
}

#[derive(Debug, Clone)]
pub struct StdpWindow {
    pub cell: SynapseMacro,
    pub g0: String,
    pub width_flat: String,
    pub edge: String,
    /// Longer than the run: each source pulses once.
    pub period: String,
    pub pairs: Vec<StdpPair>,
    pub reltol: String,
    /// Only the final conductance counts: ten saved points.
    pub tstep: String,
    pub tmax: String,
    pub tstop: String,
    pub saved: Saved,
}

/// The normalised conductance node of pair `k`, as the deck saves it.
pub fn pair_signal(k: usize) -> Signal {
    Signal::v(format!("g{k}"))
}

/// A deck of one synapse per timing difference in `dts` (post start minus pre start, s),
/// and one last synapse that gets a post pulse alone (`pair_signal(dts.len())`), every
/// synapse starting at conductance `g0` (normalised); the earlier pulse of every pair
/// starts at `lead`.
pub fn stdp_window(cell: SynapseMacro, g0: f64, width: f64, lead: f64, dts: &[f64]) -> StdpWindow {
    let longest = dts.iter().fold(0.0f64, |m, dt| m.max(dt.abs()));
    let tstop = 2.0 * lead + longest + width;
    let mut pairs: Vec<StdpPair> = dts
        .iter()
        .enumerate()
        .map(|(index, &dt)| StdpPair {
            index,
            pre_at: num(lead + (-dt).max(0.0)),
            post_at: num(lead + dt.max(0.0)),
        })
        .collect();
    // The pre pulse of the lone post pulse comes after the run ends.
    pairs.push(StdpPair {
        index: dts.len(),
        pre_at: num(2.0 * tstop),
        post_at: num(lead),
    });
    StdpWindow {
        cell,
        g0: num(g0),
        width_flat: num(width - SPIN_EDGE),
        edge: num(SPIN_EDGE),
        period: num(4.0 * tstop),
        pairs,
        reltol: num(SPIN_RELTOL),
        tstep: num(tstop / 10.0),
        tmax: num(lead / 10.0),
        tstop: num(tstop),
        saved: Saved::new("stdp.dat", (0..=dts.len()).map(pair_signal).collect()),
    }
}
