//! Spoken-digit reservoir computing on a design (the seed system's task): recordings ->
//! front end -> encoder -> the design's chips as a reservoir -> binned spike counts -> a
//! fixed-point linear readout trained by ridge regression. `snngen train` and `snngen eval`.

pub mod dataset;
pub mod energy;
pub mod frontend;
pub mod reservoir;
pub mod ridge;
pub mod robustness;
pub mod task;

pub use dataset::{Utterance, list_recordings};
pub use frontend::FrontEnd;
pub use reservoir::{Reservoir, Timing};
