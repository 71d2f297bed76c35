//! `snngen mc`: Monte-Carlo mismatch and temperature sweep in ngspice.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::compiler::{compile, default_out_dir};
use crate::flows::measure::REFERENCE_CURRENT_NA;
use crate::flows::montecarlo::{self, McOptions, McSummary};
use crate::support::error::Result;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Mismatch draws (runs 1..=N; run 0 is nominal).
    #[arg(long, default_value_t = 20)]
    runs: u32,
    /// Temperatures (C), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "27",
        allow_hyphen_values = true
    )]
    temps: Vec<f64>,
    /// Seed of the mismatch draws: the same seed draws the same chips.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Parallel ngspice processes.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Output folder [default: out/<design name>/mc].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Keep the rows already in DIR/results.csv and run only the rest.
    #[arg(long)]
    resume: bool,
    /// Break the deck of this run on purpose (for testing failure handling).
    #[arg(long, hide = true)]
    inject_failure: Option<u32>,
    /// Make the deck of this run hang on purpose (for testing the tool timeout).
    #[arg(long, hide = true)]
    inject_hang: Option<u32>,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Written {
    summary: McSummary,
    #[serde(skip)]
    out: PathBuf,
}

impl Report for Written {
    fn table(&self) -> String {
        format!(
            "{}  written to {}\n",
            montecarlo::table(&self.summary),
            self.out.display()
        )
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let name = compile(&a.design)?.1.network.name;
    let opts = McOptions {
        runs: a.runs,
        temperatures: a.temps,
        seed: a.seed,
        jobs: a.jobs,
        out: a.out.unwrap_or_else(|| default_out_dir(&name).join("mc")),
        resume: a.resume,
        verbosity: verbosity(g),
        current_na: REFERENCE_CURRENT_NA,
        inject_failure: a.inject_failure,
        inject_hang: a.inject_hang,
    };
    let summary = montecarlo::mc(&a.design, &opts)?;
    show(
        &Written {
            summary,
            out: opts.out,
        },
        g,
    );
    Ok(())
}
