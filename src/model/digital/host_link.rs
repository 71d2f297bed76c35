//! The serial host link and the board-level top (templates/verilog/host_link.v, board.v),
//! and a host that drives the link's pins.

use super::{ChipInputs, ChipOutputs, Inputs, Outputs, Params, SystemModel};
use std::collections::VecDeque;

/// The link's pins as the host drives them during one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPins {
    pub sck: bool,
    pub cs_n: bool,
    /// One bit per data line.
    pub sdi: u32,
}

impl HostPins {
    /// Deselected and idle.
    pub const IDLE: HostPins = HostPins {
        sck: false,
        cs_n: true,
        sdi: 0,
    };
}

/// Board-level inputs during one cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardInputs {
    pub rst: bool,
    pub host: HostPins,
    pub chips: Vec<ChipInputs>,
}

/// Board-level outputs right after a rising edge, and the system top's inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardOutputs {
    pub irq: bool,
    pub sdo: bool,
    pub top: Outputs,
    /// The link hands the encoder a row in the next cycle (its in_valid register: not a
    /// pin, for coverage).
    pub row_ready: bool,
}

impl BoardOutputs {
    pub fn chips(&self) -> &[ChipOutputs] {
        &self.top.chips
    }
}

/// Bits of the word the link shifts out: fresh flag, class and score.
pub fn result_bits(p: &Params) -> u32 {
    1 + p.class_w + p.acc_w
}

/// The link's registers, updated as the RTL's nonblocking assignments do.
#[derive(Debug, Clone)]
struct HostLink {
    /// Synchronizer flops and the previous synchronized value (index 2).
    sck_sync: [bool; 3],
    cs_sync: [bool; 2],
    sdi_meta: u32,
    sdi_sync: u32,
    /// The row register, bit 0 first (in_data[0] is channel 0's lowest bit).
    row: VecDeque<bool>,
    /// Rises since the command (0: the next rise is one) and whether it was a write.
    beat: u32,
    writing: bool,
    in_valid: bool,
    fresh: bool,
    /// {class, score}, score in the low acc_w bits.
    result: u128,
    out_shift: u128,
}

impl HostLink {
    fn new(p: &Params) -> HostLink {
        HostLink {
            sck_sync: [false; 3],
            cs_sync: [true; 2],
            sdi_meta: 0,
            sdi_sync: 0,
            row: VecDeque::from(vec![false; row_bits(p) as usize]),
            beat: 0,
            writing: false,
            in_valid: false,
            fresh: false,
            result: 0,
            out_shift: 0,
        }
    }

    fn selected(&self) -> bool {
        !self.cs_sync[1]
    }

    fn rise(&self) -> bool {
        self.selected() && self.sck_sync[1] && !self.sck_sync[2]
    }

    /// The row as the encoder's samples, one per channel.
    fn samples(&self, p: &Params) -> Vec<u32> {
        let bits: Vec<bool> = self.row.iter().copied().collect();
        bits.chunks(p.sample_bits as usize)
            .map(|c| c.iter().rev().fold(0, |acc, &b| acc << 1 | b as u32))
            .collect()
    }

    fn sdo(&self, p: &Params) -> bool {
        self.out_shift >> (result_bits(p) - 1) & 1 == 1
    }

    /// One clock edge; `top` holds the system top's outputs before it.
    fn clock(&mut self, p: &Params, rst: bool, pins: HostPins, top: &Outputs) {
        let lanes = p.link_lanes.unwrap_or(1);
        let rise = self.rise();
        let command = rise && self.beat == 0;
        let read = command && self.sdi_sync & 1 == 0;
        let shift = rise && self.writing && !command;
        let last_beat = self.beat == beats(p);
        let selected = self.selected();
        let sdi_sync = self.sdi_sync;
        let out_mask = (1u128 << result_bits(p)) - 1;
        if rst {
            *self = HostLink::new(p);
            return;
        }
        self.sck_sync = [pins.sck, self.sck_sync[0], self.sck_sync[1]];
        self.cs_sync = [pins.cs_n, self.cs_sync[0]];
        self.sdi_sync = self.sdi_meta;
        self.sdi_meta = pins.sdi & ((1 << lanes) - 1);
        if shift {
            for lane in 0..lanes {
                self.row.pop_front();
                self.row.push_back(sdi_sync >> lane & 1 == 1);
            }
        }
        self.in_valid = shift && last_beat;
        if !selected || (shift && last_beat) {
            self.beat = 0;
        } else if command {
            self.writing = sdi_sync & 1 == 1;
            self.beat = 1;
        } else if shift {
            self.beat += 1;
        }
        let fresh = self.fresh;
        let result = self.result;
        if top.class_valid {
            self.result = (top.class_out as u128) << p.acc_w | top.class_score as u128;
            self.fresh = true;
        } else if read {
            self.fresh = false;
        }
        if read {
            self.out_shift = (fresh as u128) << (p.class_w + p.acc_w) | result;
        } else if rise {
            self.out_shift = (self.out_shift << 1) & out_mask;
        }
    }
}

