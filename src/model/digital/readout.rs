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
/// walked bin by bin, at address (bin * classes + class) * features + feature. Returns exactly
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

#[derive(Debug, Clone)]
pub(super) struct Readout {
    pub(super) win: u32,
    pub(super) count: Vec<u64>,
    pub(super) held: Vec<u64>,
    pub(super) busy: bool,
    pub(super) cls: u32,
    pub(super) feat: u32,
    pub(super) acc: i64,
    pub(super) best: i64,
    pub(super) best_cls: u32,
    /// Time bin of the window being scored (the RTL's `g_bins.bin`; always 0 with one bin).
    pub(super) bin: u32,
    /// Per-class totals of the frame so far, rotating: slot 0 is `cls`'s (`g_bins.totals`).
    pub(super) totals: Vec<i64>,
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
            seen: false,
            first: 0,
            at: 0,
        }
    }
}
