//! `snngen train`: the spoken-digit readout trained on the design's chips as a reservoir.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::apps::speech::robustness::Row;
use crate::apps::speech::{self, FrontEnd, train};
use crate::compiler::design::load_design;
use crate::flows::build::default_out_dir;
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Folder of FSDD recordings ({digit}_{speaker}_{index}.wav).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Output folder [default: out/<design name>/model].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Shift every random connectivity seed of the design (an independent reservoir).
    #[arg(long)]
    seed: Option<u64>,
    /// Put every population in this operating mode (the mixed-modes ablation).
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// FPGA cycles between two samples presented to the encoder.
    #[arg(long, default_value_t = speech::setup::DEFAULT_SAMPLE_PERIOD)]
    sample_period: u64,
    /// Deliver the readout fitted on the training part only (not refitted on the
    /// validation recordings too), e.g. to evaluate it on the validation split.
    #[arg(long)]
    no_refit: bool,
    /// Robustness sweep: validation accuracy on N mismatched chips (Pelgrom draws, as
    /// `snngen mc` draws them) of the readout fitted on the nominal chip's training
    /// split, and after retraining on each chip.
    #[arg(long, default_value_t = 0, value_name = "N")]
    mismatch_runs: u32,
    /// Robustness sweep temperatures (C), comma-separated; the nominal chip is included.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    temps: Vec<f64>,
    /// Seed of the mismatch draws.
    #[arg(long, default_value_t = 1)]
    mismatch_seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
}

impl Report for train::TrainReport {
    fn table(&self) -> String {
        let mut t = format!(
            "trained on {} recordings, validated on {}: validation accuracy {:.4} \
             (ridge penalty {:e}), {:.0} reservoir spikes per utterance, {:.1} s\n",
            self.train_utterances,
            self.validation_utterances,
            self.validation_accuracy,
            self.lambda,
            self.mean_reservoir_spikes,
            self.seconds
        );
        if !self.robustness.is_empty() {
            t += &robustness_table(&self.robustness);
        }
        t += &format!("  written to {}\n", self.model_dir);
        t
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let name = load_design(&a.design).map_err(Error::Input)?.design.name;
    let opts = train::TrainOptions {
        data: a.data,
        out: a
            .out
            .unwrap_or_else(|| default_out_dir(&name).join("model")),
        variant: speech::setup::Variant {
            seed: a.seed,
            mode: a.mode,
        },
        sample_period: a.sample_period,
        front_end: FrontEnd::default(),
        no_refit: a.no_refit,
        mismatch_runs: a.mismatch_runs,
        temperatures: a.temps,
        mismatch_seed: a.mismatch_seed,
        jobs: a.jobs,
        verbosity: verbosity(g),
    };
    show(&train::train(&a.design, &opts)?, g);
    Ok(())
}

/// The table `snngen train` prints (validation accuracy).
fn robustness_table(rows: &[Row]) -> String {
    let mut t = String::from(
        "temp C  nominal chip  retrained | draws  mismatched: mean +- std (min)  retrained: mean +- std (min)\n",
    );
    for r in rows {
        t.push_str(&format!(
            "{:>6}  {:>12}  {:>9} | {:>5}  {} +- {} ({})       {} +- {} ({})\n",
            r.temperature_c,
            cell(r.nominal_chip),
            cell(r.nominal_chip_retrained),
            r.draws,
            cell(r.mismatch_mean),
            cell(r.mismatch_std),
            cell(r.mismatch_min),
            cell(r.retrained_mean),
            cell(r.retrained_std),
            cell(r.retrained_min)
        ));
    }
    t
}

/// An accuracy for the table, "-" where there is none (no draws).
fn cell(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.4}")
    }
}
