//! `snngen train` and `snngen eval` for a TTFS design: data checked against the design,
//! a validation split carved from the end of the training split, checkpoints after every
//! epoch, and the reports both commands print.

use super::model::{self, Checkpoint, ModelInfo};
use super::task::{Hyper, Task};
use super::train::{
    EpochStats, Tally, TrainConfig, TrainState, classify, evaluate, quantized, train_epoch,
};
use crate::support::error::{Error, Result};
use crate::support::idx::{self, Split};
use crate::support::output::write_atomic;
use crate::support::parallel::parallel;
use crate::support::progress::{Progress, Verbosity, note};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How `snngen train` runs on a TTFS design.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub hyper: Hyper,
    /// Images carved from the end of the training split for validation.
    pub validation: usize,
    /// Train on only the first N images (quick runs, tests).
    pub train_limit: Option<usize>,
    pub resume: bool,
    pub jobs: usize,
    pub verbosity: Verbosity,
}

/// What `snngen train` reports.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub design: String,
    pub train_images: usize,
    pub validation_images: usize,
    pub epochs: Vec<EpochStats>,
    pub validation_accuracy: f64,
    pub quantized_validation_accuracy: Option<f64>,
    pub bits: Option<u32>,
    pub seconds: f64,
    pub model_dir: String,
}

/// The training split of `dir`, checked against the task's input layer.
fn read_data(task: &Task, dir: &Path, split: Option<&str>) -> Result<Split> {
    let data = match split {
        Some(name) => idx::read_named_split(dir, name)?,
        None => idx::read_split(dir)?,
    };
    check_image_size(task, dir, &data)?;
    Ok(data)
}

/// Refuses images whose pixel count is not the first layer's input count.
pub fn check_image_size(task: &Task, dir: &Path, data: &Split) -> Result<()> {
    let pixels = data.images.rows * data.images.cols;
    if pixels != task.sizes[0] {
        return Err(Error::Data {
            path: dir.to_path_buf(),
            message: format!(
                "the {} images are {}x{} = {pixels} pixels, but the first layer of `{}` has {} inputs",
                data.name, data.images.rows, data.images.cols, task.design, task.sizes[0]
            ),
        });
    }
    Ok(())
}

/// Trains (or resumes training) and writes the model folder after every epoch.
pub fn train(task: &Task, o: &TrainOptions) -> Result<TrainReport> {
    let task = &task.with_ideal_neuron(o.hyper.ideal_neuron);
    let data = read_data(task, &o.data, Some("train"))?;
    let n = data.labels.len();
    if o.validation == 0 || o.validation >= n {
        return Err(Error::Usage(format!(
            "--validation must be between 1 and {} (the training split has {n} images)",
            n - 1
        )));
    }
    let train_images = o.train_limit.unwrap_or(n).min(n - o.validation);
    let train_idx: Vec<usize> = (0..train_images).collect();
    let validation_idx: Vec<usize> = (n - o.validation..n).collect();
    let used = UsedData {
        train_images,
        digest: model::data_digest(&data),
    };
    if let Some(report) = finished_run(task, o, &used)? {
        return Ok(report);
    }
    let cfg = task.config(&o.hyper, o.jobs);
    let (mut state, earlier_seconds) = start(task, o, &cfg, &used)?;
    let start_time = Instant::now();
    let steps = train_images.div_ceil(cfg.batch.max(1));
    let remaining = cfg.epochs.saturating_sub(state.history.len());
    let progress = Progress::new(o.verbosity, "training", (steps * remaining) as u64);
    let mut done = 0u64;
    while state.history.len() < cfg.epochs {
        let epoch = state.history.len();
        let stats = train_epoch(&cfg, &mut state, &data, &train_idx, &validation_idx, |b| {
            progress.set_detail(&format!(
                "epoch {}/{}, loss {:.3}, accuracy {:.3}",
                epoch + 1,
                cfg.epochs,
                b.loss,
                b.accuracy
            ));
            progress.set(done + b.done as u64);
        });
        done += steps as u64;
        note(o.verbosity, &epoch_line(epoch, cfg.epochs, &stats));
        let seconds = earlier_seconds + start_time.elapsed().as_secs_f64();
        let checkpoint = Checkpoint {
            structure: task.structure(),
            hyper: o.hyper.clone(),
            train_images,
            validation_images: o.validation,
            data_digest: Some(used.digest.clone()),
            train_seconds: seconds,
            state: state.clone(),
        };
        let info = info(task, o, &state, &used, None, seconds);
        write_model(&o.out, task, &state.weights, &info, Some(&checkpoint))?;
    }
    drop(progress);
    // The final figures are those of the weights as written, which `eval` reads back.
    let saved = model::as_saved(task, &state.weights);
    let full = evaluate(&cfg.network(&saved), &cfg, &data, &validation_idx);
    let quantized_accuracy = task.bits.map(|bits| {
        let net = cfg.network(&quantized(&saved, bits));
        evaluate(&net, &cfg, &data, &validation_idx).accuracy
    });
    let seconds = earlier_seconds + start_time.elapsed().as_secs_f64();
    let mut info = info(task, o, &state, &used, quantized_accuracy, seconds);
    info.validation_accuracy = full.accuracy;
    write_model(&o.out, task, &state.weights, &info, None)?;
    Ok(TrainReport {
        design: task.design.clone(),
        train_images,
        validation_images: o.validation,
        validation_accuracy: info.validation_accuracy,
        quantized_validation_accuracy: quantized_accuracy,
        bits: task.bits,
        epochs: state.history,
        seconds,
        model_dir: o.out.display().to_string(),
    })
}

