//! STDP learning on the core model: train on one stream with learning on, then score the
//! detector on a fresh stream with learning off; a learning curve over the training; the
//! same for fabricated copies with device variation.

use super::task::{Pattern, Score, Stream, pattern, score, stream};
use crate::flows::spintronic::setup::SpinSetup;
use crate::model::spin_core::{Core, CoreParams};
use crate::support::parallel::parallel;
use serde::Serialize;

/// The frozen pattern and the two streams a design's task makes.
#[derive(Debug, Clone)]
pub struct Streams {
    pub pattern: Pattern,
    pub train: Stream,
    pub test: Stream,
}

pub fn streams(setup: &SpinSetup) -> Streams {
    let t = &setup.design.task;
    let tick = setup.tick_s();
    let pattern = pattern(t, setup.inputs(), tick);
    let train = stream(t, &pattern, tick, t.train_s, 0);
    let test = stream(t, &pattern, tick, t.test_s, 1);
    Streams {
        pattern,
        train,
        test,
    }
}

/// Runs `core` over `stream`; the ticks at which the neuron fired.
pub fn run(params: &CoreParams, core: &mut Core, stream: &Stream, learn: bool) -> Vec<usize> {
    stream
        .ticks
        .iter()
        .enumerate()
        .filter_map(|(t, spikes)| core.tick(params, spikes, learn).then_some(t))
        .collect()
}

/// One point of the learning curve: the detector's score over one block of training.
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    /// End of the block (s of training).
    pub t_s: f64,
    pub hit_rate: f64,
    pub false_alarms_per_s: f64,
    pub output_rate_hz: f64,
}

/// A training and its test, of one fabricated copy.
#[derive(Debug, Clone)]
pub struct LearnRun {
    pub draw: u64,
    pub params: CoreParams,
    pub curve: Vec<CurvePoint>,
    pub train_fired: Vec<usize>,
    /// Weights after training (the test does not change them).
    pub weights: Vec<u32>,
    pub test_fired: Vec<usize>,
    pub test: Score,
    /// Whether each input takes part in the pattern, and the tick length (s).
    pub in_pattern: Vec<bool>,
    pub tick_s: f64,
}

/// Blocks of the learning curve (s).
pub const CURVE_BLOCK_S: f64 = 5.0;

pub fn learn(setup: &SpinSetup, streams: &Streams, draw: u64) -> LearnRun {
    let params = setup.core(draw);
    let mut core = Core::new(&params);
    let train_fired = run(&params, &mut core, &streams.train, true);
    let weights = core.weights.clone();
    let test_fired = run(&params, &mut core, &streams.test, false);
    let tick = setup.tick_s();
    let test = score(
        &streams.test,
        &test_fired,
        0,
        streams.test.ticks.len(),
        tick,
    );
    LearnRun {
        draw,
        curve: curve(&streams.train, &train_fired, tick),
        params,
        train_fired,
        weights,
        test_fired,
        test,
        in_pattern: streams.pattern.members.clone(),
        tick_s: tick,
    }
}

fn curve(train: &Stream, fired: &[usize], tick: f64) -> Vec<CurvePoint> {
    // Whole patterns per block: a pattern across a boundary would count in neither.
    let len = train.pattern_ticks;
    let block = (((CURVE_BLOCK_S / tick) / len as f64).round() as usize).max(1) * len;
    (0..train.ticks.len().div_ceil(block))
        .map(|b| {
            let (from, to) = (b * block, ((b + 1) * block).min(train.ticks.len()));
            let s = score(train, fired, from, to, tick);
            let spikes = fired.iter().filter(|&&t| (from..to).contains(&t)).count();
            CurvePoint {
                t_s: to as f64 * tick,
                hit_rate: s.hit_rate(),
                false_alarms_per_s: s.false_alarms_per_s(),
                output_rate_hz: spikes as f64 / ((to - from) as f64 * tick),
            }
        })
        .collect()
}

/// Whether a test score meets the targets: >= 90 % of the patterns detected with
/// <= 1 false alarm per second of noise.
pub fn meets_targets(s: &Score) -> bool {
    s.hit_rate() >= 0.9 && s.false_alarms_per_s() <= 1.0
}

/// The most fabricated copies one command trains (each keeps its spikes and weights).
pub const MAX_COPIES: u64 = 1000;

/// Trains fabricated copies 1..=runs (device variation) on `workers` threads.
pub fn robustness(
    setup: &SpinSetup,
    streams: &Streams,
    runs: u64,
    workers: usize,
) -> Vec<LearnRun> {
    let draws: Vec<u64> = (1..=runs).collect();
    parallel(&draws, workers, |&d| learn(setup, streams, d))
}
