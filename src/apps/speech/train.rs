//! `snngen train`: the readout trained on the design's chips as a reservoir, and the
//! robustness sweep over mismatched chips and temperatures.

use super::baseline::front_end_only_accuracy;
use super::dataset::{Utterance, Validation, list_recordings};
use super::encode::{Encoded, encode, front_end_frames};
use super::frontend::FrontEnd;
use super::model::{MODEL_FILE, ModelInfo, WEIGHTS_FILE};
use super::readout::{Fit, fit_readout, refit, split, weights_csv};
use super::reservoir::Reservoir;
use super::robustness;
use super::robustness_slurm;
use super::setup::{Setup, Variant, Weights, load_setup};
use crate::compiler::ir::validate::TEMPERATURE_RANGE;
use crate::flows::cluster::Backend;
use crate::support::error::{Error, Result};
use crate::support::fs::{create_dir, write};
use crate::support::progress::Verbosity;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `snngen train`.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub variant: Variant,
    pub sample_period: u64,
    pub front_end: FrontEnd,
    /// Which recordings validate.
    pub validation: Validation,
    /// Deliver the readout fitted on the training part only.
    pub no_refit: bool,
    /// Mismatch draws for the robustness sweep (0: none).
    pub mismatch_runs: u32,
    /// Temperatures of the robustness sweep (empty: none unless mismatch_runs > 0, then the
    /// design's).
    pub temperatures: Vec<f64>,
    /// Seed of the mismatch draws.
    pub mismatch_seed: u64,
    pub jobs: usize,
    pub verbosity: Verbosity,
    /// Where the robustness sweep's chips are computed.
    pub backend: Backend,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub model_dir: String,
    pub validation_accuracy: f64,
    /// The same split with the front end's frames alone under a readout of the same size
    /// (`baseline`): what the reservoir adds is the difference.
    pub front_end_only_accuracy: f64,
    pub lambda: f64,
    /// Which recordings validated.
    pub validation: Validation,
    pub train_utterances: usize,
    pub validation_utterances: usize,
    pub mean_reservoir_spikes: f64,
    /// Training time (the robustness sweep not included).
    pub seconds: f64,
    /// Mismatch and temperature sweep, when asked for.
    pub robustness: Vec<robustness::Row>,
}

/// Most chips the robustness sweep draws (each one encodes every recording again).
pub const MAX_MISMATCH_RUNS: u32 = 10_000;

pub fn train(design: &Path, opts: &TrainOptions) -> Result<TrainReport> {
    let start = Instant::now();
    check_temperatures(&opts.temperatures)?;
    if opts.mismatch_runs > MAX_MISMATCH_RUNS {
        return Err(Error::Usage(format!(
            "--mismatch-runs {}: at most {MAX_MISMATCH_RUNS}",
            opts.mismatch_runs
        )));
    }
    let setup = load_setup(
        design,
        &opts.variant,
        Weights::Untrained,
        opts.front_end.clone(),
        opts.sample_period,
    )?;
    let utts = list_recordings(&opts.data)?;
    check_validation(&opts.validation, &utts, &opts.data)?;
    let frames = front_end_frames(&setup, &utts, opts.jobs, opts.verbosity)?;
    let net = &setup.rendered.compiled.network;
    let res = Reservoir::new(&setup.rendered, net.temperature);
    let encoded = encode(&setup, &res, &frames, opts.jobs, opts.verbosity);
    let (train_x, train_y) = split(&utts, &encoded, &opts.validation, false);
    let (val_x, val_y) = split(&utts, &encoded, &opts.validation, true);
    if train_x.is_empty() || val_x.is_empty() {
        return Err(Error::Data {
            path: opts.data.clone(),
            message: format!(
                "need recordings for training and for validation ({}); found {} and {}",
                opts.validation,
                train_x.len(),
                val_x.len()
            ),
        });
    }
    let fit = fit_readout(&setup, (&train_x, &train_y), (&val_x, &val_y));
    // The delivered readout learns from every recording with the chosen penalty (unless
    // asked to stay the validated one, e.g. to evaluate on the validation split).
    let weights = if opts.no_refit {
        fit.weights.clone()
    } else {
        let all: Vec<&Encoded> = encoded.iter().collect();
        let labels: Vec<u32> = utts.iter().map(|u| u.digit).collect();
        refit(&setup, (&all, &labels), fit.lambda)
    };
    create_dir(&opts.out)?;
    write(
        &opts.out.join(WEIGHTS_FILE),
        weights_csv(&setup, &weights).as_bytes(),
    )?;
    let seconds = start.elapsed().as_secs_f64();
    let info = ModelInfo {
        design: net.name.clone(),
        front_end: setup.front_end.clone(),
        timing: setup.timing,
        bins: setup.bins,
        lambda: fit.lambda,
        validation_accuracy: fit.validation_accuracy,
        validation: opts.validation.clone(),
        train_utterances: train_x.len(),
        validation_utterances: val_x.len(),
        variant: opts.variant.clone(),
        train_seconds: seconds,
    };
    write(
        &opts.out.join(MODEL_FILE),
        serde_json::to_string_pretty(&info)
            .expect("model info serializes")
            .as_bytes(),
    )?;
    let robustness = robustness_sweep(design, &setup, opts, &utts, &frames, &fit)?;
    Ok(TrainReport {
        model_dir: opts.out.display().to_string(),
        validation_accuracy: fit.validation_accuracy,
        front_end_only_accuracy: front_end_only_accuracy(&setup, &utts, &frames, &opts.validation),
        lambda: fit.lambda,
        validation: opts.validation.clone(),
        train_utterances: train_x.len(),
        validation_utterances: val_x.len(),
        mean_reservoir_spikes: encoded
            .iter()
            .map(|e| e.spikes.events.len() as f64)
            .sum::<f64>()
            / encoded.len() as f64,
        seconds,
        robustness,
    })
}