/// The part of the training split a run trains on, and a digest of the whole split.
struct UsedData {
    train_images: usize,
    digest: String,
}

/// With `--resume`, the report of a run that already finished in the output folder (model.json
/// and no checkpoint) with the same options, read back instead of trained again: a resumed
/// sweep skips the points it finished. None if there is a checkpoint to go on from or no model.
fn finished_run(task: &Task, o: &TrainOptions, used: &UsedData) -> Result<Option<TrainReport>> {
    if !o.resume || o.out.join(model::CHECKPOINT_FILE).exists() || !has_model(&o.out) {
        return Ok(None);
    }
    let info = model::read_unchecked_info(&o.out)?;
    let differences = finished_run_differences(task, o, used, &info);
    if !differences.is_empty() {
        return Err(Error::Usage(format!(
            "{} holds a finished run (no checkpoint to resume) that differs from this one: {}; \
             train without --resume or into another folder",
            o.out.display(),
            differences.join("; ")
        )));
    }
    note(
        o.verbosity,
        &format!(
            "already trained ({} epochs): {}",
            info.history.len(),
            o.out.display()
        ),
    );
    Ok(Some(TrainReport {
        design: task.design.clone(),
        train_images: used.train_images,
        validation_images: o.validation,
        validation_accuracy: info.validation_accuracy,
        quantized_validation_accuracy: info.quantized_validation_accuracy,
        bits: info.bits,
        epochs: info.history,
        seconds: info.train_seconds,
        model_dir: o.out.display().to_string(),
    }))
}

/// Whether `dir` holds a model.json (finished or not).
fn has_model(dir: &Path) -> bool {
    dir.join(model::MODEL_FILE).exists()
}

/// Whether `dir` holds anything `--resume` can go on from: a checkpoint or a finished model.
pub fn has_run(dir: &Path) -> bool {
    has_model(dir) || dir.join(model::CHECKPOINT_FILE).exists()
}

/// What a finished model folder's run does not share with this one (empty: the same run). A
/// model written before the data digest was recorded is taken to be of the same data.
fn finished_run_differences(
    task: &Task,
    o: &TrainOptions,
    used: &UsedData,
    info: &ModelInfo,
) -> Vec<String> {
    let train_images = used.train_images;
    let mut d = Vec::new();
    if info.structure != task.structure() || info.bits != task.bits {
        d.push(format!(
            "it was trained for design `{}` with other layers, neuron, timing or crosspoints",
            info.design
        ));
    }
    if info.hyper != o.hyper {
        d.push(format!(
            "its training options were {:?}, this run's are {:?}",
            info.hyper, o.hyper
        ));
    }
    if (info.train_images, info.validation_images) != (train_images, o.validation) {
        d.push(format!(
            "it used {} training and {} validation images, this run {train_images} and {}",
            info.train_images, info.validation_images, o.validation
        ));
    }
    if let Some(other) = other_data(info.data_digest.as_deref(), used) {
        d.push(other);
    }
    if info.history.len() != info.hyper.epochs {
        d.push(format!(
            "it holds {} of its {} epochs (its checkpoint is gone)",
            info.history.len(),
            info.hyper.epochs
        ));
    }
    d
}

