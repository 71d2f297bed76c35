//! A whole design in Rust, from input samples to class decisions: the cycle-exact FPGA model
//! exchanging four-phase AER handshakes with the analog chips. The chips are either
//! behavioural models (`ChipModel`, closed loop) or a replay of spikes recorded elsewhere
//! (`SpikeReplay`, e.g. by the fast reservoir simulation), which is how the readout's
//! decisions on a recorded reservoir run are computed exactly as the RTL computes them.

use super::chip::ChipModel;
use super::digital::{ChipInputs, Inputs, Params, SystemModel};
use crate::compiler::Rendered;
use std::collections::{BTreeSet, VecDeque};

/// Cycles the FPGA is held in reset at the start of a run; the first sample is presented and
/// the readout's first window starts right after.
pub const RESET_CYCLES: u64 = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub cycle: u64,
    pub class: u32,
    /// Raw two's-complement score bits.
    pub score: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemRun {
    pub cycles: u64,
    pub decisions: Vec<Decision>,
    /// Spikes fired by each chip (neurons and tile columns).
    pub chip_spikes: Vec<u64>,
    /// Synapse events the chips received from the router.
    pub synapse_events: u64,
    /// Chip spikes lost because a chip's AER output queue was full.
    pub dropped_spikes: u64,
    /// The top-level inputs of every cycle, when asked for (a stimulus for `sim rtl`).
    pub inputs: Vec<Inputs>,
}

/// Deepest AER output queue of a chip before spikes are dropped (an arbiter's buffer).
pub const CHIP_QUEUE_DEPTH: usize = 64;

/// The analog side of one chip as the FPGA sees it.
pub trait ChipSide {
    /// Advances the chip through clock cycle `cycle` (`dt` seconds) with the synapse input
    /// addresses delivered since the last call; returns the source addresses that fired.
    fn step(&mut self, cycle: u64, dt: f64, events: &[u32]) -> Vec<u32>;
}

impl ChipSide for ChipModel {
    fn step(&mut self, _cycle: u64, dt: f64, events: &[u32]) -> Vec<u32> {
        ChipModel::step(self, dt, events)
    }
}

/// A chip that fires recorded spikes, (cycle, source address) in cycle order, and ignores
/// its inputs.
#[derive(Debug, Clone, Default)]
pub struct SpikeReplay {
    spikes: Vec<(u64, u32)>,
    next: usize,
}

impl SpikeReplay {
    pub fn new(mut spikes: Vec<(u64, u32)>) -> SpikeReplay {
        spikes.sort_unstable();
        SpikeReplay { spikes, next: 0 }
    }
}

impl ChipSide for SpikeReplay {
    fn step(&mut self, cycle: u64, _dt: f64, _events: &[u32]) -> Vec<u32> {
        let mut fired = Vec::new();
        while let Some(&(c, s)) = self.spikes.get(self.next).filter(|(c, _)| *c <= cycle) {
            debug_assert!(c == cycle, "replayed spikes are visited cycle by cycle");
            fired.push(s);
            self.next += 1;
        }
        fired
    }
}

/// Synapse input addresses of chip `k` that some route reaches.
pub fn routed_inputs(r: &Rendered, k: usize) -> BTreeSet<u32> {
    r.compiled
        .routing
        .by_source
        .iter()
        .flatten()
        .filter(|d| d.chip as usize == k)
        .map(|d| d.synapse)
        .collect()
}

/// Behavioural models of every chip of a design at its nominal supply and temperature.
pub fn chip_models(r: &Rendered, celsius: f64) -> Vec<ChipModel> {
    let net = &r.compiled.network;
    net.chips
        .iter()
        .enumerate()
        .map(|(k, c)| ChipModel::new(c, net.vdd, celsius, &routed_inputs(r, k)))
        .collect()
}

/// What the FPGA's host drives: sample rows presented every `sample_period` cycles after the
/// reset, for `cycles` cycles in all.
#[derive(Debug, Clone, Copy)]
pub struct Stimulus<'a> {
    pub samples: &'a [Vec<u32>],
    pub sample_period: u64,
    pub cycles: u64,
    /// Keep every cycle's inputs in `SystemRun::inputs`.
    pub record_inputs: bool,
}

/// Simulates the design with its behavioural chips; see `simulate_with`.
pub fn simulate(r: &Rendered, samples: &[Vec<u32>], sample_period: u64, cycles: u64) -> SystemRun {
    let mut chips = chip_models(r, r.compiled.network.temperature);
    simulate_with(
        r,
        &mut chips,
        &Stimulus {
            samples,
            sample_period,
            cycles,
            record_inputs: false,
        },
    )
}

/// Simulates `stimulus.cycles` FPGA clock cycles. Row k of the samples is presented with
/// in_valid at cycle RESET_CYCLES + k * sample_period; the chips advance one clock period
/// per cycle.
pub fn simulate_with<C: ChipSide>(r: &Rendered, chips: &mut [C], stimulus: &Stimulus) -> SystemRun {
    let net = &r.compiled.network;
    let params = Params::new(&r.compiled, &r.verilog);
    let mut fpga = SystemModel::new(params.clone());
    let dt = 1e-6 / net.clock_mhz;
    let n = chips.len();
    let mut queues = vec![VecDeque::new(); n];
    let mut wires = vec![ChipInputs::default(); n];
    let mut delivered: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut run = SystemRun {
        cycles: stimulus.cycles,
        chip_spikes: vec![0; n],
        ..SystemRun::default()
    };
    let idle = vec![0; params.channels];
    let mut last = fpga.outputs();
    for cycle in 0..stimulus.cycles {
        let views = params.chip_views(&last);
        for k in 0..n {
            let fired = chips[k].step(cycle, dt, &std::mem::take(&mut delivered[k]));
            run.chip_spikes[k] += fired.len() as u64;
            for s in fired {
                if queues[k].len() < CHIP_QUEUE_DEPTH {
                    queues[k].push_back(s);
                } else {
                    run.dropped_spikes += 1;
                }
            }
            let (w, out) = (&mut wires[k], views[k]);
            if w.req && out.ack {
                w.req = false;
            } else if !w.req
                && !out.ack
                && let Some(s) = queues[k].pop_front()
            {
                w.req = true;
                w.addr = s;
            }
            if out.syn_req && !w.syn_ack {
                w.syn_ack = true;
                delivered[k].push(out.syn_addr);
                run.synapse_events += 1;
            } else if !out.syn_req && w.syn_ack {
                w.syn_ack = false;
            }
        }
        let sample = cycle
            .checked_sub(RESET_CYCLES)
            .filter(|c| c % stimulus.sample_period == 0)
            .and_then(|c| stimulus.samples.get((c / stimulus.sample_period) as usize));
        let inputs = Inputs {
            rst: cycle < RESET_CYCLES,
            in_valid: sample.is_some(),
            samples: sample.unwrap_or(&idle).clone(),
            chips: params.bus_inputs(&wires, &last),
        };
        last = fpga.cycle(&inputs);
        if stimulus.record_inputs {
            run.inputs.push(inputs);
        }
        if last.class_valid {
            run.decisions.push(Decision {
                cycle,
                class: last.class_out,
                score: last.class_score,
            });
        }
    }
    run
}
