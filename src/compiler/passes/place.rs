//! Address assignment: one global AER source space for the whole system and one synapse
//! input space per chip.
//!
//! Sources: encoder channels first, then per chip its neurons (population order) followed by
//! its tile outputs. A chip's synapse inputs: one external input per neuron, then tile inputs.

use super::PassInfo;
use crate::compiler::ir::{Network, Node};
use petgraph::stable_graph::NodeIndex;

pub const INFO: PassInfo = PassInfo {
    name: "place",
    description: "assign global AER source addresses and per-chip synapse input addresses",
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipLayout {
    /// Global address of the chip's first source.
    pub source_offset: u32,
    /// Neurons followed by tile outputs.
    pub sources: u32,
    /// Neuron inputs followed by tile inputs.
    pub synapse_inputs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub encoder_channels: u32,
    pub chips: Vec<ChipLayout>,
    pub total_sources: u32,
    /// Global source address of each readout feature, in feature order.
    pub features: Vec<u32>,
}

pub fn run(net: &Network) -> Layout {
    let mut offset = net.encoder.channels;
    let chips = net
        .chips
        .iter()
        .map(|c| {
            let l = ChipLayout {
                source_offset: offset,
                sources: c.neuron_count() + c.tile_outputs(),
                synapse_inputs: c.neuron_count() + c.tile_inputs(),
            };
            offset += l.sources;
            l
        })
        .collect();
    let mut layout = Layout {
        encoder_channels: net.encoder.channels,
        chips,
        total_sources: offset,
        features: Vec::new(),
    };
    layout.features = net
        .readout
        .features
        .iter()
        .flat_map(|(node, range)| range.clone().map(|i| layout.source_address(net, *node, i)))
        .collect();
    layout
}

impl Layout {
    /// Global source address of index `i` of a source node.
    pub fn source_address(&self, net: &Network, node: NodeIndex, i: u32) -> u32 {
        match net.graph[node] {
            Node::Encoder => i,
            Node::Population { chip, index } => {
                self.chips[chip].source_offset + net.chips[chip].population_offset(index) + i
            }
            Node::TileOutputs { chip, index } => {
                let c = &net.chips[chip];
                let before: u32 = c.tiles[..index].iter().map(|t| t.outputs).sum();
                self.chips[chip].source_offset + c.neuron_count() + before + i
            }
            Node::TileInputs { .. } | Node::Readout => unreachable!("validated: not a source"),
        }
    }

    /// Chip and synapse input address of index `i` of a target node.
    pub fn target_address(&self, net: &Network, node: NodeIndex, i: u32) -> (u32, u32) {
        match net.graph[node] {
            Node::Population { chip, index } => {
                (chip as u32, net.chips[chip].population_offset(index) + i)
            }
            Node::TileInputs { chip, index } => {
                let c = &net.chips[chip];
                let before: u32 = c.tiles[..index].iter().map(|t| t.inputs).sum();
                (chip as u32, c.neuron_count() + before + i)
            }
            Node::Encoder | Node::TileOutputs { .. } | Node::Readout => {
                unreachable!("validated: not a target")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::passes::test_network;

    #[test]
    fn sources_are_encoder_then_each_chip_neurons_then_tile_outputs() {
        let net = test_network(
            "[]",
            r#"["input[2]", "a.y[1]", "a.t.out[1]", "b.z[3]"]"#,
            "[[0, 0, 0, 0], [0, 0, 0, 0]]",
        );
        let l = run(&net);
        // Encoder 0..3; chip a: 5 neurons + 2 tile outputs at 3..10; chip b: 4 at 10..14.
        assert_eq!(
            l.chips,
            vec![
                ChipLayout {
                    source_offset: 3,
                    sources: 7,
                    synapse_inputs: 7,
                },
                ChipLayout {
                    source_offset: 10,
                    sources: 4,
                    synapse_inputs: 4,
                },
            ]
        );
        assert_eq!(l.total_sources, 14);
        // input[2] = 2; a.y[1] = 3 + 2 + 1; a.t.out[1] = 3 + 5 + 1; b.z[3] = 10 + 3.
        assert_eq!(l.features, vec![2, 6, 9, 13]);
    }

    #[test]
    fn targets_are_neuron_inputs_then_tile_inputs_per_chip() {
        let net = test_network("[]", r#"["b.z[0]"]"#, "[[0], [0]]");
        let l = run(&net);
        let node = |name: &str| net.names[name];
        assert_eq!(l.target_address(&net, node("a.y"), 2), (0, 4));
        assert_eq!(l.target_address(&net, node("a.t.in"), 1), (0, 6));
        assert_eq!(l.target_address(&net, node("b.z"), 3), (1, 3));
    }
}
