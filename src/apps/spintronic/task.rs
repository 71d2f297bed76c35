//! The pattern-in-noise input streams: every input fires as a Poisson process at one rate;
//! a frozen pattern of `pattern_ms` on a subset of the inputs replaces their noise in a
//! random share of the pattern-long slots (never two slots in a row), and spontaneous
//! spikes are added on every input throughout.

use crate::compiler::design::spintronic::PatternTask;
use crate::device::mismatch::mix;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One stream: the spiking inputs of every tick and the first tick of every pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub ticks: Vec<Vec<u32>>,
    pub onsets: Vec<usize>,
    pub pattern_ticks: usize,
}

/// The frozen pattern: for each tick of it, the pattern inputs that spike.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub ticks: Vec<Vec<u32>>,
    pub members: Vec<bool>,
}

pub fn pattern(task: &PatternTask, inputs: usize, tick_s: f64) -> Pattern {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(task.seed, 0, 0));
    let mut order: Vec<u32> = (0..inputs as u32).collect();
    order.shuffle(&mut rng);
    let count = (inputs as f64 * task.pattern_inputs).round() as usize;
    let mut members = vec![false; inputs];
    for &i in &order[..count] {
        members[i as usize] = true;
    }
    let p = task.rate_hz * tick_s;
    let ticks = (0..pattern_len(task, tick_s))
        .map(|_| {
            (0..inputs as u32)
                .filter(|&i| members[i as usize] && rng.random::<f64>() < p)
                .collect()
        })
        .collect();
    Pattern { ticks, members }
}

pub fn pattern_len(task: &PatternTask, tick_s: f64) -> usize {
    ((task.pattern_ms * 1e-3 / tick_s).round() as usize).max(1)
}

/// A stream of `seconds`, drawn from stream seed `which` (0 training, 1 test, ...).
pub fn stream(
    task: &PatternTask,
    pattern: &Pattern,
    tick_s: f64,
    seconds: f64,
    which: u64,
) -> Stream {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(task.seed, 1 + which, 0));
    let inputs = pattern.members.len();
    let len = pattern.ticks.len();
    let slots = ((seconds / tick_s).round() as usize) / len;
    let p_noise = task.rate_hz * tick_s;
    let p_jitter = task.jitter_noise_hz * tick_s;
    // Pattern after a noise slot with q / (1 - q): a share q of all slots, never two in a row.
    let share = task.pattern_share;
    let p_pattern = if share >= 0.5 {
        1.0
    } else {
        share / (1.0 - share)
    };
    let mut ticks = Vec::with_capacity(slots * len);
    let mut onsets = Vec::new();
    let mut last_was_pattern = false;
    for _ in 0..slots {
        let is_pattern = !last_was_pattern && rng.random::<f64>() < p_pattern;
        if is_pattern {
            onsets.push(ticks.len());
        }
        for k in 0..len {
            let mut spikes: Vec<u32> = (0..inputs as u32)
                .filter(|&i| {
                    let noise = !(is_pattern && pattern.members[i as usize])
                        && rng.random::<f64>() < p_noise;
                    let jitter = rng.random::<f64>() < p_jitter;
                    noise || jitter
                })
                .collect();
            if is_pattern {
                spikes.extend(&pattern.ticks[k]);
                spikes.sort_unstable();
                spikes.dedup();
            }
            ticks.push(spikes);
        }
        last_was_pattern = is_pattern;
    }
    Stream {
        ticks,
        onsets,
        pattern_ticks: len,
    }
}

/// How a detector's output spikes score on a stretch of a stream.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Score {
    pub patterns: usize,
    pub hits: usize,
    pub false_alarms: usize,
    /// Seconds of the stretch outside every pattern.
    pub noise_s: f64,
    /// Mean ticks from a pattern's onset to the first spike inside it, over the hits.
    pub latency_ticks: f64,
}

impl Score {
    pub fn hit_rate(&self) -> f64 {
        self.hits as f64 / (self.patterns.max(1)) as f64
    }
    pub fn false_alarms_per_s(&self) -> f64 {
        self.false_alarms as f64 / self.noise_s.max(1e-12)
    }
}

/// Scores the output spike ticks `fired` (sorted) on ticks [from, to) of `stream`.
pub fn score(stream: &Stream, fired: &[usize], from: usize, to: usize, tick_s: f64) -> Score {
    let len = stream.pattern_ticks;
    let onsets: Vec<usize> = stream
        .onsets
        .iter()
        .copied()
        .filter(|&o| o >= from && o + len <= to)
        .collect();
    let inside = |t: usize| {
        let k = onsets.partition_point(|&o| o <= t);
        k > 0 && t < onsets[k - 1] + len
    };
    let fired: Vec<usize> = fired
        .iter()
        .copied()
        .filter(|&t| (from..to).contains(&t))
        .collect();
    let mut hits = 0;
    let mut latency = 0usize;
    for &o in &onsets {
        let first = fired.partition_point(|&t| t < o);
        if let Some(&t) = fired.get(first).filter(|&&t| t < o + len) {
            hits += 1;
            latency += t - o;
        }
    }
    let false_alarms = fired.iter().filter(|&&t| !inside(t)).count();
    Score {
        patterns: onsets.len(),
        hits,
        false_alarms,
        noise_s: ((to - from) - onsets.len() * len) as f64 * tick_s,
        latency_ticks: latency as f64 / hits.max(1) as f64,
    }
}
