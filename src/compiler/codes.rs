//! Stable codes of the design diagnostics, each with a one-line explanation
//! (`snngen explain CODE`, docs/diagnostics.md). A code never changes meaning; a retired
//! code is not reused.

use serde::Serialize;

/// One kind of problem in a design.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Code {
    pub id: &'static str,
    pub explanation: &'static str,
}

macro_rules! codes {
    ($($name:ident = $id:literal: $text:literal;)*) => {
        $(pub const $name: &Code = &Code { id: $id, explanation: $text };)*
        /// Every code, in order.
        pub const ALL: &[Code] = &[$(Code { id: $id, explanation: $text }),*];
    };
}

codes! {
    SYNTAX = "E001": "the file is not valid YAML, or a field has the wrong type, is missing or is unknown";
    UNREADABLE = "E002": "the design file cannot be read";
    NAME = "E003": "a name is not an identifier (a letter, then letters, digits or `_`, at most 40)";
    DUPLICATE = "E004": "two chips, populations or tiles share a name (SPICE folds case, so case does not count)";
    OUT_OF_RANGE = "E005": "a number is outside the range the hardware or the physics allows";
    NOT_PHYSICAL = "E006": "a physical quantity (capacitance, resistance, step) is zero, negative or not finite";
    CHIP_COUNT = "E007": "a design has 1 to 6 chips (the motherboard's daughterboards)";
    EMPTY = "E008": "a chip has no population, or a population no neuron, or the readout no feature";
    UNKNOWN_MODE = "E009": "a population names an operating mode that is neither built in nor under `neuron_modes`";
    UNKNOWN_NAME = "E010": "a connection, route or feature names a chip, population or tile that does not exist";
    ENDPOINT = "E011": "a route or feature endpoint is malformed or used the wrong way (a target as source, a whole chip)";
    INDEX_RANGE = "E012": "an index or index range lies outside the population, tile or encoder it names";
    ROUTE_SHAPE = "E013": "a one_to_one route joins ranges of different lengths";
    ROUTE_TABLE = "E014": "the routes expand to more destinations than the router table holds";
    CONNECTION_FORM = "E015": "a connection needs exactly one of `random` and `explicit`";
    MATRIX = "E016": "a weight matrix cannot be resolved: file unreadable, not numbers, or the wrong shape";
    WEIGHT_RANGE = "E017": "a weight lies outside what its element can hold (crosspoint [0, 1], synapse [-1, 1], readout Q format)";
    Q_FORMAT = "E018": "a readout weight format is not `Qm.n` with 1 to 16 bits in all";
    WINDOW = "E019": "the readout window is too short to score every class and feature";
    TILE_THRESHOLD = "E020": "an RC-Spike comparator threshold or hysteresis is outside what the column can reach";
    DESIGN_SIZE = "E021": "the design is larger than snngen builds (neurons, synapses, crosspoints, routes, readout weights, transient points: README \"Limits\")";
    NAME_CLASH = "E022": "two names of the design become the same name in the Verilog or in a netlist (e.g. chips `a` and `a_syn` both give the port `a_syn_req`)";
    TTFS = "E023": "a TTFS network (encoder `coding: ttfs`, readout `decision: first_spike`) is not one chain input -> tiles -> readout whose layers share one neuron, or its timing is missing";
}

/// The code with this id (case does not matter).
pub fn find(id: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.id.eq_ignore_ascii_case(id.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_numbered_in_order_without_gaps() {
        for (k, c) in ALL.iter().enumerate() {
            assert_eq!(c.id, format!("E{:03}", k + 1));
            assert!(!c.explanation.is_empty());
        }
        assert_eq!(find("e012"), Some(&ALL[11]));
        assert_eq!(find("E999"), None);
    }
}
