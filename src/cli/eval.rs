//! `snngen eval`: a trained model's accuracy, decided as the hardware decides.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::apps::speech::eval::{self, EvalOptions, EvalReport};
use crate::support::error::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML) the model was trained on.
    design: PathBuf,
    /// Folder written by `snngen train`.
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// Folder of FSDD recordings ({digit}_{speaker}_{index}.wav); every one is classified.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Folder for confusion.png [default: the model folder].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Chip temperature (C) [default: the design's].
    #[arg(long, allow_hyphen_values = true)]
    temp: Option<f64>,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
}

impl Report for EvalReport {
    fn table(&self) -> String {
        eval::eval_table(self)
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let opts = EvalOptions {
        model: a.model,
        data: a.data,
        out: a.out,
        celsius: a.temp,
        jobs: a.jobs,
        verbosity: verbosity(g),
    };
    show(&eval::eval(&a.design, &opts)?, g);
    Ok(())
}
