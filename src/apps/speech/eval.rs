//! `snngen eval`: a trained model's accuracy on recordings, decided as the hardware decides
//! (the reservoir's spikes replayed into the cycle-exact FPGA model), with the confusion
//! matrix and the energy per classification.

use super::dataset::list_recordings;
use super::encode::{Encoded, encode, front_end_frames};
use super::energy::{self, Energy};
use super::model::load_trained;
use super::readout::decide;
use super::reservoir::{self, Reservoir};
use super::setup::Setup;
use crate::model::system::SystemRun;
use crate::support::error::Result;
use crate::support::fs::create_dir;
use crate::support::parallel::parallel;
use crate::support::progress::{Progress, Verbosity};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `snngen eval`.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    pub model: PathBuf,
    pub data: PathBuf,
    /// Where the confusion matrix goes [default: the model folder].
    pub out: Option<PathBuf>,
    /// Chip temperature (C) [default: the design's].
    pub celsius: Option<f64>,
    pub jobs: usize,
    pub verbosity: Verbosity,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassFigures {
    pub digit: u32,
    pub utterances: u32,
    pub correct: u32,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub utterances: usize,
    /// Accuracy of the hardware's decisions: the cycle-exact FPGA model (bit-exact with the
    /// RTL) fed the reservoir's spikes.
    pub accuracy: f64,
    /// Share of utterances where the training path's decision (binned counts, no AER
    /// timing) equals the hardware's.
    pub fast_path_agreement: f64,
    pub per_class: Vec<ClassFigures>,
    /// `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u32>>,
    pub mean_reservoir_spikes: f64,
    pub mean_synapse_events: f64,
    /// Mean energy of one classification.
    pub energy: Energy,
    pub confusion_png: String,
    pub seconds: f64,
}

/// One encoded utterance through the cycle-exact FPGA model (see `reservoir::exact_run`).
pub fn hardware_run(setup: &Setup, e: &Encoded, record_inputs: bool) -> SystemRun {
    reservoir::exact_run(
        &setup.rendered,
        &e.frames,
        &setup.timing,
        &e.spikes,
        setup.cycles,
        record_inputs,
    )
}

/// The hardware's decision on one encoded utterance.
pub fn hardware_decision(setup: &Setup, e: &Encoded) -> Option<u32> {
    hardware_run(setup, e, false)
        .decisions
        .first()
        .map(|d| d.class)
}

pub fn eval(design: &Path, opts: &EvalOptions) -> Result<EvalReport> {
    let start = Instant::now();
    super::train::check_temperatures(opts.celsius.as_slice())?;
    let (setup, _info) = load_trained(design, &opts.model)?;
    let utts = list_recordings(&opts.data)?;
    let frames = front_end_frames(&setup, &utts, opts.jobs, opts.verbosity)?;
    let celsius = opts
        .celsius
        .unwrap_or(setup.rendered.compiled.network.temperature);
    let res = Reservoir::new(&setup.rendered, celsius);
    let encoded = encode(&setup, &res, &frames, opts.jobs, opts.verbosity);
    let progress = Progress::new(
        opts.verbosity,
        "readout (cycle-exact)",
        encoded.len() as u64,
    );
    let weights = &setup.rendered.compiled.readout.weights;
    let decisions: Vec<(Option<u32>, u32)> = parallel(&encoded, opts.jobs, |e| {
        let d = (
            hardware_decision(&setup, e),
            decide(&setup, weights, &e.counts),
        );
        progress.inc();
        d
    });
    let classes = setup.params.classes as usize;
    let mut confusion = vec![vec![0u32; classes]; classes];
    for (u, (hw, _)) in utts.iter().zip(&decisions) {
        // No decision at all (cannot happen with the cycles Setup allows) counts as wrong.
        let predicted = hw.unwrap_or(u32::MAX) as usize;
        if let Some(cell) = confusion[u.digit as usize].get_mut(predicted) {
            *cell += 1;
        }
    }
    let n = utts.len();
    let correct: u32 = (0..classes).map(|c| confusion[c][c]).sum();
    let per_class = (0..classes)
        .map(|c| {
            // Recordings of the digit, counted from the labels (a missing decision is wrong).
            let total = utts.iter().filter(|u| u.digit as usize == c).count() as u32;
            ClassFigures {
                digit: c as u32,
                utterances: total,
                correct: confusion[c][c],
                accuracy: confusion[c][c] as f64 / total.max(1) as f64,
            }
        })
        .collect();
    let out = opts.out.clone().unwrap_or_else(|| opts.model.clone());
    create_dir(&out)?;
    let png = crate::support::plot::plot_path(&out, "confusion");
    let accuracy = correct as f64 / n as f64;
    crate::support::plot::write_confusion(
        &format!("{} recordings, accuracy {accuracy:.4}", n),
        &confusion,
        &png,
    )?;
    let mean =
        |f: &dyn Fn(&Encoded) -> u64| encoded.iter().map(|e| f(e) as f64).sum::<f64>() / n as f64;
    Ok(EvalReport {
        utterances: n,
        accuracy,
        fast_path_agreement: decisions.iter().filter(|(h, f)| *h == Some(*f)).count() as f64
            / n as f64,
        per_class,
        confusion,
        mean_reservoir_spikes: mean(&|e| e.spikes.events.len() as u64),
        mean_synapse_events: mean(&|e| e.spikes.synapse_events),
        energy: Energy::mean(
            &encoded
                .iter()
                .map(|e| energy::classification_energy(&setup, res.chips(), celsius, &e.spikes))
                .collect::<Vec<_>>(),
        ),
        confusion_png: png.display().to_string(),
        seconds: start.elapsed().as_secs_f64(),
    })
}
