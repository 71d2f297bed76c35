//! Routing table: for every global source, the ordered list of (chip, synapse) destinations.

use super::{Layout, PassInfo};
use crate::compiler::ir::Network;

pub const INFO: PassInfo = PassInfo {
    name: "route",
    description: "expand routes into the router's per-source destination table",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destination {
    pub chip: u32,
    pub synapse: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingTable {
    /// Indexed by global source address; destinations in route order, then pair order.
    pub by_source: Vec<Vec<Destination>>,
}

impl RoutingTable {
    pub fn destination_count(&self) -> usize {
        self.by_source.iter().map(Vec::len).sum()
    }
}

pub fn run(net: &Network, layout: &Layout) -> RoutingTable {
    let mut by_source = vec![Vec::new(); layout.total_sources as usize];
    for route in net.routes() {
        for &(s, t) in route.pairs {
            let (chip, synapse) = layout.target_address(net, route.target, t);
            by_source[layout.source_address(net, route.source, s) as usize]
                .push(Destination { chip, synapse });
        }
    }
    RoutingTable { by_source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compiler::passes::{place, test_network};

    #[test]
    fn routes_expand_in_design_order_per_source() {
        let net = test_network(
            r#"[{from: "input[0..2]", to: "a.x"},
                {from: "input[0]", to: "b.z[1..3]"},
                {from: "a.y[0..2]", to: "a.t.in", pattern: all_to_all}]"#,
            r#"["b.z[0]"]"#,
            "[[0], [0]]",
        );
        let t = run(&net, &place::run(&net));
        let d = |chip, synapse| Destination { chip, synapse };
        // input[0]: its one_to_one route first, then its fan-out to b.z[1..3].
        assert_eq!(t.by_source[0], vec![d(0, 0), d(1, 1), d(1, 2)]);
        assert_eq!(t.by_source[1], vec![d(0, 1)]);
        assert!(t.by_source[2].is_empty());
        // a.y[0] and a.y[1] (sources 5 and 6) each reach both tile inputs (synapses 5, 6).
        assert_eq!(t.by_source[5], vec![d(0, 5), d(0, 6)]);
        assert_eq!(t.by_source[6], vec![d(0, 5), d(0, 6)]);
        assert_eq!(t.destination_count(), 2 + 2 + 4);
    }
}
