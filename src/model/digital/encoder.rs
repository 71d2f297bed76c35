//! The input encoder (templates/verilog/encoder.v).
use super::{Params, mask};

/// The input encoder. Rate coding: per channel, an accumulator that adds each valid sample
/// and spikes on its carry (a first-order sigma-delta), so a channel spikes at
/// sample / 2^bits per sample. TTFS coding (templates/verilog/encoder_ttfs.v): a valid sample
/// vector starts a frame, and channel x != 0 spikes once, (2^bits - 1 - x) * step cycles in.
#[derive(Debug, Clone)]
pub struct Encoder {
    /// Rate: the accumulators; TTFS: the held samples.
    pub(super) acc: Vec<u32>,
    pub(super) spike: Vec<bool>,
    /// TTFS frame: running, level and cycle within the level.
    run: bool,
    level: u32,
    sub: u32,
}

impl Encoder {
    pub fn new(channels: usize) -> Encoder {
        Encoder {
            acc: vec![0; channels],
            spike: vec![false; channels],
            run: false,
            level: 0,
            sub: 0,
        }
    }

    /// The spike register of each channel after the last clock.
    pub fn spikes(&self) -> &[bool] {
        &self.spike
    }

    pub fn clock(&mut self, p: &Params, rst: bool, valid: bool, samples: &[u32]) {
        if let Some(step) = p.ttfs_step {
            return self.clock_ttfs(p, step, rst, valid, samples);
        }
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

    fn clock_ttfs(&mut self, p: &Params, step: u32, rst: bool, valid: bool, samples: &[u32]) {
        let top = mask(p.sample_bits) as u32;
        // Combinational values before the edge.
        let level_start = self.run && self.sub == 0;
        let last_sub = self.sub == step - 1;
        for ((held, spike), &sample) in self.acc.iter_mut().zip(&mut self.spike).zip(samples) {
            if rst {
                *held = 0;
                *spike = false;
            } else if valid {
                *held = sample & top;
                *spike = false;
            } else {
                *spike = level_start && *held != 0 && self.level == top - *held;
            }
        }
        if rst || valid {
            self.run = valid && !rst;
            self.level = 0;
            self.sub = 0;
        } else if self.run {
            if last_sub {
                self.sub = 0;
                if self.level == top {
                    self.run = false;
                } else {
                    self.level += 1;
                }
            } else {
                self.sub += 1;
            }
        }
    }
}
