//! `snngen characterize`: every neuron mode and tile of a design measured in ngspice.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::compiler::default_out_dir;
use crate::flows::characterize::{self, Characterization, calibration};
use crate::support::error::Result;
use crate::support::fs::write;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Output folder [default: out/<design name>/characterization].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Parallel ngspice processes.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Also write the fitted behavioural parameters as a calibration file (the bundled
    /// one is sim/calibration/generic180.json).
    #[arg(long, value_name = "FILE")]
    calibration: Option<PathBuf>,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Written {
    report: Characterization,
    #[serde(skip)]
    out: PathBuf,
}

impl Report for Written {
    fn table(&self) -> String {
        format!(
            "{}  written to {}\n",
            characterize::table(&self.report),
            self.out.display()
        )
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let opts = characterize::Options {
        jobs: a.jobs,
        verbosity: verbosity(g),
        ..characterize::Options::default()
    };
    let report = characterize::characterize(&a.design, &opts)?;
    let out = a
        .out
        .unwrap_or_else(|| default_out_dir(&report.design).join("characterization"));
    characterize::write(&report, &out)?;
    if let Some(path) = &a.calibration {
        let cal = calibration::from_report(&report);
        let text = serde_json::to_string_pretty(&cal).expect("calibration serializes") + "\n";
        write(path, text)?;
    }
    show(&Written { report, out }, g);
    Ok(())
}
