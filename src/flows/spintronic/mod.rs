//! The spintronic devices and their learning network against ngspice and Verilator:
//! `devices` runs the macro-models (neuron switching Monte-Carlo, synapse STDP window) and
//! compares them with the behavioural model; `setup` reads a network design and its device
//! card into the learning core's constants; `rtl` co-simulates the emitted learning core
//! with the bit-exact network model.

pub mod build;
pub mod devices;
pub mod rtl;
pub mod setup;
