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

pub fn compile(mut network: Network) -> Compiled {
    quantize::tiles(&mut network);
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

/// A small checked network for the passes' unit tests: an encoder of 3 channels, chip `a`
/// (populations x: 2, y: 3; a 2x2 tile t) and chip `b` (population z: 4).
#[cfg(test)]
pub(crate) fn test_network(routes: &str, features: &str, weights: &str) -> Network {
    let text = format!(
        "name: t
chips:
  - name: a
    populations:
      - {{name: x, count: 2, mode: regular}}
      - {{name: y, count: 3, mode: leaky}}
    rc_spike:
      - {{name: t, inputs: 2, outputs: 2, r_unit_gohm: 1, c_mem_ff: 100, vsyn: 0.5,
          threshold_v: 0.2, weights: {{inline: [[1, 0.5], [0, 1]]}}}}
  - name: b
    populations:
      - {{name: z, count: 4, mode: regular}}
fpga:
  encoder: {{channels: 3, sample_bits: 8}}
  router:
    routes: {routes}
  readout:
    features: {features}
    classes: 2
    window_cycles: 512
    count_bits: 8
    weight_format: Q2.6
    weights: {{inline: {weights}}}
"
    );
    let loaded = crate::compiler::design::load_design_str("test.yaml", &text).unwrap();
    crate::compiler::ir::build(&loaded).unwrap_or_else(|d| panic!("{d}"))
}
