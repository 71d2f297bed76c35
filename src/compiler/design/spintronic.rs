//! The design format of a spintronic learning network (designs/spintronic/spintronic_stdp.yaml): one
//! stochastic spintronic neuron, N STDP synapses and the FPGA core that applies the updates,
//! on a task of a spike pattern hidden in noise. Device physics live in the device card it
//! names; this file holds the network and the task.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpinDesign {
    pub name: String,
    /// The device card, relative to the design file [default: the bundled afm_fm card].
    pub card: Option<PathBuf>,
    pub network: SpinNetwork,
    pub task: PatternTask,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpinNetwork {
    /// Input synapses (afferents) onto the neuron.
    pub inputs: u32,
    /// The core's time step (ms): one pass over every synapse.
    pub tick_ms: f64,
    /// Neuron state one input spike through a full-conductance synapse adds, as a fraction
    /// of the card's per-pulse increment.
    pub drive: f64,
    /// Initial conductance of every synapse, as a fraction of its range.
    pub initial_weight: f64,
    /// Seed of the neuron's random draws and of the mismatch draws.
    pub seed: u64,
}

/// Poisson inputs with a frozen pattern repeated at random times (Masquelier, Guyonneau and
/// Thorpe 2008): the pattern's inputs fire at the same rate inside it as outside.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternTask {
    /// Rate of every input (Hz), inside and outside the pattern.
    pub rate_hz: f64,
    /// Extra spontaneous spikes on every input, also during the pattern (Hz).
    pub jitter_noise_hz: f64,
    /// Length of the pattern (ms).
    pub pattern_ms: f64,
    /// Fraction of the inputs that take part in the pattern.
    pub pattern_inputs: f64,
    /// Fraction of the pattern-long slots that hold the pattern (never two in a row).
    pub pattern_share: f64,
    /// Seconds of training, and of the test after it (learning off).
    pub train_s: f64,
    pub test_s: f64,
    /// Seed of the pattern and of the input streams.
    pub seed: u64,
}
