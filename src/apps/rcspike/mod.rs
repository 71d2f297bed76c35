//! RC-Spike TTFS networks on image datasets (MNIST layout): the design as a learning task
//! (`task`), training with exact spike-time gradients (`train`), trained models on disk
//! (`model`), the `snngen train` / `snngen eval` flows (`run`) and the netlists checked in
//! ngspice (`circuit`), and accuracy against the drive voltage (`sweep`).

pub mod circuit;
pub mod model;
pub mod run;
pub mod sweep;
pub mod task;
pub mod train;
