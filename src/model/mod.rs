//! The oracle every generated block is checked against: `digital` (cycle-exact models of the
//! emitted FPGA blocks, bit for bit), `chip` (one analog chip in behaviour, from the device
//! physics) and `system` (a whole design from input samples to class decisions) and `ttfs` (the RC-Spike
//! time-to-first-spike neuron, exact and event-driven, with the gradients of its firing time;
//! `ttfs_network` stacks it into feed-forward layers with a backward pass).

pub mod chip;
pub mod digital;
pub mod spin_core;
pub mod system;
pub mod ttfs;
pub mod ttfs_network;
