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