fn row_bits(p: &Params) -> u32 {
    p.channels as u32 * p.sample_bits
}

/// SCK rises per sample row.
pub fn beats(p: &Params) -> u32 {
    row_bits(p) / p.link_lanes.unwrap_or(1)
}

/// The board-level top: the host link in front of the system top.
#[derive(Debug, Clone)]
pub struct BoardModel {
    link: HostLink,
    system: SystemModel,
}

impl BoardModel {
    pub fn new(params: Params) -> BoardModel {
        BoardModel {
            link: HostLink::new(&params),
            system: SystemModel::new(params),
        }
    }

    pub fn params(&self) -> &Params {
        &self.system.params
    }

    /// Applies `inputs` for one cycle, clocks every block and returns the outputs after the edge.
    pub fn cycle(&mut self, inputs: &BoardInputs) -> BoardOutputs {
        let p = &self.system.params;
        let in_valid = self.link.in_valid;
        let top_inputs = Inputs {
            rst: inputs.rst,
            in_valid,
            samples: if in_valid {
                self.link.samples(p)
            } else {
                vec![0; p.channels]
            },
            chips: inputs.chips.clone(),
        };
        let before = self.system.outputs();
        self.link.clock(p, inputs.rst, inputs.host, &before);
        self.system.cycle(&top_inputs);
        self.outputs()
    }

    pub fn outputs(&self) -> BoardOutputs {
        BoardOutputs {
            irq: self.link.fresh,
            sdo: self.link.sdo(&self.system.params),
            top: self.system.outputs(),
            row_ready: self.link.in_valid,
        }
    }
}

/// Cycles from the cycle in which the host raises SCK for a row's last bits to the cycle in
/// which the encoder takes the row (what `in_valid` high in that cycle does on the system
/// top): the two synchronizer flops and the in_valid register (the edge detector compares
/// the second flop with a third, which adds none).
pub const ROW_LATENCY: u64 = 3;

/// A host on the link: plays transactions of whole or abandoned rows, SCK high and low for
/// `half` cycles each, and reads the decision word on spi_sdo as it goes.
#[derive(Debug, Clone, Default)]
pub struct SpiHost {
    pins: VecDeque<HostPins>,
}

impl SpiHost {
    /// Queues a write transaction: CS_N low, the write command, `beats` SCK periods
    /// carrying `row` (a whole row has `beats(p)`; fewer abandon it), then CS_N high for
    /// `gap` cycles.
    pub fn send(&mut self, p: &Params, row: &[u32], half: u32, beats: u32, gap: u32) {
        let lanes = p.link_lanes.unwrap_or(1);
        let bit = |i: u32| row[(i / p.sample_bits) as usize] >> (i % p.sample_bits) & 1;
        let data = (0..beats).map(|b| (0..lanes).fold(0, |acc, l| acc | bit(b * lanes + l) << l));
        self.transaction(std::iter::once(1).chain(data), half, gap);
    }

    /// Queues a read transaction: the read command and `bits` SCK periods more (the whole
    /// decision word takes `result_bits(p)`), then CS_N high for `gap` cycles.
    pub fn read(&mut self, bits: u32, half: u32, gap: u32) {
        self.transaction(std::iter::repeat_n(0, bits as usize + 1), half, gap);
    }

    /// CS_N low for one SCK period per value of `sdi`, then high for `gap` cycles.
    fn transaction(&mut self, sdi: impl Iterator<Item = u32>, half: u32, gap: u32) {
        let selected = |sck, sdi| HostPins {
            sck,
            cs_n: false,
            sdi,
        };
        for sdi in sdi {
            for sck in [false, true] {
                for _ in 0..half {
                    self.pins.push_back(selected(sck, sdi));
                }
            }
        }
        for _ in 0..gap {
            self.pins.push_back(HostPins::IDLE);
        }
    }

    /// Cycles of what is queued.
    pub fn queued(&self) -> usize {
        self.pins.len()
    }

    /// The pins for the next cycle (idle when nothing is queued).
    pub fn next_pins(&mut self) -> HostPins {
        self.pins.pop_front().unwrap_or(HostPins::IDLE)
    }
}

/// Cycles from CS_N falling to the cycle in which the encoder takes the row, for a
/// transaction of one whole row: the command's and the row's SCK periods but the last
/// one's high half, then the latency.
pub fn row_cycles(p: &Params, half: u32) -> u64 {
    (2 * (beats(p) as u64 + 1) - 1) * half as u64 + ROW_LATENCY
}

