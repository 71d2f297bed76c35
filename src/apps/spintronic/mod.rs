//! A spintronic network learning on-line (SEEDS.md §5, §3): `setup` reads a design and its
//! device card into the core's constants, `task` makes the pattern-in-noise input streams,
//! `learn` trains with STDP and scores the detector, over mismatch draws too.

pub mod learn;
pub mod setup;
pub mod task;
