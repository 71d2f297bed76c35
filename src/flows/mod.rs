//! What each command does, as library code: `build` (write a design's output, lint and
//! synthesize it), `cosim` (the RTL against the model in Verilator or Icarus), `measure`
//! (cells in ngspice), `characterize` (sweeps and fits), `montecarlo` (mismatch and
//! temperature sweeps).

pub mod build;
pub mod characterize;
pub mod cluster;
pub mod cosim;
pub mod fpga;
pub mod measure;
pub mod montecarlo;
pub mod spintronic;
