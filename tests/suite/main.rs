//! The integration tests, one binary: the test harness spreads all of them over the cores
//! (with a binary per file, cargo ran the files one after another, and a file whose last
//! test ran alone left a core idle), and the library is linked once.
//! Run one file's tests with `cargo test --release --test suite FILE::`, e.g. `cosim::`.

mod common;

mod analog;
mod architecture;
mod build_output;
mod cosim;
mod datasets;
mod fpga;
mod fuzz;
mod hostile;
mod montecarlo;
mod rcspike;
mod rcspike_cli;
mod slurm;
mod snapshots;
mod speech;
mod spintronic;
mod tools;
