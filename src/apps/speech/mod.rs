//! Spoken-digit reservoir computing on a design (the seed system's task): recordings ->
//! front end -> encoder -> the design's chips as a reservoir -> binned spike counts -> a
//! fixed-point linear readout trained by ridge regression. `snngen train` and `snngen eval`.
//!
//! In order of use: `dataset` (FSDD files), `frontend` (audio to encoder samples), `setup`
//! (a design prepared for the task), `reservoir` (the chips, fast), `encode` (recordings to
//! spikes and counts), `ridge` and `readout` (training and decisions), `baseline` (the front end alone, for comparison), `model` (a
//! trained model on disk), `train`, `robustness` (mismatch and temperature), `energy`, `eval`.

pub mod baseline;
pub mod dataset;
pub mod encode;
pub mod energy;
pub mod eval;
pub mod frontend;
pub mod model;
pub mod readout;
pub mod reservoir;
pub mod ridge;
pub mod robustness;
pub mod robustness_slurm;
pub mod setup;
pub mod train;

pub use dataset::{Utterance, list_recordings};
pub use frontend::FrontEnd;
pub use reservoir::{Reservoir, Timing};
