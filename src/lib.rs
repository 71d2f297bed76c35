//! snngen: one spiking-network design, lowered to Verilog for the FPGA side and ngspice
//! netlists for the analog side, checked with the real tools.
//!
//! # Layers
//!
//! The source tree is layered; each folder is one layer, listed here from the bottom up:
//!
//! | layer      | what it holds |
//! |------------|---------------|
//! | `support`  | leaves: errors and diagnostics, file access, IDX datasets, atomic output, thread pool, progress, statistics, fitting, plots |
//! | `device`   | the technology: process and modes, bias DAC, neuron and tile physics, calibration, mismatch draws |
//! | `compiler` | design -> ir -> passes -> lower -> emit: text in, text out, no external tools |
//! | `model`    | the oracle: cycle-exact digital blocks, behavioural chips, the whole system |
//! | `tools`    | one module per external program: find it, run it with a timeout, typed errors |
//! | `flows`    | what a command does: build, cosim, measure, characterize, montecarlo |
//! | `apps`     | task pipelines on top: speech, bench |
//! | `cli`      | clap types, one file per command, the table-or-JSON reports |
//!
//! **The rule:** a file uses only its own layer and the layers below it, and no file imports
//! one that imports it back (no cycles, inside a layer too). A folder's `mod.rs` declaring
//! and re-exporting its own files is not an import (its files may use what it defines, as
//! `../shared/tools/modgraph.py` counts it); a path through such a re-export counts as an
//! import of the file that defines the item. `tests/suite/architecture.rs` reads every `crate::`,
//! `super::` and `self::` path in `src/` (test code aside) and fails on an upward import
//! or a cycle.
//!
//! The device physics sits below the compiler because the compiler lowers it: bias DAC
//! voltages and operating modes go into every netlist, while the physics knows nothing of
//! designs.

pub mod apps;
pub mod cli;
pub mod compiler;
pub mod device;
pub mod flows;
pub mod model;
pub mod support;
pub mod tools;

pub use support::error::{Error, Result};
