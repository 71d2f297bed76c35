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
/// to the largest |w|; a weight takes the nearest level of its sign.
pub fn crosspoint_levels(weights: &[f64], bits: u32) -> Vec<f64> {
    let steps = f64::from((1u32 << bits.min(31)) - 1);
    let top = weights.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if top == 0.0 {
        return weights.to_vec();
    }
    weights
        .iter()
        .map(|&x| (x / top * steps).round() / steps * top)
        .collect()
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
    fn weights_round_to_the_nearest_step_ties_away_from_zero() {
        // Q2.6: steps of 1/64; -2 and 127/64 are the ends of the range.
        let net = test_network("[]", r#"["a.x"]"#, "[[0.5, -2], [0.0078125, -0.0078125]]");
        let q = run(&net);
        // 0.0078125 is half a step: it rounds away from zero to +-1.
        assert_eq!(q.weights, vec![vec![32, -128], vec![1, -1]]);
    }
}
