//! The ablation baseline `snngen train` reports beside the reservoir: what a readout with the
//! same number of weights makes of the front end's frames alone, without the chips. A
//! reservoir earns its place only by scoring above it.

use super::dataset::{Utterance, Validation};
use super::readout::{LAMBDAS, split};
use super::ridge::{Normal, argmax};
use super::setup::Setup;

/// Time bins of the front end's frames that give a readout at most as many weights per class
/// as the reservoir's (`bins x features`, e.g. 2 x 288 = 12 x 48 channels), at least one.
pub fn front_end_bins(setup: &Setup) -> usize {
    (setup.bins * setup.params.features.len() / setup.params.channels).max(1)
}

/// One recording's frames (`frames x channels`) summed over `bins` near-equal slices of the
/// frames, bin-major, then a constant 1 for the bias.
pub fn pooled(frames: &[Vec<u32>], bins: usize) -> Vec<f64> {
    let channels = frames.first().map_or(0, Vec::len);
    let mut x = vec![0.0; bins * channels + 1];
    for (k, row) in frames.iter().enumerate() {
        let bin = k * bins / frames.len();
        for (c, &v) in row.iter().enumerate() {
            x[bin * channels + c] += f64::from(v);
        }
    }
    x[bins * channels] = 1.0;
    x
}

/// Validation accuracy of a floating-point ridge readout with a bias, the penalty chosen on
/// the validation part as for the reservoir's readout: the float weights and the bias can
/// only flatter the baseline against the reservoir's quantized readout.
pub fn float_ridge_accuracy(
    classes: usize,
    train: (&[&Vec<f64>], &[u32]),
    val: (&[&Vec<f64>], &[u32]),
) -> f64 {
    let rows: Vec<Vec<f64>> = train.0.iter().map(|x| (*x).clone()).collect();
    let normal = Normal::new(&rows, train.1, classes);
    let correct = |w: &[Vec<f64>]| {
        val.0
            .iter()
            .zip(val.1)
            .filter(|(x, y)| {
                let score = |row: &Vec<f64>| row.iter().zip(x.iter()).map(|(a, b)| a * b).sum();
                argmax(w.iter().map(score)) == **y
            })
            .count()
    };
    let best = LAMBDAS
        .iter()
        .map(|&l| correct(&normal.solve(l)))
        .max()
        .unwrap_or(0);
    best as f64 / val.1.len().max(1) as f64
}

/// Validation accuracy of the front end alone at the reservoir readout's size.
pub fn front_end_only_accuracy(
    setup: &Setup,
    utts: &[Utterance],
    frames: &[Vec<Vec<u32>>],
    validation: &Validation,
) -> f64 {
    let bins = front_end_bins(setup);
    let features: Vec<Vec<f64>> = frames.iter().map(|f| pooled(f, bins)).collect();
    let train = split(utts, &features, validation, false);
    let val = split(utts, &features, validation, true);
    float_ridge_accuracy(
        setup.params.classes as usize,
        (&train.0, &train.1),
        (&val.0, &val.1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_sums_equal_slices_of_frames_and_appends_a_bias() {
        let frames: Vec<Vec<u32>> = (0..6).map(|k| vec![k, 10 * k]).collect();
        // Bins of frames 0-1, 2-3 and 4-5, channels interleaved.
        assert_eq!(
            pooled(&frames, 3),
            vec![1.0, 10.0, 5.0, 50.0, 9.0, 90.0, 1.0]
        );
    }
}
