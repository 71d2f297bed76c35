//! A spintronic network learning on-line (SEEDS.md §5, §3), on the design and card that
//! flows::spintronic::setup reads: `task` makes the pattern-in-noise input streams,
//! `learn` trains with STDP and scores the detector, over mismatch draws too; `report` writes
//! the files and pictures.

pub mod learn;
pub mod report;
pub mod task;
