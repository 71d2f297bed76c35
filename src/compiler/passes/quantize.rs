//! Readout weights into the design's signed fixed-point format (round to nearest), and
//! crosspoint weights onto their tile's conductance levels (`bits`).

use super::PassInfo;
use crate::compiler::ir::Network;

pub const INFO: PassInfo = PassInfo {
    name: "quantize",
    description: "round readout weights to the signed Qm.n format and crosspoint weights to their tile's levels",
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantizedReadout {
    /// `classes` rows of raw two's-complement weights, one per feature.
    pub weights: Vec<Vec<i64>>,
}

/// Puts the weights of every tile that has `bits` on its levels (the crossbar the netlist
/// holds, and the one a trained model is evaluated on).
pub fn tiles(net: &mut Network) {
    for tile in net.chips.iter_mut().flat_map(|c| c.tiles.iter_mut()) {
        if let Some(bits) = tile.bits {
            let flat: Vec<f64> = tile.weights.iter().flatten().copied().collect();
            let levels = crosspoint_levels(&flat, bits);
            let mut it = levels.into_iter();
            for w in tile.weights.iter_mut().flatten() {
                *w = it.next().unwrap_or(0.0);
            }
        }
    }
}

/// `weights` on a crossbar whose crosspoints hold `bits` bits: each sign has its own
/// crosspoint, whose conductance is one of 2^bits evenly spaced levels from 0 (no device)
/// to the tile's top level; a weight takes the nearest level of its sign, and one above the
/// top level takes the top (see `top_level`).
pub fn crosspoint_levels(weights: &[f64], bits: u32) -> Vec<f64> {
    let steps = f64::from((1u32 << bits.min(31)) - 1);
    let top = top_level(weights, steps);
    if top == 0.0 {
        return weights.to_vec();
    }
    weights
        .iter()
        .map(|&x| x.signum() * on_level(x.abs(), top, steps))
        .collect()
}

/// |w| on levels k top / steps, k = 0..=steps.
fn on_level(magnitude: f64, top: f64, steps: f64) -> f64 {
    (magnitude / top * steps).round().min(steps) / steps * top
}

/// The top level that makes the squared rounding error over the tile least, among
/// `TOP_CANDIDATES` evenly spaced fractions of the largest |w| (the largest itself
/// included). Trained weights are peaked at 0 with a long thin tail: a top at the largest
/// |w| spends most levels on a handful of weights and rounds nearly half of a 784-input
/// layer to no device, while clipping those few to a lower top keeps the many small ones.
/// The error is summed over a histogram of |w|, so the search costs the same for any tile.
fn top_level(weights: &[f64], steps: f64) -> f64 {
    const BINS: usize = 4096;
    const TOP_CANDIDATES: usize = 256;
    let largest = weights.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if largest == 0.0 {
        return 0.0;
    }
    let mut counts = vec![0u32; BINS];
    for x in weights {
        counts[((x.abs() / largest * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let error = |top: f64| -> f64 {
        counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(b, &n)| {
                let magnitude = (b as f64 + 0.5) / BINS as f64 * largest;
                f64::from(n) * (magnitude - on_level(magnitude, top, steps)).powi(2)
            })
            .sum()
    };
    (1..=TOP_CANDIDATES)
        .map(|k| largest * k as f64 / TOP_CANDIDATES as f64)
        .map(|top| (error(top), top))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(largest, |(_, top)| top)
}

pub fn run(net: &Network) -> QuantizedReadout {
    let f = net.readout.format;
    QuantizedReadout {
        weights: net
            .readout
            .weights
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&w| f.quantize(w).expect("validated: weights fit the format"))
                    .collect()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::passes::test_network;

    #[test]
    fn crosspoint_weights_sit_on_evenly_spaced_levels_of_each_sign() {
        // 2 bits: levels 0, 0.3, 0.6, 0.9 of either sign.
        let q = crosspoint_levels(&[0.9, -0.3, 0.05, -0.9, 0.44], 2);
        for (q, e) in q.iter().zip([0.9, -0.3, 0.0, -0.9, 0.3]) {
            assert!((q - e).abs() < 1e-15, "{q} vs {e}");
        }
    }

    #[test]
    fn a_lone_large_weight_clips_to_a_top_level_that_keeps_the_small_ones() {
        // 2,000 weights spread over +-0.1 and one of 1: at 2 bits a top of 1 would round
        // every small one to no device (squared error about 6.7, against about 1.1 with
        // the lone one clipped to a top near 0.15).
        let mut w: Vec<f64> = (0..2000)
            .map(|i| (f64::from(i) - 999.5) / 10_000.0)
            .collect();
        w.push(1.0);
        let q = crosspoint_levels(&w, 2);
        let top = q[2000];
        assert!(top < 0.5 && top > 0.05, "top level {top}");
        for x in &q {
            let k = x.abs() / top * 3.0;
            assert!(
                (k - k.round()).abs() < 1e-9 && k.round() <= 3.0,
                "{x} is off the levels"
            );
        }
        let squared = |q: &[f64]| -> f64 { w.iter().zip(q).map(|(a, b)| (a - b).powi(2)).sum() };
        let at_largest: Vec<f64> = w.iter().map(|x| (x * 3.0).round() / 3.0).collect();
        assert!(squared(&q) < 0.5 * squared(&at_largest));
        assert!(
            q[..2000].iter().any(|x| *x != 0.0),
            "small weights keep devices"
        );
    }

    #[test]
    fn weights_round_to_the_nearest_step_ties_away_from_zero() {
        // Q2.6: steps of 1/64; -2 and 127/64 are the ends of the range.
        let net = test_network("[]", r#"["a.x"]"#, "[[0.5, -2], [0.0078125, -0.0078125]]");
        let q = run(&net);
        // 0.0078125 is half a step: it rounds away from zero to +-1.
        assert_eq!(q.weights, vec![vec![32, -128], vec![1, -1]]);
    }
}
