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
