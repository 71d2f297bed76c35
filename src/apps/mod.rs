//! Task pipelines on top of the flows: `speech` (spoken digits on the chips as a reservoir)
//! and `bench` (benchmarks that print a table).

pub mod bench;
pub mod speech;