/// Cycles a write transaction of a whole row holds CS_N low.
pub fn write_cycles(p: &Params, half: u32) -> u64 {
    2 * (beats(p) as u64 + 1) * half as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn params(design: &str) -> Params {
        let r = crate::compiler::render(std::path::Path::new(design)).unwrap();
        Params::new(&r.compiled, &r.verilog)
    }

    /// Rows sent over the link reach the system top as if on its parallel pins
    /// `row_cycles` after CS_N falls, and each transaction reads back the last decision.
    fn link_is_transparent(design: &str, half: u32) {
        let p = params(design);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut board = BoardModel::new(p.clone());
        let mut direct = SystemModel::new(p.clone());
        let mut host = SpiHost::default();
        let read = 2 * half as u64 * (result_bits(&p) as u64 + 1);
        let period = write_cycles(&p, half) + read + rng.random_range(2..40);
        let frame = (p.window * p.bins) as u64;
        let cycles = 3 * frame + 4 * period;
        let reset = 4u64;
        let mut due = Vec::new();
        // One transaction per period from the end of reset; a row's encoder cycle is fixed.
        let mut start = reset;
        while start + period < cycles {
            let row: Vec<u32> = (0..p.channels)
                .map(|_| rng.random_range(0..1u32 << p.sample_bits))
                .collect();
            due.push((start + row_cycles(&p, half), row.clone()));
            // A write, a read of the decision word, the rest of the period idle.
            host.send(&p, &row, half, beats(&p), 1);
            let gap = period - write_cycles(&p, half) - 1 - read;
            host.read(result_bits(&p), half, gap as u32);
            start += period;
        }
        let mut decisions = Vec::new();
        let (mut reads, mut word, mut rises, mut reading) = (Vec::new(), 0u128, 0u32, false);
        let (mut prev_sck, mut prev_cs) = (false, true);
        let mut before = board.outputs();
        for cycle in 0..cycles {
            let rst = cycle < reset;
            let pins = if rst {
                HostPins::IDLE
            } else {
                host.next_pins()
            };
            // The host reads spi_sdo as SCK rises (what the last edge left on the pin), in
            // the periods after a read command.
            if !pins.cs_n && prev_cs {
                (word, rises) = (0, 0);
            }
            if pins.sck && !prev_sck && !pins.cs_n {
                if rises == 0 {
                    reading = pins.sdi & 1 == 0;
                } else if reading && rises <= result_bits(&p) {
                    word = word << 1 | before.sdo as u128;
                    if rises == result_bits(&p) {
                        reads.push(word);
                    }
                }
                rises += 1;
            }
            (prev_sck, prev_cs) = (pins.sck, pins.cs_n);
            let chips = vec![ChipInputs::default(); p.chip_sources.len()];
            let out = board.cycle(&BoardInputs {
                rst,
                host: pins,
                chips: chips.clone(),
            });
            let row = due
                .iter()
                .find(|(c, _)| *c == cycle)
                .map(|(_, r)| r.clone());
            let want = direct.cycle(&Inputs {
                rst,
                in_valid: row.is_some(),
                samples: row.unwrap_or_else(|| vec![0; p.channels]),
                chips,
            });
            assert_eq!(out.top, want, "{design}: cycle {cycle}");
            if out.top.class_valid {
                decisions
                    .push((out.top.class_out as u128) << p.acc_w | out.top.class_score as u128);
            }
            before = out;
        }
        // Every decision is read once with its fresh flag by the next read (when decisions
        // come faster than reads, only the latest between two reads is).
        let fresh_bit = 1u128 << (p.class_w + p.acc_w);
        let fresh: Vec<u128> = reads
            .iter()
            .filter(|w| *w & fresh_bit != 0)
            .map(|w| w & !fresh_bit)
            .collect();
        assert!(
            decisions.len() >= 2,
            "{design}: {} decisions",
            decisions.len()
        );
        if frame > period {
            assert!(
                fresh.len() + 1 >= decisions.len(),
                "{design}: {fresh:?} {decisions:?}"
            );
            assert_eq!(fresh[..], decisions[..fresh.len()], "{design}");
        } else {
            let mut rest = decisions.iter();
            assert!(!fresh.is_empty());
            assert!(fresh.iter().all(|w| rest.any(|d| d == w)), "{design}");
        }
    }

    #[test]
    fn rows_over_the_link_reach_the_encoder_as_on_parallel_pins() {
        link_is_transparent("designs/two_chip.yaml", 2);
        link_is_transparent("designs/single_lif.yaml", 3);
    }
}
