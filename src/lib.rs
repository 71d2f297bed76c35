//! snngen: one spiking-network design, lowered to Verilog for the FPGA side and ngspice
//! netlists for the analog side, checked with the real tools.
//!
//! Pipeline, one module per stage: `design` (YAML schema) -> `ir` (graph, validation)
//! -> `passes` (placement, routing, quantization) -> `lower` (per-target view models)
//! -> `emit` (askama templates) -> `output` (atomic write). `runner` drives the external tools.

pub mod bench;
pub mod build;
pub mod characterize;
pub mod cli;
pub mod cosim;
pub mod design;
pub mod diag;
pub mod emit;
pub mod error;
pub mod ir;
pub mod lower;
pub mod mismatch;
pub mod montecarlo;
pub mod output;
pub mod passes;
pub mod plot;
pub mod reference;
pub mod runner;
pub mod speech;

pub use error::{Error, Result};