/// A speaker to validate on must have recordings in the folder, or nothing validates; said
/// before the front end and the reservoir run.
fn check_validation(validation: &Validation, utts: &[Utterance], data: &Path) -> Result<()> {
    let Validation::Speaker(name) = validation else {
        return Ok(());
    };
    if utts.iter().any(|u| u.speaker == *name) {
        return Ok(());
    }
    let mut speakers: Vec<&str> = utts.iter().map(|u| u.speaker.as_str()).collect();
    speakers.sort_unstable();
    speakers.dedup();
    Err(Error::Usage(format!(
        "--validate-speaker {name}: no recording of that speaker in {} (names are case-sensitive); its speakers: {}",
        data.display(),
        speakers.join(", ")
    )))
}

/// The seed system's robustness study (see `robustness`), written to robustness.csv.
fn robustness_sweep(
    design: &Path,
    setup: &Setup,
    opts: &TrainOptions,
    utts: &[Utterance],
    frames: &[Vec<Vec<u32>>],
    fit: &Fit,
) -> Result<Vec<robustness::Row>> {
    let mut temps = opts.temperatures.clone();
    temps.sort_by(f64::total_cmp);
    temps.dedup();
    if temps.is_empty() && opts.mismatch_runs > 0 {
        temps.push(setup.rendered.compiled.network.temperature);
    }
    if temps.is_empty() {
        return Ok(Vec::new());
    }
    let trained = robustness::Trained {
        setup,
        frames,
        utts,
        validation: &opts.validation,
        weights: &fit.weights,
        lambda: fit.lambda,
    };
    let conditions = match &opts.backend {
        Backend::Local => robustness::sweep(
            &trained,
            opts.mismatch_runs,
            &temps,
            opts.mismatch_seed,
            opts.jobs,
            opts.verbosity,
        ),
        Backend::Slurm(slurm) => {
            let sweep = robustness_slurm::Sweep {
                design,
                variant: &opts.variant,
                sample_period: opts.sample_period,
                data: &opts.data,
                runs: opts.mismatch_runs,
                temperatures: &temps,
                seed: opts.mismatch_seed,
                work: opts.out.join("slurm"),
                resume: false,
                verbosity: opts.verbosity,
            };
            robustness_slurm::conditions_on_slurm(&trained, &sweep, slurm)?
        }
    };
    create_dir(&opts.out)?;
    let mut csv = String::from("temperature_c,run,nominal_readout_accuracy,retrained_accuracy\n");
    for c in &conditions {
        csv.push_str(&c.csv_row());
        csv.push('\n');
    }
    write(&opts.out.join("robustness.csv"), csv.as_bytes())?;
    Ok(robustness::summarize(&conditions))
}

/// Temperatures (C) of the sweep or of an evaluation, within the range a design may state.
pub fn check_temperatures(temps: &[f64]) -> Result<()> {
    let (lo, hi) = TEMPERATURE_RANGE;
    match temps.iter().find(|t| !(lo..=hi).contains(*t)) {
        Some(t) => Err(Error::Usage(format!(
            "temperature {t} C is outside {lo}..{hi} C"
        ))),
        None => Ok(()),
    }
}
