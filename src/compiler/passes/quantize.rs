//! Readout weights into the design's signed fixed-point format (round to nearest).

use super::PassInfo;
use crate::compiler::ir::Network;

pub const INFO: PassInfo = PassInfo {
    name: "quantize",
    description: "round readout weights to the signed Qm.n format",
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantizedReadout {
    /// `classes` rows of raw two's-complement weights, one per feature.
    pub weights: Vec<Vec<i64>>,
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
    fn weights_round_to_the_nearest_step_ties_away_from_zero() {
        // Q2.6: steps of 1/64; -2 and 127/64 are the ends of the range.
        let net = test_network("[]", r#"["a.x"]"#, "[[0.5, -2], [0.0078125, -0.0078125]]");
        let q = run(&net);
        // 0.0078125 is half a step: it rounds away from zero to +-1.
        assert_eq!(q.weights, vec![vec![32, -128], vec![1, -1]]);
    }
}
