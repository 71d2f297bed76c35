//! RC-Spike TTFS networks on image datasets (MNIST layout): training with exact spike-time
//! gradients (`train`). The design format, `snngen train/eval` for these networks, the
//! crossbar netlists and the ngspice check are still to come (issue 13).

pub mod train;
