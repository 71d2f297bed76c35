//! The reference model: the oracle every generated block is checked against.
//! `digital`: cycle-exact fixed-point models of the emitted RTL blocks.
//! `network`: the LIF network simulator for the analog side.

pub mod analog;
pub mod calibration;
pub mod chip;
pub mod digital;
pub mod network;
pub mod system;
