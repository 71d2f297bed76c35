//! What a co-simulation exercised, read off the stimulus and the model's outputs: class
//! decisions, synapse events per chip, routing-table destinations reached, resets. A run that
//! left a block idle says so; "identical" then covers less than it sounds.

use crate::model::digital::{Outputs, Params};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Readout decisions (class_valid pulses).
    pub class_decisions: u64,
    /// Synapse events the router delivered, per chip (in design order).
    pub synapse_events: Vec<u64>,
    /// Distinct (chip, synapse) destinations of the routing table that received an event,
    /// and how many the table has.
    pub destinations_reached: usize,
    pub destinations: usize,
    /// Reset pulses (the first, at the start, included).
    pub resets: u64,
    /// What was never exercised, in words.
    pub gaps: Vec<String>,
}

/// The coverage of a run with reset as in `resets` whose model answered `outputs`.
pub fn measure(p: &Params, resets: &[bool], outputs: &[&Outputs]) -> Coverage {
    let chips = p.chip_names.len();
    let mut c = Coverage {
        synapse_events: vec![0; chips],
        destinations: p.route_dest.iter().collect::<BTreeSet<_>>().len(),
        ..Coverage::default()
    };
    let mut reached = BTreeSet::new();
    let mut was_req = vec![false; chips];
    let mut was_rst = false;
    for (&rst, o) in resets.iter().zip(outputs) {
        c.resets += (rst && !was_rst) as u64;
        was_rst = rst;
        c.class_decisions += o.class_valid as u64;
        for (k, out) in p.chip_views(o).iter().enumerate() {
            if out.syn_req && !was_req[k] {
                c.synapse_events[k] += 1;
                reached.insert((k as u32, out.syn_addr));
            }
            was_req[k] = out.syn_req;
        }
    }
    // A rising request to a destination the table does not hold (none should) is not coverage.
    let table: BTreeSet<(u32, u32)> = p.route_dest.iter().copied().collect();
    c.destinations_reached = reached.intersection(&table).count();
    c.gaps = gaps(p, &c);
    c
}

fn gaps(p: &Params, c: &Coverage) -> Vec<String> {
    let mut gaps = Vec::new();
    if c.class_decisions == 0 {
        gaps.push("no class decision: the readout never scored a frame".to_string());
    }
    for (k, name) in p.chip_names.iter().enumerate() {
        let routed = p.route_dest.iter().any(|&(chip, _)| chip as usize == k);
        if routed && c.synapse_events[k] == 0 {
            gaps.push(format!("chip {name} received no synapse event"));
        }
    }
    if c.destinations > 0 && c.destinations_reached == 0 {
        gaps.push("no routing-table destination was reached".to_string());
    }
    gaps
}

/// Cycles of random stimulus that reach `decisions` readout decisions on this design:
/// the reset, that many frames of bins x window, the last frame's scoring.
pub fn cycles_for_decisions(p: &Params, decisions: u64) -> u64 {
    let frame = p.window as u64 * p.bins as u64;
    let scoring = crate::compiler::ir::scoring_cycles(p.classes, p.features.len() as u32) + 16;
    8 + decisions * frame + scoring
}
