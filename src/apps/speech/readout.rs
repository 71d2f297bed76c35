//! The readout: ridge regression on binned counts, the penalty chosen on the validation
//! split, quantized to the design's fixed-point format; decisions as the RTL's sums make them.

use super::dataset::{Utterance, Validation};
use super::encode::Encoded;
use super::ridge::{self, Normal};
use super::setup::Setup;
use crate::model::digital::readout_decision;
use serde::{Deserialize, Serialize};

/// Ridge penalties tried on the validation split (relative to the mean feature energy).
pub const LAMBDAS: [f64; 9] = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];

fn as_features(e: &[&Encoded]) -> Vec<Vec<f64>> {
    e.iter()
        .map(|e| e.counts.iter().map(|&c| c as f64).collect())
        .collect()
}

/// The readout's decision on binned counts with raw fixed-point weights (the RTL's sums).
pub fn decide(setup: &Setup, weights: &[Vec<i64>], counts: &[u32]) -> u32 {
    readout_decision(weights, counts, setup.params.acc_w).0
}

pub fn accuracy(setup: &Setup, weights: &[Vec<i64>], data: &[&Encoded], labels: &[u32]) -> f64 {
    let correct = data
        .iter()
        .zip(labels)
        .filter(|(e, y)| decide(setup, weights, &e.counts) == **y)
        .count();
    correct as f64 / data.len().max(1) as f64
}

/// A trained readout and how it was chosen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fit {
    pub lambda: f64,
    pub validation_accuracy: f64,
    /// Raw fixed-point weights, `classes` rows of `bins * features`.
    pub weights: Vec<Vec<i64>>,
}

/// The validation (`val`) or training part of encoded recordings (or of any per-recording
/// values), with their digits.
pub fn split<'e, T>(
    utts: &[Utterance],
    encoded: &'e [T],
    validation: &Validation,
    val: bool,
) -> (Vec<&'e T>, Vec<u32>) {
    utts.iter()
        .zip(encoded)
        .filter(|(u, _)| validation.holds(u) == val)
        .map(|(u, e)| (e, u.digit))
        .unzip()
}

fn normal_equations(setup: &Setup, train: (&[&Encoded], &[u32])) -> Normal {
    Normal::new(
        &as_features(train.0),
        train.1,
        setup.params.classes as usize,
    )
}

/// Ridge weights for `lambda`, quantized to the readout's format.
fn quantized(setup: &Setup, normal: &Normal, lambda: f64) -> Vec<Vec<i64>> {
    ridge::quantize(
        &normal.solve(lambda),
        &setup.rendered.compiled.network.readout.format,
    )
}

/// Fits the readout on `train`, choosing the penalty by quantized accuracy on `val`.
pub fn fit_readout(setup: &Setup, train: (&[&Encoded], &[u32]), val: (&[&Encoded], &[u32])) -> Fit {
    let normal = normal_equations(setup, train);
    let mut best: Option<Fit> = None;
    for &lambda in &LAMBDAS {
        let weights = quantized(setup, &normal, lambda);
        let acc = accuracy(setup, &weights, val.0, val.1);
        // On a tie the larger penalty wins: the smoother readout is the safer bet on data
        // it has not seen.
        if best.as_ref().is_none_or(|b| acc >= b.validation_accuracy) {
            best = Some(Fit {
                lambda,
                validation_accuracy: acc,
                weights,
            });
        }
    }
    best.expect("at least one penalty")
}

/// Fits the readout on `train` with a given penalty and quantizes it.
pub fn refit(setup: &Setup, train: (&[&Encoded], &[u32]), lambda: f64) -> Vec<Vec<i64>> {
    quantized(setup, &normal_equations(setup, train), lambda)
}

/// The weights as the design's CSV matrix format: real values, exact in the fixed-point
/// format, one row per class.
pub fn weights_csv(setup: &Setup, weights: &[Vec<i64>]) -> String {
    let format = setup.rendered.compiled.network.readout.format;
    let mut text = format!(
        "# readout weights written by snngen train: {} classes x ({} bins x {} features), Q{}.{}\n",
        weights.len(),
        setup.bins,
        setup.params.features.len(),
        format.int_bits,
        format.frac_bits
    );
    for row in weights {
        let cells: Vec<String> = row
            .iter()
            .map(|&w| format!("{}", format.to_real(w)))
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}
