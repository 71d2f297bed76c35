//! Leaves every other layer uses: errors and diagnostics, file access, CSV, IDX datasets, atomic output, the
//! thread pool, progress, statistics, fitting and plots. Nothing here knows what a design
//! or a device is; `error` holds the error type of a tool run (`ToolError`, one variant of
//! the library's `Error`) so that every layer can return it, while running the tools is
//! `tools/`.

pub mod csv;
pub mod diag;
pub mod error;
pub mod fs;
pub mod hash;
pub mod idx;
pub mod optimize;
pub mod output;
pub mod parallel;
pub mod plot;
pub mod progress;
pub mod stats;
pub mod text;
