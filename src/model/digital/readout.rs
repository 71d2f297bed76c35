//! The fixed-point readout: binned counters, multiply-accumulate and argmax
//! (templates/verilog/readout.v), and its decision computed directly.
use super::{Params, mask, wrap};

/// The readout's decision for one frame, computed directly: for each class the total
/// `sum_j weights[class][j] * counts[j]` wrapped to `acc_w`-bit two's complement, then the
/// class with the highest total (ties: the lower class) and that total.
///
/// `weights` holds one row of raw fixed-point weights per class and `counts` the frame's
/// saturated spike counts, both `bins x features` long and bin-major (index =
/// bin * features + feature), as the RTL's counters see them; its ROM holds the same words
/// walked bin by bin, at address (bin * features + feature) * classes + class. Returns exactly
/// what the RTL puts on `class_out` and (sign-extended) `class_score` with `class_valid`.
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

/// Where the scoring walk is (the RTL's `phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Idle,
    /// One cycle for the closed window's last count to land in its lane.
    Wait,
    /// The first feature's count is read.
    Fetch,
    /// One multiply per cycle, feature by feature, class by class.
    Mac,
    /// The last product is added.
    Drain,
    /// The totals are compared, one class per cycle.
    Argmax,
}

#[derive(Debug, Clone)]
pub(super) struct Readout {
    pub(super) win: u32,
    /// Each feature's count in the open window and in the closed one (the RTL keeps chips'
    /// features in block-RAM banks, the others in registers: the same numbers).
    pub(super) count: Vec<u64>,
    pub(super) held: Vec<u64>,
    pub(super) phase: Phase,
    pub(super) cls: u32,
    pub(super) feat: u32,
    /// The count of the feature being scored, as fetched in its first class step.
    pub(super) cnt_kept: u64,
    pub(super) prod: i64,
    pub(super) prod_valid: bool,
    pub(super) prod_first: bool,
    /// Per-class totals of the frame so far, rotating: slot 0 is the class being added to.
    pub(super) totals: Vec<i64>,
    pub(super) best: i64,
    pub(super) best_cls: u32,
    /// Time bin of the window being scored (the RTL's `g_bins.bin`; always 0 with one bin).
    pub(super) bin: u32,
    pub(super) class_valid: bool,
    pub(super) class_out: u32,
    pub(super) class_score: i64,
    /// First-spike decision (templates/verilog/readout_first_spike.v): a feature has spiked
    /// in this window, which one first, and in which window cycle.
    pub(super) seen: bool,
    pub(super) first: u32,
    pub(super) at: u32,
}

impl Readout {
    pub(super) fn clock(&mut self, p: &Params, rst: bool, feat_spikes: &[bool]) {
        if rst {
            *self = Readout::new(p);
            return;
        }
        if p.first_spike {
            return self.clock_first_spike(p, feat_spikes);
        }
        let win_end = self.win == p.window - 1;

        // Combinational values before the edge.
        let nfeat = p.features.len() as u32;
        let last_feat = self.feat == nfeat - 1;
        let last_cls = self.cls == p.classes - 1;
        let first_bin = self.bin == 0;
        let last_bin = self.bin == p.bins - 1;
        let cnt = if self.cls == 0 {
            self.held[self.feat as usize]
        } else {
            self.cnt_kept
        };
        let col = (self.bin * nfeat + self.feat) as usize;
        let product = p.weights[self.cls as usize][col] * cnt as i64;
        let slot = self.totals[0];
        let base = if self.prod_first { 0 } else { slot };
        let sum = wrap(base + self.prod, p.acc_w);
        let better = self.cls == 0 || slot > self.best;
        let (new_best, new_best_cls) = if better {
            (slot, self.cls)
        } else {
            (self.best, self.best_cls)
        };

        self.count_spikes(p, win_end, feat_spikes);
        self.cnt_kept = cnt;
        self.class_valid = false;
        if self.prod_valid {
            self.totals.remove(0);
            self.totals.push(sum);
        } else if self.phase == Phase::Argmax {
            self.totals.rotate_left(1);
        }
        self.prod = product;
        self.prod_valid = self.phase == Phase::Mac;
        self.prod_first = first_bin && self.feat == 0;
        if !win_end && self.phase == Phase::Drain {
            self.bin = if last_bin { 0 } else { self.bin + 1 };
        }
        if win_end {
            self.phase = Phase::Wait;
            return;
        }
        match self.phase {
            Phase::Idle => {}
            Phase::Wait => self.phase = Phase::Fetch,
            Phase::Fetch => {
                self.phase = Phase::Mac;
                self.cls = 0;
                self.feat = 0;
            }
            Phase::Mac if !last_cls => self.cls += 1,
            Phase::Mac => {
                self.cls = 0;
                if last_feat {
                    self.phase = Phase::Drain;
                } else {
                    self.feat += 1;
                }
            }
            Phase::Drain => {
                self.phase = if last_bin { Phase::Argmax } else { Phase::Idle };
            }
            Phase::Argmax => {
                self.best = new_best;
                self.best_cls = new_best_cls;
                if last_cls {
                    self.phase = Phase::Idle;
                    self.cls = 0;
                    self.class_valid = true;
                    self.class_out = new_best_cls;
                    self.class_score = new_best;
                } else {
                    self.cls += 1;
                }
            }
        }
    }

    /// The saturating counters: a window's counts are held when it closes.
    fn count_spikes(&mut self, p: &Params, win_end: bool, feat_spikes: &[bool]) {
        debug_assert_eq!(feat_spikes.len(), self.count.len());
        let max = mask(p.cnt_w);
        // Only the features that spike change (a handful of hundreds in a cycle).
        for (count, _) in self.count.iter_mut().zip(feat_spikes).filter(|(_, s)| **s) {
            if *count != max {
                *count += 1;
            }
        }
        if win_end {
            self.held.copy_from_slice(&self.count);
            self.count.fill(0);
        }
        self.win = if win_end { 0 } else { self.win + 1 };
    }

    /// The first feature to spike in a window is its class (ties: the lowest index).
    fn clock_first_spike(&mut self, p: &Params, feat_spikes: &[bool]) {
        let win_end = self.win == p.window - 1;
        let now = feat_spikes.iter().position(|&s| s);
        self.class_valid = false;
        if win_end {
            if self.seen || now.is_some() {
                self.class_valid = true;
                self.class_out = if self.seen {
                    self.first
                } else {
                    now.unwrap_or(0) as u32
                };
                self.class_score = i64::from(if self.seen { self.at } else { self.win });
            }
            self.seen = false;
            self.first = 0;
            self.at = 0;
        } else if let Some(k) = now.filter(|_| !self.seen) {
            self.seen = true;
            self.first = k as u32;
            self.at = self.win;
        }
        self.win = if win_end { 0 } else { self.win + 1 };
    }

    pub(super) fn new(p: &Params) -> Readout {
        Readout {
            win: 0,
            count: vec![0; p.features.len()],
            held: vec![0; p.features.len()],
            phase: Phase::Idle,
            cls: 0,
            feat: 0,
            cnt_kept: 0,
            prod: 0,
            prod_valid: false,
            prod_first: false,
            totals: vec![0; p.classes as usize],
            best: 0,
            best_cls: 0,
            bin: 0,
            class_valid: false,
            class_out: 0,
            class_score: 0,
            seen: false,
            first: 0,
            at: 0,
        }
    }
}
