//! A whole design in Rust, from input samples to class decisions: the cycle-exact FPGA model
//! exchanging four-phase AER handshakes with behavioural models of the analog chips.

use super::chip::ChipModel;
use super::digital::{ChipInputs, Inputs, Params, SystemModel};
use crate::build::Rendered;
use std::collections::VecDeque;

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
}

/// Deepest AER output queue of a chip before spikes are dropped (an arbiter's buffer).
pub const CHIP_QUEUE_DEPTH: usize = 64;

/// Simulates `cycles` FPGA clock cycles. Every `sample_period` cycles the next row of
/// `samples` (one value per encoder channel) is presented with in_valid; the chips advance
/// in steps of one clock period.
pub fn simulate(r: &Rendered, samples: &[Vec<u32>], sample_period: u64, cycles: u64) -> SystemRun {
    let net = &r.compiled.network;
    let params = Params::new(&r.compiled, &r.verilog);
    let mut fpga = SystemModel::new(params.clone());
    let mut chips: Vec<ChipModel> = net
        .chips
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let routed = r
                .compiled
                .routing
                .by_source
                .iter()
                .flatten()
                .filter(|d| d.chip as usize == k)
                .map(|d| d.synapse)
                .collect();
            ChipModel::new(c, net.vdd, net.temperature, &routed)
        })
        .collect();
    let dt = 1e-6 / net.clock_mhz;
    let n = chips.len();
    let mut queues = vec![VecDeque::new(); n];
    let mut wires = vec![ChipInputs::default(); n];
    let mut delivered: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut run = SystemRun {
        cycles,
        chip_spikes: vec![0; n],
        ..SystemRun::default()
    };
    let mut last = fpga.outputs();
    for cycle in 0..cycles {
        for k in 0..n {
            let fired = chips[k].step(dt, &std::mem::take(&mut delivered[k]));
            run.chip_spikes[k] += fired.len() as u64;
            for s in fired {
                if queues[k].len() < CHIP_QUEUE_DEPTH {
                    queues[k].push_back(s);
                } else {
                    run.dropped_spikes += 1;
                }
            }
            let (w, out) = (&mut wires[k], last.chips[k]);
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
        let sample = (cycle % sample_period == 0)
            .then(|| samples.get((cycle / sample_period) as usize))
            .flatten();
        let inputs = Inputs {
            rst: cycle < 3,
            in_valid: sample.is_some(),
            samples: sample.cloned().unwrap_or_else(|| vec![0; params.channels]),
            chips: wires.clone(),
        };
        last = fpga.cycle(&inputs);
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
