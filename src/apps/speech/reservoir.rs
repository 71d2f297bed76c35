//! The design's chips as a reservoir, simulated fast enough to train on thousands of
//! utterances: the behavioural chip models advance in steps of `STEP_CYCLES` clock cycles
//! instead of one, and the router is a table lookup instead of the cycle-exact FPGA model.
//! The input encoder is the FPGA model's own (bit-exact with the RTL). What the readout
//! makes of the recorded spikes is computed either from their binned counts (training) or by
//! replaying them into the cycle-exact FPGA model (`exact_decision`), which is what the RTL
//! does.

use crate::compiler::Rendered;
use crate::compiler::passes::Compiled;
use crate::device::neuron::NeuronParams;
use crate::model::chip::ChipModel;
use crate::model::digital::{Encoder, Params};
use crate::model::system::{self, RESET_CYCLES, SpikeReplay, Stimulus};

/// Chip time step of the fast simulation, in FPGA clock cycles (1 us at 50 MHz): short
/// against the neurons' interspike intervals at the input rates used (>= 5 us), so at most
/// one spike per neuron and step is lost to the coarser grid.
pub const STEP_CYCLES: u64 = 50;

/// Cycles from an event leaving a source (encoder register or chip request) to its arrival
/// at a chip or the readout counters: synchronizers plus router, as in the RTL without
/// contention (measured on the cycle-exact model).
const ROUTE_LATENCY: u64 = 4;

/// How an utterance is played to the hardware.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timing {
    /// Cycles between two samples presented to the encoder.
    pub sample_period: u64,
    /// Cycles each front-end frame is presented (its samples repeated).
    pub frame_cycles: u64,
}

/// A reservoir run: chip spikes as (cycle, global source address), in cycle order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spikes {
    pub events: Vec<(u64, u32)>,
    /// Synapse input events delivered to the chips.
    pub synapse_events: u64,
    /// Events per synapse input that received any: (chip, synapse input, events).
    pub input_events: Vec<(usize, u32, u64)>,
}

/// The chips of one design under one set of conditions (temperature, mismatch).
#[derive(Debug, Clone)]
pub struct Reservoir {
    chips: Vec<ChipModel>,
    /// Destinations (chip, synapse input) of every global source.
    routes: Vec<Vec<(usize, u32)>>,
    source_offsets: Vec<u32>,
    synapse_inputs: Vec<u32>,
    params: Params,
    dt: f64,
}

impl Reservoir {
    /// The nominal chips of `r` at `celsius`.
    pub fn new(r: &Rendered, celsius: f64) -> Reservoir {
        let c: &Compiled = &r.compiled;
        Reservoir {
            chips: system::chip_models(r, celsius),
            routes: c
                .routing
                .by_source
                .iter()
                .map(|d| d.iter().map(|d| (d.chip as usize, d.synapse)).collect())
                .collect(),
            source_offsets: c.layout.chips.iter().map(|l| l.source_offset).collect(),
            synapse_inputs: c.layout.chips.iter().map(|l| l.synapse_inputs).collect(),
            params: Params::new(c, &r.verilog),
            dt: STEP_CYCLES as f64 * 1e-6 / c.network.clock_mhz,
        }
    }

    /// Replaces the behavioural parameters of every neuron (`params[chip][neuron]`), e.g.
    /// with a mismatch draw.
    pub fn set_neuron_params(&mut self, params: &[Vec<NeuronParams>]) {
        for (chip, p) in self.chips.iter_mut().zip(params) {
            chip.params.clone_from(p);
        }
    }

    pub fn chips(&self) -> &[ChipModel] {
        &self.chips
    }

    pub fn neuron_params(&self) -> Vec<Vec<NeuronParams>> {
        self.chips.iter().map(|c| c.params.clone()).collect()
    }

