//! The spintronic devices and their learning network against ngspice and Verilator:
//! `devices` runs the macro-models (neuron switching Monte-Carlo, synapse STDP window) and
//! compares them with the behavioural model; `rtl` co-simulates the emitted learning core
//! with the bit-exact network model.

pub mod devices;
pub mod rtl;
