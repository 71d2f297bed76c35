//! The input encoder (templates/verilog/encoder.v).
use super::{Params, mask};

/// The input encoder: per channel, an accumulator that adds each valid sample and spikes on
/// its carry (a first-order sigma-delta), so a channel spikes at sample / 2^bits per sample.
#[derive(Debug, Clone)]
pub struct Encoder {
    pub(super) acc: Vec<u32>,
    pub(super) spike: Vec<bool>,
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
