//! Leaves every other layer uses: errors and diagnostics, file access, atomic output, the
//! thread pool, progress, statistics, fitting and plots. Nothing here knows what a design,
//! a device or a tool is.

pub mod diag;
pub mod error;
pub mod fs;
pub mod hash;
pub mod optimize;
pub mod output;
pub mod parallel;
pub mod plot;
pub mod progress;
pub mod stats;
