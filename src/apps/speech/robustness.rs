//! Robustness as in the seed system: the nominal readout on mismatched chips and at other
//! temperatures, then a readout retrained for each chip instance and temperature.

use super::dataset::{Utterance, Validation};
use super::encode::encode;
use super::readout::{accuracy, refit, split};
use super::reservoir::Reservoir;
use super::setup::Setup;
use crate::device::mismatch;
use crate::device::neuron::NeuronParams;
use crate::support::progress::{Progress, Verbosity};
use serde::Serialize;

/// One chip instance (`run` 0 = nominal, else a mismatch draw) at one temperature.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    pub temperature_c: f64,
    pub run: u32,
    /// Validation accuracy of the readout trained on the nominal chip at the design's
    /// temperature.
    pub nominal_readout: f64,
    /// Validation accuracy after retraining on this chip at this temperature (same penalty).
    pub retrained: f64,
}

/// Mean, spread and worst case over the mismatch draws at one temperature.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub temperature_c: f64,
    pub draws: usize,
    /// The nominal chip at this temperature, nominal readout and retrained.
    pub nominal_chip: f64,
    pub nominal_chip_retrained: f64,
    pub mismatch_mean: f64,
    pub mismatch_std: f64,
    pub mismatch_min: f64,
    pub retrained_mean: f64,
    pub retrained_std: f64,
    pub retrained_min: f64,
}

/// Behavioural parameters of every neuron of the reservoir under draw `run` of a sweep
/// seeded `seed`; instances are numbered through the chips as `snngen mc` numbers them.
pub fn drawn_params(nominal: &[Vec<NeuronParams>], seed: u64, run: u32) -> Vec<Vec<NeuronParams>> {
    let mut instance = 0u64;
    nominal
        .iter()
        .map(|chip| {
            chip.iter()
                .map(|p| {
                    let d = mismatch::draw(seed, run as u64, instance);
                    instance += 1;
                    mismatch::neuron_params(p, &d)
                })
                .collect()
        })
        .collect()
}

/// Everything the sweep needs from a training run.
pub struct Trained<'a> {
    pub setup: &'a Setup,
    pub frames: &'a [Vec<Vec<u32>>],
    pub utts: &'a [Utterance],
    pub validation: &'a Validation,
    pub weights: &'a [Vec<i64>],
    pub lambda: f64,
}

/// Runs draws 0..=runs at every temperature (temperature by temperature, draws in order).
pub fn sweep(
    t: &Trained,
    runs: u32,
    temps: &[f64],
    seed: u64,
    jobs: usize,
    verbosity: Verbosity,
) -> Vec<Condition> {
    let progress = Progress::new(
        verbosity,
        "robustness (chips x temperatures)",
        temps.len() as u64 * (runs as u64 + 1),
    );
    let mut out = Vec::new();
    for &celsius in temps {
        for run in 0..=runs {
            out.push(condition(t, celsius, run, seed, jobs));
            progress.inc();
        }
    }
    out
}

/// Draw `run` (0: the nominal chip) at `celsius`: the nominal readout's accuracy on it, and a
/// readout's retrained on it. Depends on nothing else, so a cluster task can run it alone.
pub fn condition(t: &Trained, celsius: f64, run: u32, seed: u64, jobs: usize) -> Condition {
    let mut reservoir = Reservoir::new(&t.setup.rendered, celsius);
    if run > 0 {
        let nominal = reservoir.neuron_params();
        reservoir.set_neuron_params(&drawn_params(&nominal, seed, run));
    }
    let encoded = encode(t.setup, &reservoir, t.frames, jobs, Verbosity::Quiet);
    let (train_x, train_y) = split(t.utts, &encoded, t.validation, false);
    let (val_x, val_y) = split(t.utts, &encoded, t.validation, true);
    let retrained = refit(t.setup, (&train_x, &train_y), t.lambda);
    Condition {
        temperature_c: celsius,
        run,
        nominal_readout: accuracy(t.setup, t.weights, &val_x, &val_y),
        retrained: accuracy(t.setup, &retrained, &val_x, &val_y),
    }
}

impl Condition {
    /// Its robustness.csv row (shortest text that reads back to the same numbers).
    pub fn csv_row(&self) -> String {
        format!(
            "{},{},{},{}",
            self.temperature_c, self.run, self.nominal_readout, self.retrained
        )
    }

    /// A robustness.csv row read back.
    pub fn from_csv_row(row: &str) -> Option<Condition> {
        let f: Vec<&str> = row.split(',').collect();
        let [t, run, nominal, retrained] = f[..] else {
            return None;
        };
        let accuracy = |s: &str| s.parse::<f64>().ok().filter(|a| (0.0..=1.0).contains(a));
        Some(Condition {
            temperature_c: t.parse().ok()?,
            run: run.parse().ok()?,
            nominal_readout: accuracy(nominal)?,
            retrained: accuracy(retrained)?,
        })
    }
}

/// Mean, sample standard deviation and minimum; NaN for all three without values.
fn stats(v: &[f64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (
        mean,
        var.sqrt(),
        v.iter().fold(f64::INFINITY, |m, &x| m.min(x)),
    )
}

pub fn summarize(conditions: &[Condition]) -> Vec<Row> {
    let mut temps: Vec<f64> = conditions.iter().map(|c| c.temperature_c).collect();
    temps.dedup();
    temps
        .into_iter()
        .map(|t| {
            let at: Vec<&Condition> = conditions.iter().filter(|c| c.temperature_c == t).collect();
            let nominal = at.iter().find(|c| c.run == 0);
            let drawn: Vec<&&Condition> = at.iter().filter(|c| c.run > 0).collect();
            let before: Vec<f64> = drawn.iter().map(|c| c.nominal_readout).collect();
            let after: Vec<f64> = drawn.iter().map(|c| c.retrained).collect();
            let (bm, bs, bmin) = stats(&before);
            let (am, asd, amin) = stats(&after);
            Row {
                temperature_c: t,
                draws: drawn.len(),
                nominal_chip: nominal.map_or(f64::NAN, |c| c.nominal_readout),
                nominal_chip_retrained: nominal.map_or(f64::NAN, |c| c.retrained),
                mismatch_mean: bm,
                mismatch_std: bs,
                mismatch_min: bmin,
                retrained_mean: am,
                retrained_std: asd,
                retrained_min: amin,
            }
        })
        .collect()
}
