//! Named passes from the checked IR to everything the lowering stages need.
//! Each pass reads the network (and the results of earlier passes) and adds one result.

pub mod place;
pub mod quantize;
pub mod route;

use crate::compiler::ir::Network;
pub use place::{ChipLayout, Layout};
pub use quantize::QuantizedReadout;
pub use route::{Destination, RoutingTable};

/// A pass's name and what it does, for `snngen passes` and the build log.
pub struct PassInfo {
    pub name: &'static str,
    pub description: &'static str,
}

/// The passes in the order `compile` runs them.
pub const PIPELINE: [PassInfo; 3] = [place::INFO, route::INFO, quantize::INFO];

/// The network with the results of every pass.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub network: Network,
    pub layout: Layout,
    pub routing: RoutingTable,
    pub readout: QuantizedReadout,
}

pub fn compile(network: Network) -> Compiled {
    let layout = place::run(&network);
    let routing = route::run(&network, &layout);
    let readout = quantize::run(&network);
    Compiled {
        network,
        layout,
        routing,
        readout,
    }
}
