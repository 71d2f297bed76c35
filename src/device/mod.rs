//! The technology: the process (model cards, neuron operating modes), the synapse bias DAC,
//! the behavioural neuron and RC-Spike tile physics, the calibration fitted in ngspice and
//! the mismatch draws. No I/O besides loading its bundled data; no designs, no tools.

pub mod calibration;
pub mod dac;
pub mod mismatch;
pub mod neuron;
pub mod process;
pub mod spintronic;
pub mod tile;
