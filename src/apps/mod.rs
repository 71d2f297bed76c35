//! Task pipelines on top of the flows: `speech` (spoken digits on the chips as a reservoir),
//! `rcspike` (RC-Spike TTFS networks on image datasets) and `bench` (benchmarks that print a
//! table).

pub mod bench;
pub mod rcspike;
pub mod speech;
pub mod spintronic;
