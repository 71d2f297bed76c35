//! The oracle every generated block is checked against: `digital` (cycle-exact models of the
//! emitted FPGA blocks, bit for bit), `chip` (one analog chip in behaviour, from the device
//! physics) and `system` (a whole design from input samples to class decisions).

pub mod chip;
pub mod digital;
pub mod system;