    /// Plays `frames` (one row of encoder samples each) for `cycles` cycles and records the
    /// chips' spikes.
    pub fn run(&self, frames: &[Vec<u32>], timing: &Timing, cycles: u64) -> Spikes {
        let mut chips = self.chips.clone();
        let mut encoder = Encoder::new(self.params.channels);
        let mut out = Spikes::default();
        let mut per_input: Vec<Vec<u64>> = self
            .synapse_inputs
            .iter()
            .map(|&n| vec![0; n as usize])
            .collect();
        // Events due at each chip, by the step they arrive in.
        let mut due: Vec<Vec<u32>> = vec![Vec::new(); chips.len()];
        let mut next_due: Vec<Vec<u32>> = vec![Vec::new(); chips.len()];
        let steps = cycles.div_ceil(STEP_CYCLES);
        for step in 0..steps {
            let (start, end) = (step * STEP_CYCLES, (step + 1) * STEP_CYCLES);
            // Encoder samples presented in this step; their spikes arrive ROUTE_LATENCY later,
            // in this step or the next.
            let first = start.max(RESET_CYCLES);
            let mut c = first
                + (timing.sample_period - (first - RESET_CYCLES) % timing.sample_period)
                    % timing.sample_period;
            while c < end {
                let frame = ((c - RESET_CYCLES) / timing.frame_cycles) as usize;
                let Some(row) = frames.get(frame) else { break };
                encoder.clock(&self.params, false, true, row);
                let arrive = c + 1 + ROUTE_LATENCY;
                for (ch, _) in encoder.spikes().iter().enumerate().filter(|(_, s)| **s) {
                    let bucket = if arrive < end {
                        &mut due
                    } else {
                        &mut next_due
                    };
                    for &(chip, syn) in &self.routes[ch] {
                        bucket[chip].push(syn);
                    }
                }
                c += timing.sample_period;
            }
            let fire_cycle = end - 1;
            for k in 0..chips.len() {
                let events = std::mem::take(&mut due[k]);
                out.synapse_events += events.len() as u64;
                for &e in &events {
                    per_input[k][e as usize] += 1;
                }
                for s in chips[k].step(self.dt, &events) {
                    let global = self.source_offsets[k] + s;
                    out.events.push((fire_cycle, global));
                    for &(chip, syn) in &self.routes[global as usize] {
                        next_due[chip].push(syn);
                    }
                }
            }
            std::mem::swap(&mut due, &mut next_due);
        }
        out.input_events = per_input
            .iter()
            .enumerate()
            .flat_map(|(k, v)| {
                v.iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(move |(syn, &n)| (k, syn as u32, n))
            })
            .collect();
        out
    }
}

/// Spike counts per readout bin and feature (`bins * features`, bin-major), saturated at
/// the readout counters' width, as the readout would latch them if every spike reached it
/// ROUTE_LATENCY cycles after it fired.
pub fn binned_counts(p: &Params, bins: usize, spikes: &Spikes) -> Vec<u32> {
    let nfeat = p.features.len();
    let mut feature_of = vec![None; p.nsrc];
    for (f, &s) in p.features.iter().enumerate() {
        feature_of[s as usize] = Some(f);
    }
    let max = (1u32 << p.cnt_w) - 1;
    let mut counts = vec![0u32; bins * nfeat];
    for &(cycle, src) in &spikes.events {
        let Some(f) = feature_of[src as usize] else {
            continue;
        };
        let seen = cycle + ROUTE_LATENCY;
        let Some(rel) = seen.checked_sub(RESET_CYCLES) else {
            continue;
        };
        let bin = (rel / p.window as u64) as usize;
        if bin < bins {
            let c = &mut counts[bin * nfeat + f];
            *c = (*c + 1).min(max);
        }
    }
    counts
}

/// Cycles one utterance occupies: reset, `bins` windows, and the last bin's scoring, with a
/// few cycles spare so the decision is out before the next recording's reset.
pub fn utterance_cycles(p: &Params, bins: usize) -> u64 {
    const SPARE_CYCLES: u64 = 4;
    RESET_CYCLES
        + bins as u64 * p.window as u64
        + crate::compiler::ir::scoring_cycles(p.classes, p.features.len() as u32)
        + SPARE_CYCLES
}

/// The readout's decision on recorded spikes, computed by the cycle-exact FPGA model with
/// the chips replaying them (the RTL's decision, bit for bit). Also returns the run, whose
/// inputs are recorded when `record_inputs` (the stimulus for `sim rtl`).
pub fn exact_run(
    r: &Rendered,
    frames: &[Vec<u32>],
    timing: &Timing,
    spikes: &Spikes,
    cycles: u64,
    record_inputs: bool,
) -> system::SystemRun {
    let c = &r.compiled;
    let mut replays: Vec<Vec<(u64, u32)>> = vec![Vec::new(); c.layout.chips.len()];
    for &(cycle, src) in &spikes.events {
        let k = c
            .layout
            .chips
            .iter()
            .rposition(|l| l.source_offset <= src)
            .expect("chip sources follow the encoder channels");
        replays[k].push((cycle, src - c.layout.chips[k].source_offset));
    }
    let mut chips: Vec<SpikeReplay> = replays.into_iter().map(SpikeReplay::new).collect();
    let per_frame = (timing.frame_cycles / timing.sample_period) as usize;
    let samples: Vec<Vec<u32>> = frames
        .iter()
        .flat_map(|row| std::iter::repeat_n(row.clone(), per_frame))
        .collect();
    system::simulate_with(
        r,
        &mut chips,
        &Stimulus {
            samples: &samples,
            sample_period: timing.sample_period,
            cycles,
            record_inputs,
        },
    )
}
