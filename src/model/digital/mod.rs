//! Cycle-exact model of the emitted FPGA blocks (templates/verilog/*.v), bit for bit.
//!
//! Each block keeps the same registers as its RTL and updates them in `clock`, computing the
//! next state from the values *before* the edge, exactly as the nonblocking assignments do.
//! `SystemModel::cycle` applies one set of top-level inputs, clocks every block once and
//! returns the top-level outputs as they are after that edge.

use crate::compiler::lower::verilog::VerilogModel;
use crate::compiler::passes::Compiled;

/// Top-level inputs during one clock cycle (driven before the rising edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub rst: bool,
    pub in_valid: bool,
    /// One unsigned sample per encoder channel.
    pub samples: Vec<u32>,
    pub chips: Vec<ChipInputs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChipInputs {
    pub req: bool,
    pub addr: u32,
    pub syn_ack: bool,
}

/// Top-level outputs right after a rising edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    pub chips: Vec<ChipOutputs>,
    pub class_valid: bool,
    pub class_out: u32,
    /// Raw two's-complement bits of the score, `acc_w` wide.
    pub class_score: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChipOutputs {
    pub ack: bool,
    pub syn_req: bool,
    pub syn_addr: u32,
    /// The shared bus only: the chip that may drive the event lines, and the chip the
    /// synapse event is for (0 on a chip's own bus).
    pub sel: u32,
    pub syn_sel: u32,
}

/// Widths and tables the model needs, taken from the same lowering the RTL comes from.
#[derive(Debug, Clone)]
pub struct Params {
    /// Chip names as the RTL ports spell them.
    pub chip_names: Vec<String>,
    pub channels: usize,
    pub sample_bits: u32,
    /// Time-to-first-spike coding: cycles per level (None: rate coding).
    pub ttfs_step: Option<u32>,
    pub chip_sources: Vec<u32>,
    pub chip_offsets: Vec<u32>,
    pub src_w: u32,
    pub syn_w: u32,
    pub nsrc: usize,
    pub ptr_w: u32,
    /// Routing table: first destination and count per source, and the destinations.
    pub route_base: Vec<u64>,
    pub route_count: Vec<u64>,
    pub route_dest: Vec<(u32, u32)>,
    pub features: Vec<u32>,
    pub classes: u32,
    /// The first feature to spike is the class (rather than a linear score).
    pub first_spike: bool,
    pub window: u32,
    /// Windows (time bins) per decision.
    pub bins: u32,
    pub cnt_w: u32,
    pub acc_w: u32,
    /// Bits of a class number.
    pub class_w: u32,
    /// Data lines of the serial host link, when the design has one.
    pub link_lanes: Option<u32>,
    /// One time-multiplexed AER bus for all chips (aer_bus.rs).
    pub shared_bus: bool,
    /// `classes` rows of raw weights, `bins x features` each, bin-major.
    pub weights: Vec<Vec<i64>>,
}

impl Params {
    pub fn new(c: &Compiled, v: &VerilogModel) -> Params {
        let mut route_base = vec![0; c.layout.total_sources as usize];
        let mut route_count = vec![0; c.layout.total_sources as usize];
        let mut route_dest = Vec::new();
        for (src, dests) in c.routing.by_source.iter().enumerate() {
            if !dests.is_empty() {
                route_base[src] = route_dest.len() as u64;
                route_count[src] = dests.len() as u64;
                route_dest.extend(dests.iter().map(|d| (d.chip, d.synapse)));
            }
        }
        Params {
            chip_names: v.top.chips.iter().map(|c| c.name.clone()).collect(),
            channels: c.network.encoder.channels as usize,
            sample_bits: c.network.encoder.sample_bits,
            ttfs_step: v.encoder.ttfs.then_some(v.encoder.step_cycles),
            chip_sources: c.layout.chips.iter().map(|l| l.sources).collect(),
            chip_offsets: c.layout.chips.iter().map(|l| l.source_offset).collect(),
            src_w: v.chip_if.src_w,
            syn_w: v.chip_if.syn_w,
            nsrc: c.layout.total_sources as usize,
            ptr_w: v.router.ptr_w,
            route_base,
            route_count,
            route_dest,
            features: c.layout.features.clone(),
            classes: c.network.readout.classes,
            first_spike: v.readout.first_spike,
            window: c.network.readout.window_cycles,
            bins: c.network.readout.bins,
            cnt_w: v.readout.cnt_w,
            acc_w: v.readout.acc_w,
            class_w: v.readout.class_w,
            link_lanes: c.network.host_link_lanes,
            shared_bus: c.network.shared_aer_bus,
            weights: c.readout.weights.clone(),
        }
    }
}

mod aer_bus;
mod chip_if;
mod encoder;
pub mod host_link;
mod readout;
mod router;

pub use encoder::Encoder;
pub use host_link::{BoardInputs, BoardModel, BoardOutputs, HostPins, SpiHost};
pub use readout::readout_decision;

use aer_bus::AerSide;
use readout::Readout;
use router::Router;

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Sign-extends the low `bits` of `raw`.
fn signed(raw: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((raw << shift) as i64) >> shift
}

