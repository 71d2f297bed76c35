//! Benchmarks behind `snngen bench`: each one builds its workload, times it and returns a report
//! with a human table and a JSON form. Speed targets live here, not in timed tests.
//!
//! - `cuba`: the CUBA network of Vogels & Abbott (2005) on `network`, the fast LIF network
//!   simulator, the same network as Brian2's `examples/CUBA.py`; `benches/brian2_cuba.py`
//!   runs it in Brian2 for the side-by-side in BENCHMARKS.md.
//! - `mc`: the Monte-Carlo runner against raw ngspice on the same decks.
//! - `ttfs`: the TTFS trainer on one worker against two, same images, same weights; then an
//!   evaluation.
//! - `fpga`: the FPGA flow on designs with a bus per chip and with the shared AER bus.
//! - `slurm`: a Monte-Carlo sweep locally and through Slurm at several array chunk sizes.
//! - `spin`: the spintronic learning core in its model and in Verilator.

pub mod cuba;
pub mod fpga;
pub mod mc;
pub mod network;
pub mod slurm;
pub mod spin;
pub mod ttfs;
