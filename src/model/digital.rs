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
}

/// Widths and tables the model needs, taken from the same lowering the RTL comes from.
#[derive(Debug, Clone)]
pub struct Params {
    /// Chip names as the RTL ports spell them.
    pub chip_names: Vec<String>,
    pub channels: usize,
    pub sample_bits: u32,
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
    pub window: u32,
    /// Windows (time bins) per decision.
    pub bins: u32,
    pub cnt_w: u32,
    pub acc_w: u32,
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
            window: c.network.readout.window_cycles,
            bins: c.network.readout.bins,
            cnt_w: v.readout.cnt_w,
            acc_w: v.readout.acc_w,
            weights: c.readout.weights.clone(),
        }
    }
}

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

/// The readout's decision for one frame, computed directly: for each class the total
/// `sum_j weights[class][j] * counts[j]` wrapped to `acc_w`-bit two's complement, then the
/// class with the highest total (ties: the lower class) and that total.
///
/// `weights` holds one row of raw fixed-point weights per class and `counts` the frame's
/// saturated spike counts, both `bins x features` long and bin-major (index =
/// bin * features + feature), as the RTL's ROM and counters see them. Returns exactly what the
/// RTL puts on `class_out` and (sign-extended) `class_score` with `class_valid`.
pub fn readout_decision(weights: &[Vec<i64>], counts: &[u32], acc_w: u32) -> (u32, i64) {
    assert!((1..=64).contains(&acc_w), "acc_w {acc_w} is not 1..=64");
    let mut best = (0u32, 0i64);
    for (class, row) in weights.iter().enumerate() {
        assert_eq!(
            row.len(),
            counts.len(),
            "class {class} has {} weights for {} counts",
            row.len(),
            counts.len()
        );
        // Two's-complement sums wrap the same whether wrapped per step or once at the end.
        let total = row.iter().zip(counts).fold(0i64, |acc, (&w, &c)| {
            acc.wrapping_add(w.wrapping_mul(c as i64))
        });
        let total = wrap(total, acc_w);
        if class == 0 || total > best.1 {
            best = (class as u32, total);
        }
    }
    best
}

/// The input encoder: per channel, an accumulator that adds each valid sample and spikes on
/// its carry (a first-order sigma-delta), so a channel spikes at sample / 2^bits per sample.
#[derive(Debug, Clone)]
pub struct Encoder {
    acc: Vec<u32>,
    spike: Vec<bool>,
}

impl Encoder {
    pub fn new(channels: usize) -> Encoder {
        Encoder {
            acc: vec![0; channels],
            spike: vec![false; channels],
        }
    }

    /// The spike register of each channel after the last clock.
    pub fn spikes(&self) -> &[bool] {
        &self.spike
    }