/// `value` wrapped to `bits`-bit two's complement, as an `bits`-wide register holds it.
fn wrap(value: i64, bits: u32) -> i64 {
    signed(value as u64 & mask(bits), bits)
}

/// The whole FPGA side: encoder, chip interfaces, router and readout, wired as in the top.
#[derive(Debug, Clone)]
pub struct SystemModel {
    pub params: Params,
    encoder: Encoder,
    chips: AerSide,
    router: Router,
    readout: Readout,
}

impl SystemModel {
    pub fn new(params: Params) -> SystemModel {
        SystemModel {
            encoder: Encoder::new(params.channels),
            chips: AerSide::new(&params),
            router: Router {
                pending: vec![false; params.nsrc],
                sending: false,
                ptr: 0,
                last: 0,
            },
            readout: Readout::new(&params),
            params,
        }
    }

    /// The global source spike vector as the registers drive it now.
    fn src_spikes(&self) -> Vec<bool> {
        let p = &self.params;
        let mut v = vec![false; p.nsrc];
        v[..p.channels].copy_from_slice(&self.encoder.spike);
        for (k, a) in self.chips.events() {
            v[(p.chip_offsets[k as usize] + a) as usize] = true;
        }
        v
    }

    /// The encoder's spike registers now.
    pub fn encoder_spikes(&self) -> &[bool] {
        self.encoder.spikes()
    }

    /// The readout's feature spikes as the registers drive them now: what the readout's
    /// counters count at the next edge (inputs do not reach them combinationally).
    pub fn feature_spikes(&self) -> Vec<bool> {
        let src = self.src_spikes();
        self.params
            .features
            .iter()
            .map(|&s| src[s as usize])
            .collect()
    }

    /// Applies `inputs` for one cycle, clocks every block and returns the outputs after the edge.
    pub fn cycle(&mut self, inputs: &Inputs) -> Outputs {
        // Combinational values before the edge.
        let p = &self.params;
        let src = self.src_spikes();
        let feat: Vec<bool> = p.features.iter().map(|&s| src[s as usize]).collect();
        let ready = self.chips.syn_ready(p.chip_sources.len());
        let route = self.router.output(p);

        self.encoder
            .clock(p, inputs.rst, inputs.in_valid, &inputs.samples);
        self.chips.clock(
            p,
            inputs.rst,
            &inputs.chips,
            route,
            route_syn(p, &self.router),
        );
        self.router.clock(p, inputs.rst, &src, &ready);
        self.readout.clock(p, inputs.rst, &feat);
        self.outputs()
    }

    pub fn outputs(&self) -> Outputs {
        Outputs {
            chips: self.chips.outputs(),
            class_valid: self.readout.class_valid,
            class_out: self.readout.class_out,
            class_score: self.readout.class_score as u64 & mask(self.params.acc_w),
        }
    }
}

/// `out_syn` is driven from the ROM at `ptr` even while not sending.
fn route_syn(p: &Params, r: &Router) -> u32 {
    r.dest(p).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_feature_to_spike_in_a_window_is_the_class() {
        let r =
            crate::compiler::render(std::path::Path::new("tests/data/rcspike_small.yaml")).unwrap();
        let p = Params::new(&r.compiled, &r.verilog);
        assert!(p.first_spike);
        let mut readout = Readout::new(&p);
        let spikes = |on: &[usize]| -> Vec<bool> { (0..10).map(|f| on.contains(&f)).collect() };
        let mut decisions = Vec::new();
        for cycle in 0..2 * p.window {
            // Features 7 and 3 at once in cycle 5 (3 wins the tie), 1 later: too late.
            let on: &[usize] = match cycle {
                5 => &[7, 3],
                9 => &[1],
                _ => &[],
            };
            readout.clock(&p, false, &spikes(on));
            if readout.class_valid {
                decisions.push((cycle, readout.class_out, readout.class_score));
            }
        }
        // One decision when the first window closes; the silent second window decides nothing.
        assert_eq!(decisions, vec![(p.window - 1, 3, 5)]);
    }

    #[test]
    fn readout_decision_sums_bins_breaks_ties_low_and_wraps() {
        // Two classes x (2 bins x 2 features), bin-major columns.
        let w = vec![vec![1, -2, 3, 0], vec![0, 1, 1, 2]];
        assert_eq!(readout_decision(&w, &[4, 1, 2, 0], 16), (0, 8));
        assert_eq!(readout_decision(&w, &[0, 0, 0, 3], 16), (1, 6));
        // A tie goes to the lower class; all zero counts tie at 0.
        assert_eq!(readout_decision(&w, &[0, 0, 0, 0], 16), (0, 0));
        assert_eq!(readout_decision(&w, &[2, 0, 0, 1], 16), (0, 2));
        // 4-bit totals: class 0's 3 x 3 = 9 wraps to -7, class 1's 3 + 2 = 5 wins.
        assert_eq!(readout_decision(&w, &[0, 0, 3, 1], 4), (1, 5));
        assert_eq!(readout_decision(&w, &[0, 0, 3, 1], 5), (0, 9));
        assert_eq!(wrap(9, 4), -7);
        assert_eq!(wrap(-9, 4), 7);
    }
}