/// Why a run recorded with data digest `recorded` was not of this run's data, if it was not.
fn other_data(recorded: Option<&str>, used: &UsedData) -> Option<String> {
    recorded.filter(|&r| r != used.digest).map(|r| {
        format!(
            "it was trained on another training split (data digest {r}, this folder's {})",
            used.digest
        )
    })
}

/// A fresh state, or the checkpoint's when resuming (with the same options and data).
fn start(
    task: &Task,
    o: &TrainOptions,
    cfg: &TrainConfig,
    used: &UsedData,
) -> Result<(TrainState, f64)> {
    let train_images = used.train_images;
    if !o.resume {
        return Ok((TrainState::new(cfg.initial_weights()), 0.0));
    }
    let c = model::read_checkpoint(&o.out, task)?;
    if let Some(other) = other_data(c.data_digest.as_deref(), used) {
        return Err(Error::Usage(format!(
            "the checkpoint in {}: {other}; resume with the same --data",
            o.out.display()
        )));
    }
    if c.hyper != o.hyper || c.train_images != train_images || c.validation_images != o.validation {
        return Err(Error::Usage(format!(
            "the checkpoint in {} was written with other options ({:?}, {} training and {} validation images); resume with the same options",
            o.out.display(),
            c.hyper,
            c.train_images,
            c.validation_images
        )));
    }
    note(
        o.verbosity,
        &format!(
            "resuming after epoch {} of {}",
            c.state.history.len(),
            o.hyper.epochs
        ),
    );
    Ok((c.state, c.train_seconds))
}

fn info(
    task: &Task,
    o: &TrainOptions,
    state: &TrainState,
    used: &UsedData,
    quantized_validation_accuracy: Option<f64>,
    train_seconds: f64,
) -> ModelInfo {
    ModelInfo {
        design: task.design.clone(),
        structure: task.structure(),
        sizes: task.sizes.clone(),
        layers: task.layer_names.clone(),
        hyper: o.hyper.clone(),
        train_images: used.train_images,
        validation_images: o.validation,
        data_digest: Some(used.digest.clone()),
        validation_accuracy: state.history.last().map_or(0.0, |h| h.validation.accuracy),
        history: state.history.clone(),
        quantized_validation_accuracy,
        bits: task.bits,
        train_seconds,
    }
}

fn write_model(
    out: &Path,
    task: &Task,
    weights: &[Vec<f64>],
    info: &ModelInfo,
    checkpoint: Option<&Checkpoint>,
) -> Result<()> {
    let files = model::model_files(task, weights, info, checkpoint);
    write_atomic(out, files.iter().map(|(n, c)| (n.as_str(), c.as_str())))
}

fn epoch_line(epoch: usize, epochs: usize, s: &EpochStats) -> String {
    format!(
        "epoch {}/{epochs}: loss {:.4}, training accuracy {:.4}, validation accuracy {:.4}, spikes per neuron {}, {}",
        epoch + 1,
        s.loss,
        s.train_accuracy,
        s.validation.accuracy,
        layer_figures(&s.validation.spikes_per_neuron),
        energy_figure(s.validation.energy_per_inference_pj)
    )
}