    pub fn clock(&mut self, p: &Params, rst: bool, valid: bool, samples: &[u32]) {
        for ((acc, spike), &sample) in self.acc.iter_mut().zip(&mut self.spike).zip(samples) {
            if rst {
                *acc = 0;
                *spike = false;
            } else if valid {
                let sum = *acc as u64 + (sample as u64 & mask(p.sample_bits));
                *acc = (sum & mask(p.sample_bits)) as u32;
                *spike = sum >> p.sample_bits != 0;
            } else {
                *spike = false;
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
struct ChipIf {
    req_sync: [bool; 2],
    ack_sync: [bool; 2],
    chip_ack: bool,
    /// The one bit of `events` that is set, if any.
    event: Option<u32>,
    busy: bool,
    syn_req: bool,
    syn_addr: u32,
}

impl ChipIf {
    fn syn_ready(&self) -> bool {
        !self.busy
    }

    fn clock(
        &mut self,
        p: &Params,
        sources: u32,
        rst: bool,
        i: ChipInputs,
        syn_valid: bool,
        syn_addr: u32,
    ) {
        if rst {
            *self = ChipIf::default();
            return;
        }
        let old = self.clone();
        self.req_sync = [i.req, old.req_sync[0]];
        self.ack_sync = [i.syn_ack, old.ack_sync[0]];
        let addr = i.addr & mask(p.src_w) as u32;
        let capture = old.req_sync[1] && !old.chip_ack;
        self.event = (capture && addr < sources).then_some(addr);
        if capture {
            self.chip_ack = true;
        } else if !old.req_sync[1] && old.chip_ack {
            self.chip_ack = false;
        }
        if !old.busy {
            if syn_valid {
                self.busy = true;
                self.syn_req = true;
                self.syn_addr = syn_addr & mask(p.syn_w) as u32;
            }
        } else if old.syn_req {
            if old.ack_sync[1] {
                self.syn_req = false;
            }
        } else if !old.ack_sync[1] {
            self.busy = false;
        }
    }
}

#[derive(Debug, Clone)]
struct Router {
    pending: Vec<bool>,
    sending: bool,
    ptr: u64,
    last: u64,
}

impl Router {
    /// The destination at `ptr` (the ROM's default, chip 0 synapse 0, past its end).
    fn dest(&self, p: &Params) -> (u32, u32) {
        p.route_dest
            .get(self.ptr as usize)
            .copied()
            .unwrap_or((0, 0))
    }

    /// (chip that out_valid selects, synapse) while sending.
    fn output(&self, p: &Params) -> Option<(u32, u32)> {
        self.sending.then(|| self.dest(p))
    }

    fn clock(&mut self, p: &Params, rst: bool, src_spikes: &[bool], ready: &[bool]) {
        if rst {
            self.pending.iter_mut().for_each(|b| *b = false);
            self.sending = false;
            self.ptr = 0;
            self.last = 0;
            return;
        }
        let first = self.pending.iter().position(|&b| b);
        let grant = if self.sending { None } else { first };
        let fire = self.sending && ready.get(self.dest(p).0 as usize).copied().unwrap_or(false);
        for (i, b) in self.pending.iter_mut().enumerate() {
            *b = (*b && grant != Some(i)) || src_spikes[i];
        }
        let ptr_mask = mask(p.ptr_w);
        match grant {
            Some(s) if p.route_count[s] != 0 => {
                self.sending = true;
                self.ptr = p.route_base[s];
                self.last = (p.route_base[s] + p.route_count[s] - 1) & ptr_mask;
            }
            _ if fire => {
                if self.ptr == self.last {
                    self.sending = false;
                } else {
                    self.ptr = (self.ptr + 1) & ptr_mask;
                }
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
struct Readout {
    win: u32,
    count: Vec<u64>,
    held: Vec<u64>,
    busy: bool,
    cls: u32,
    feat: u32,
    acc: i64,
    best: i64,
    best_cls: u32,
    /// Time bin of the window being scored (the RTL's `g_bins.bin`; always 0 with one bin).
    bin: u32,
    /// Per-class totals of the frame so far, rotating: slot 0 is `cls`'s (`g_bins.totals`).
    totals: Vec<i64>,
    class_valid: bool,
    class_out: u32,
    class_score: i64,
}

impl Readout {
    fn clock(&mut self, p: &Params, rst: bool, feat_spikes: &[bool]) {
        if rst {
            *self = Readout::new(p);
            return;
        }
        let win_end = self.win == p.window - 1;
        let max = mask(p.cnt_w);
        for (f, &spike) in feat_spikes.iter().enumerate() {
            let next = if spike && self.count[f] != max {
                self.count[f] + 1
            } else {
                self.count[f]
            };
            if win_end {
                self.count[f] = 0;
                self.held[f] = next;
            } else {
                self.count[f] = next;
            }
        }
        self.win = if win_end { 0 } else { self.win + 1 };

        // Combinational values before the edge.
        let nfeat = p.features.len() as u32;
        let col = (self.bin * nfeat + self.feat) as usize;
        let w = p.weights[self.cls as usize][col];
        let product = w * self.held[self.feat as usize] as i64;
        let score = wrap(self.acc + product, p.acc_w);
        let carried = if self.bin == 0 { 0 } else { self.totals[0] };
        let total = wrap(score + carried, p.acc_w);
        let last_feat = self.feat == nfeat - 1;
        let last_cls = self.cls == p.classes - 1;
        let last_bin = self.bin == p.bins - 1;

        // The bin block (g_bins), on its own condition as in the RTL.
        if self.busy && last_feat {
            self.totals.remove(0);
            self.totals.push(total);
            if last_cls {
                self.bin = if last_bin { 0 } else { self.bin + 1 };
            }
        }

        self.class_valid = false;
        if win_end {
            self.busy = true;
            self.cls = 0;
            self.feat = 0;
            self.acc = 0;
        } else if self.busy {
            if !last_feat {
                self.feat += 1;
                self.acc = score;
            } else {
                let better = self.cls == 0 || total > self.best;
                let (new_best, new_cls) = if better {
                    (total, self.cls)
                } else {
                    (self.best, self.best_cls)
                };
                self.feat = 0;
                self.acc = 0;
                self.best = new_best;
                self.best_cls = new_cls;
                if last_cls {
                    self.busy = false;
                    if last_bin {
                        self.class_valid = true;
                        self.class_out = new_cls;
                        self.class_score = new_best;
                    }
                } else {
                    self.cls += 1;
                }
            }
        }
    }

    fn new(p: &Params) -> Readout {
        Readout {
            win: 0,
            count: vec![0; p.features.len()],
            held: vec![0; p.features.len()],
            busy: false,
            cls: 0,
            feat: 0,
            acc: 0,
            best: 0,
            best_cls: 0,
            bin: 0,
            totals: vec![0; p.classes as usize],
            class_valid: false,
            class_out: 0,
            class_score: 0,
        }
    }
}

/// The whole FPGA side: encoder, chip interfaces, router and readout, wired as in the top.
#[derive(Debug, Clone)]
pub struct SystemModel {
    pub params: Params,
    encoder: Encoder,
    chips: Vec<ChipIf>,
    router: Router,
    readout: Readout,
}

impl SystemModel {
    pub fn new(params: Params) -> SystemModel {
        SystemModel {
            encoder: Encoder::new(params.channels),
            chips: vec![ChipIf::default(); params.chip_sources.len()],
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
        for (k, chip) in self.chips.iter().enumerate() {
            if let Some(a) = chip.event {
                v[(p.chip_offsets[k] + a) as usize] = true;
            }
        }
        v
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
        let ready: Vec<bool> = self.chips.iter().map(ChipIf::syn_ready).collect();
        let route = self.router.output(p);

        self.encoder
            .clock(p, inputs.rst, inputs.in_valid, &inputs.samples);
        for (k, chip) in self.chips.iter_mut().enumerate() {
            let (valid, addr) = match route {
                Some((c, s)) if c as usize == k => (true, s),
                Some((_, s)) => (false, s),
                None => (false, route_syn(p, &self.router)),
            };
            chip.clock(
                p,
                p.chip_sources[k],
                inputs.rst,
                inputs.chips[k],
                valid,
                addr,
            );
        }
        self.router.clock(p, inputs.rst, &src, &ready);
        self.readout.clock(p, inputs.rst, &feat);
        self.outputs()
    }

    pub fn outputs(&self) -> Outputs {
        Outputs {
            chips: self
                .chips
                .iter()
                .map(|c| ChipOutputs {
                    ack: c.chip_ack,
                    syn_req: c.syn_req,
                    syn_addr: c.syn_addr,
                })
                .collect(),
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
