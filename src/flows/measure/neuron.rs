//! One neuron in ngspice under a current step: spike times, rate, first-spike latency,
//! spike width, threshold and energy per spike.

use crate::compiler::emit::deck;
use crate::compiler::lower::spice::cells::{NeuronStepSignals, STEP_AT, neuron_step};
use crate::device::mismatch::Draw;
use crate::device::process::NeuronMode;
use crate::support::error::{Result, ToolError};
use crate::tools::ngspice::{self, Waveforms};
use serde::Serialize;

/// The operating point energy per spike is quoted at (nA).
pub const REFERENCE_CURRENT_NA: f64 = 1.0;
/// Spikes a run aims for: enough intervals for a stable mean and energy.
const TARGET_SPIKES: f64 = 12.0;

/// One ngspice run of one neuron at one current and temperature.
#[derive(Debug, Clone, Serialize)]
pub struct NeuronPoint {
    pub current_na: f64,
    pub temperature_c: f64,
    pub simulated_us: f64,
    pub spikes: usize,
    /// Spike onsets (s): the spike output rising through VDD/2.
    pub spike_times_s: Vec<f64>,
    pub rate_hz: f64,
    pub first_spike_s: Option<f64>,
    pub spike_width_ns: Option<f64>,
    /// Membrane voltage where the spike output starts to rise (10 % of VDD).
    pub threshold_v: Option<f64>,
    /// Supply energy over whole interspike intervals divided by their number.
    pub energy_per_spike_fj: Option<f64>,
}

/// Transient length (s) for about TARGET_SPIKES spikes at `current` (regular-mode charge of
/// ~31 fC per spike), between 100 us and 2 ms.
pub fn transient_for(current: f64) -> f64 {
    (TARGET_SPIKES * 31e-15 / current).clamp(100e-6, 2e-3)
}

/// Simulates one neuron of `mode` at `current` (A) and `celsius`; with `mismatch`, the
/// instance of that draw.
pub fn measure_neuron(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    current: f64,
    celsius: f64,
    mismatch: Option<&Draw>,
) -> Result<NeuronPoint> {
    let deck = neuron_deck(mode_name, mode, vdd, current, celsius, mismatch)?;
    run_neuron_deck(&deck, vdd, current, celsius)
}

/// Runs a deck of `neuron_deck` (possibly edited) and measures its spikes.
pub fn run_neuron_deck(
    deck: &deck::Deck,
    vdd: f64,
    current: f64,
    celsius: f64,
) -> Result<NeuronPoint> {
    let w = ngspice::run(deck)?;
    Ok(measure(&w, vdd, current, celsius, transient_for(current))?)
}

/// The deck `measure_neuron` runs.
pub fn neuron_deck(
    mode_name: &str,
    mode: &NeuronMode,
    vdd: f64,
    current: f64,
    celsius: f64,
    mismatch: Option<&Draw>,
) -> Result<deck::Deck> {
    let view = neuron_step(
        mode_name,
        mode,
        vdd,
        current,
        celsius,
        transient_for(current),
        mismatch,
    );
    Ok(deck::neuron_step(&view)?)
}

fn measure(
    w: &Waveforms,
    vdd: f64,
    current: f64,
    celsius: f64,
    tstop: f64,
) -> std::result::Result<NeuronPoint, ToolError> {
    let signals = NeuronStepSignals::new();
    let onsets: Vec<f64> = w
        .rising_crossings(&signals.spk, vdd / 2.0)?
        .into_iter()
        .map(|t| t - STEP_AT)
        .collect();
    let t = w.time();
    let (spk, vmem, supply) = (
        w.get(&signals.spk)?,
        w.get(&signals.vmem)?,
        w.get(&signals.supply)?,
    );
    let index_at = |time: f64| t.partition_point(|&x| x < time + STEP_AT).min(t.len() - 1);
    let widths: Vec<f64> = onsets
        .iter()
        .filter_map(|&on| {
            let i = index_at(on);
            (i..spk.len())
                .find(|&k| spk[k] < vdd / 2.0)
                .map(|k| t[k] - STEP_AT - on)
        })
        .collect();
    let thresholds: Vec<f64> = onsets
        .iter()
        .filter_map(|&on| {
            let i = index_at(on);
            (0..i).rev().find(|&k| spk[k] < 0.1 * vdd).map(|k| vmem[k])
        })
        .collect();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (rate, energy) = if onsets.len() >= 3 {
        let (a, b) = (onsets[1], onsets[onsets.len() - 1]);
        let intervals = (onsets.len() - 2) as f64;
        let (ia, ib) = (index_at(a), index_at(b));
        let energy: f64 = (ia..ib)
            .map(|k| 0.5 * (-supply[k] - supply[k + 1]) * vdd * (t[k + 1] - t[k]))
            .sum();
        (intervals / (b - a), Some(energy / intervals * 1e15))
    } else {
        (0.0, None)
    };
    Ok(NeuronPoint {
        current_na: current * 1e9,
        temperature_c: celsius,
        simulated_us: tstop * 1e6,
        spikes: onsets.len(),
        rate_hz: rate,
        first_spike_s: onsets.first().copied(),
        spike_width_ns: mean(&widths).map(|x| x * 1e9),
        threshold_v: mean(&thresholds),
        energy_per_spike_fj: energy,
        spike_times_s: onsets,
    })
}