/// Per-layer figures as `0.27 / 0.59 / 0.96`.
pub fn layer_figures(x: &[f64]) -> String {
    x.iter()
        .map(|v| format!("{v:.3}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Spikes per neuron over all hidden neurons, from the per-layer figures of a network of
/// `sizes` (input first).
pub fn hidden_mean(sizes: &[usize], per_layer: &[f64]) -> f64 {
    let hidden = &sizes[1..sizes.len().saturating_sub(1).max(1)];
    let neurons: usize = hidden.iter().sum();
    hidden
        .iter()
        .zip(per_layer)
        .map(|(&n, s)| n as f64 * s)
        .sum::<f64>()
        / neurons.max(1) as f64
}

/// An energy per inference as `38.8 pJ per inference` (or that it was not measured).
pub fn energy_figure(pj: Option<f64>) -> String {
    pj.map_or("energy not measured".into(), |e| {
        format!("{e:.1} pJ per inference")
    })
}

/// How `snngen eval` runs on a TTFS design.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    pub model: PathBuf,
    pub data: PathBuf,
    /// Classify only the last N images of the split (e.g. the validation part of train-*).
    pub last: Option<usize>,
    /// Use the weights as trained instead of on the crossbar's levels.
    pub full_precision: bool,
    pub jobs: usize,
    pub verbosity: Verbosity,
}

/// One class's score.
#[derive(Debug, Clone, Serialize)]
pub struct ClassScore {
    pub class: usize,
    pub correct: usize,
    pub images: usize,
    pub accuracy: f64,
}

/// What `snngen eval` reports.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub design: String,
    pub split: String,
    pub images: usize,
    /// "4-bit crosspoints" or "full precision".
    pub weights: String,
    pub per_class: Vec<ClassScore>,
    /// Images for which no output fired before the window's end.
    pub undecided: usize,
    /// Mean over samples of the fraction of hidden neurons that fired.
    pub spikes_per_neuron: f64,
    /// The same per layer, the output layer last.
    pub spikes_per_neuron_per_layer: Vec<f64>,
    /// Mean energy the crossbars' line drivers deliver per image (pJ).
    pub energy_per_inference_pj: f64,
    pub accuracy: f64,
}

/// Classifies every image of the folder's split (t10k-* if there, else train-*).
pub fn eval(task: &Task, design: &Path, o: &EvalOptions) -> Result<EvalReport> {
    // A model trained for the ideal neuron is evaluated with it.
    let ideal = model::read_unchecked_info(&o.model)?.hyper.ideal_neuron;
    let task = &task.with_ideal_neuron(ideal);
    model::read_info(&o.model, task, design)?;
    let weights = model::read_weights(&o.model, task)?;
    let data = read_data(task, &o.data, None)?;
    let n = data.labels.len();
    let first = o.last.map_or(0, |k| n.saturating_sub(k));
    let items: Vec<usize> = (first..n).collect();
    if items.is_empty() {
        return Err(Error::Usage("no images to classify (--last 0)".into()));
    }
    let cfg = task.config(&Hyper::default(), o.jobs);
    let (weights, label) = match (task.bits, o.full_precision) {
        (Some(bits), false) => (quantized(&weights, bits), format!("{bits}-bit crosspoints")),
        _ => (weights, "full precision".to_string()),
    };
    let net = cfg.network(&weights);
    let mut tally = Tally::new(net.layers.len(), *task.sizes.last().unwrap_or(&10));
    let progress = Progress::new(o.verbosity, "images", items.len() as u64);
    for chunk in items.chunks(500) {
        for c in parallel(chunk, o.jobs, |&i| classify(&net, &cfg, &data, i)) {
            tally.add(&c);
        }
        progress.set(tally.seen() as u64);
    }
    drop(progress);
    let e = tally.evaluation();
    let spikes = hidden_mean(&task.sizes, &e.spikes_per_neuron);
    Ok(EvalReport {
        design: task.design.clone(),
        split: data.name.clone(),
        images: items.len(),
        weights: label,
        per_class: tally
            .per_class
            .iter()
            .enumerate()
            .map(|(class, &(correct, images))| ClassScore {
                class,
                correct,
                images,
                accuracy: correct as f64 / images.max(1) as f64,
            })
            .collect(),
        undecided: tally.undecided,
        spikes_per_neuron: spikes,
        spikes_per_neuron_per_layer: e.spikes_per_neuron,
        energy_per_inference_pj: e.energy_per_inference_pj.unwrap_or_default(),
        accuracy: e.accuracy,
    })
}
