//! What a command prints: a table for people, or JSON for programs (`--json`). Every
//! command's result implements `Report`, so the choice is made here once.

use super::Global;
use crate::support::progress::Verbosity;
use serde::Serialize;

pub trait Report: Serialize {
    /// The plain-text report, each line ending in a newline.
    fn table(&self) -> String;
}

/// Prints `report` as the global options ask.
pub fn show(report: &impl Report, g: &Global) {
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).expect("reports serialize")
        );
    } else {
        print!("{}", report.table());
    }
}

/// How much progress a long command reports on standard error.
pub fn verbosity(g: &Global) -> Verbosity {
    if g.json || g.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Progress
    }
}

/// A report and the folder its files went to: the table ends with `written to DIR`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Written<T: Report> {
    pub report: T,
    #[serde(skip)]
    pub out: std::path::PathBuf,
}

impl<T: Report> Report for Written<T> {
    fn table(&self) -> String {
        format!(
            "{}  written to {}\n",
            self.report.table(),
            self.out.display()
        )
    }
}
