//! `snngen train` and `snngen eval`: the spoken-digit task on a design.

use super::dataset::{Utterance, list_recordings};
use super::frontend::{FrontEnd, read_wav};
use super::reservoir::{self, Reservoir, Spikes, Timing};
use super::ridge::{self, Normal};
use crate::build::{self, Rendered};
use crate::characterize::parallel;
use crate::error::{Error, Result};
use crate::reference::digital::{Params, readout_decision};
use crate::reference::system::SystemRun;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Cycles between two samples presented to the encoder by default: 10.24 us. A chip's AER
/// handshake takes about 7 cycles per event in each direction; at this period a six_chip
/// chip receives an input event every ~30 cycles and sends a spike every ~35, so events
/// rarely queue and the fast reservoir's timing matches the hardware's.
pub const DEFAULT_SAMPLE_PERIOD: u64 = 512;

/// Classes of the task: the digits 0..9.
const DIGITS: u32 = 10;

/// Ridge penalties tried on the validation split (relative to the mean feature energy).
const LAMBDAS: [f64; 9] = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];

/// A design prepared for the task: rendered, with the front end and timing that feed it.
#[derive(Debug)]
pub struct Setup {
    pub rendered: Rendered,
    pub params: Params,
    pub front_end: FrontEnd,
    pub timing: Timing,
    pub bins: usize,
    /// Cycles one utterance occupies (reset, the bins, the last bin's scoring).
    pub cycles: u64,
}

impl Setup {
    pub fn new(rendered: Rendered, front_end: FrontEnd, sample_period: u64) -> Result<Setup> {
        let params = Params::new(&rendered.compiled, &rendered.verilog);
        let bins = readout_bins(&rendered);
        let span = bins as u64 * params.window as u64;
        front_end.check(params.channels).map_err(Error::Usage)?;
        if params.classes < DIGITS {
            return Err(Error::Usage(format!(
                "the readout scores {} classes; spoken digits need {DIGITS}",
                params.classes
            )));
        }
        let frames = front_end.frames as u64;
        if sample_period == 0
            || frames == 0
            || !span.is_multiple_of(frames)
            || !(span / frames).is_multiple_of(sample_period)
        {
            return Err(Error::Usage(format!(
                "the readout spans {bins} bins x {} cycles = {span} cycles, which must split \
                 into {frames} front-end frames of a whole number of {sample_period}-cycle \
                 sample periods",
                params.window
            )));
        }
        let timing = Timing {
            sample_period,
            frame_cycles: span / frames,
        };
        let cycles = reservoir::utterance_cycles(&params, bins);
        Ok(Setup {
            rendered,
            params,
            front_end,
            timing,
            bins,
            cycles,
        })
    }
}

/// Time bins of the design's readout.
fn readout_bins(r: &Rendered) -> usize {
    r.compiled.network.readout.bins as usize
}

/// One utterance through front end and reservoir.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub frames: Vec<Vec<u32>>,
    pub spikes: Spikes,
    pub counts: Vec<u32>,
}

/// Progress on stderr, at most a line a second: done, rate and time left.
pub struct Progress {
    what: &'static str,
    total: usize,
    start: Instant,
    last: std::sync::Mutex<Instant>,
    done: std::sync::atomic::AtomicUsize,
    quiet: bool,
}

impl Progress {
    pub fn new(what: &'static str, total: usize, quiet: bool) -> Progress {
        Progress {
            what,
            total,
            start: Instant::now(),
            last: std::sync::Mutex::new(Instant::now()),
            done: 0.into(),
            quiet,
        }
    }

    pub fn tick(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if self.quiet {
            return;
        }
        let mut last = self.last.lock().expect("no progress holder panicked");
        if done == self.total || last.elapsed().as_secs_f64() >= 1.0 {
            *last = Instant::now();
            let rate = done as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "  {}: {done}/{} ({rate:.0}/s, {:.0} s left)",
                self.what,
                self.total,
                (self.total - done) as f64 / rate.max(1e-9)
            );
        }
    }
}

/// Front-end frames of every utterance, in order.
pub fn front_end_frames(
    setup: &Setup,
    utts: &[Utterance],
    jobs: usize,
    quiet: bool,
) -> Result<Vec<Vec<Vec<u32>>>> {
    let progress = Progress::new("front end", utts.len(), quiet);
    let p = &setup.params;
    parallel(utts, jobs, |u| {
        let audio = read_wav(&u.path)?;
        setup
            .front_end
            .check_rate(audio.rate_hz)
            .map_err(|message| Error::Data {
                path: u.path.clone(),
                message,
            })?;
        progress.tick();
        Ok(setup.front_end.samples(&audio, p.channels, p.sample_bits))
    })
    .into_iter()
    .collect()
}

/// Runs every utterance's frames through `reservoir`.
pub fn encode(
    setup: &Setup,
    reservoir: &Reservoir,
    frames: &[Vec<Vec<u32>>],
    jobs: usize,
    quiet: bool,
) -> Vec<Encoded> {
    let progress = Progress::new("reservoir", frames.len(), quiet);
    parallel(frames, jobs, |f| {
        let spikes = reservoir.run(f, &setup.timing, setup.cycles);
        let counts = reservoir::binned_counts(&setup.params, setup.bins, &spikes);
        progress.tick();
        Encoded {
            frames: f.clone(),
            spikes,
            counts,
        }
    })
}

fn as_features(e: &[&Encoded]) -> Vec<Vec<f64>> {
    e.iter()
        .map(|e| e.counts.iter().map(|&c| c as f64).collect())
        .collect()
}

/// The readout's decision on binned counts with raw fixed-point weights (the RTL's sums).
pub fn decide(setup: &Setup, weights: &[Vec<i64>], counts: &[u32]) -> u32 {
    readout_decision(weights, counts, setup.params.acc_w).0
}

pub fn accuracy(setup: &Setup, weights: &[Vec<i64>], data: &[&Encoded], labels: &[u32]) -> f64 {
    let correct = data
        .iter()
        .zip(labels)
        .filter(|(e, y)| decide(setup, weights, &e.counts) == **y)
        .count();
    correct as f64 / data.len().max(1) as f64
}

/// A trained readout and how it was chosen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fit {
    pub lambda: f64,
    pub validation_accuracy: f64,
    /// Raw fixed-point weights, `classes` rows of `bins * features`.
    pub weights: Vec<Vec<i64>>,
}

/// The validation (`val`) or training part of encoded recordings, with their digits.
pub fn split<'e>(
    utts: &[Utterance],
    encoded: &'e [Encoded],
    val: bool,
) -> (Vec<&'e Encoded>, Vec<u32>) {
    utts.iter()
        .zip(encoded)
        .filter(|(u, _)| u.is_validation() == val)
        .map(|(u, e)| (e, u.digit))
        .unzip()
}

fn normal_equations(setup: &Setup, train: (&[&Encoded], &[u32])) -> Normal {
    Normal::new(
        &as_features(train.0),
        train.1,
        setup.params.classes as usize,
    )
}

/// Ridge weights for `lambda`, quantized to the readout's format.
fn quantized(setup: &Setup, normal: &Normal, lambda: f64) -> Vec<Vec<i64>> {
    ridge::quantize(
        &normal.solve(lambda),
        &setup.rendered.compiled.network.readout.format,
    )
}

/// Creates `dir` (and its parents) for output.
fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })
}

/// Fits the readout on `train`, choosing the penalty by quantized accuracy on `val`.
pub fn fit_readout(setup: &Setup, train: (&[&Encoded], &[u32]), val: (&[&Encoded], &[u32])) -> Fit {
    let normal = normal_equations(setup, train);
    let mut best: Option<Fit> = None;
    for &lambda in &LAMBDAS {
        let weights = quantized(setup, &normal, lambda);
        let acc = accuracy(setup, &weights, val.0, val.1);
        // On a tie the larger penalty wins: the smoother readout is the safer bet on data
        // it has not seen.
        if best.as_ref().is_none_or(|b| acc >= b.validation_accuracy) {
            best = Some(Fit {
                lambda,
                validation_accuracy: acc,
                weights,
            });
        }
    }
    best.expect("at least one penalty")
}

/// Fits the readout on `train` with a given penalty and quantizes it.
pub fn refit(setup: &Setup, train: (&[&Encoded], &[u32]), lambda: f64) -> Vec<Vec<i64>> {
    quantized(setup, &normal_equations(setup, train), lambda)
}

/// What `snngen train` writes beside the weights, and `eval` reads back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelInfo {
    pub design: String,
    pub front_end: FrontEnd,
    pub timing: Timing,
    pub bins: usize,
    pub lambda: f64,
    pub validation_accuracy: f64,
    pub train_utterances: usize,
    pub validation_utterances: usize,
    pub variant: Variant,
    pub train_seconds: f64,
}

pub const WEIGHTS_FILE: &str = "readout_weights.csv";
pub const MODEL_FILE: &str = "model.json";

/// The weights as the design's CSV matrix format: real values, exact in the fixed-point
/// format, one row per class.
pub fn weights_csv(setup: &Setup, weights: &[Vec<i64>]) -> String {
    let format = setup.rendered.compiled.network.readout.format;
    let mut text = format!(
        "# readout weights written by snngen train: {} classes x ({} bins x {} features), Q{}.{}\n",
        weights.len(),
        setup.bins,
        setup.params.features.len(),
        format.int_bits,
        format.frac_bits
    );
    for row in weights {
        let cells: Vec<String> = row
            .iter()
            .map(|&w| format!("{}", format.to_real(w)))
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

fn write(path: &Path, contents: &[u8]) -> Result<()> {
    std::fs::write(path, contents).map_err(|source| Error::Output {
        path: path.to_path_buf(),
        source,
    })
}

/// Options of `snngen train`.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub data: PathBuf,
    pub out: PathBuf,
    pub variant: Variant,
    pub sample_period: u64,
    pub front_end: FrontEnd,
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
    pub quiet: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub model_dir: String,
    pub validation_accuracy: f64,
    pub lambda: f64,
    pub train_utterances: usize,
    pub validation_utterances: usize,
    pub mean_reservoir_spikes: f64,
    /// Training time (the robustness sweep not included).
    pub seconds: f64,
    /// Mismatch and temperature sweep, when asked for.
    pub robustness: Vec<super::robustness::Row>,
}

/// How a trained reservoir differs from the design file: another connectivity seed, or
/// every population in one operating mode (the mixed-modes ablation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// Shifts every random connectivity seed (an independent reservoir of the same design).
    pub seed: Option<u64>,
    /// Replaces every population's operating mode.
    pub mode: Option<String>,
}

impl Variant {
    pub fn apply(&self, d: &mut crate::design::Design) {
        if let Some(seed) = self.seed {
            for conn in d.chips.iter_mut().flat_map(|c| &mut c.connections) {
                if let Some(r) = &mut conn.random {
                    r.seed = r
                        .seed
                        .wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                }
            }
        }
        if let Some(mode) = &self.mode {
            for p in d.chips.iter_mut().flat_map(|c| &mut c.populations) {
                p.mode.clone_from(mode);
            }
        }
    }
}

/// Which readout weights a loaded design carries.
#[derive(Debug, Clone, Copy)]
pub enum Weights<'a> {
    /// The design's own.
    Design,
    /// A CSV file, e.g. a trained model's.
    File(&'a Path),
    /// Zeros of the right shape: for training, whatever the design's file holds (it may be
    /// missing or have another shape after the readout changed).
    Untrained,
}

/// Loads a design for the task as `variant` changes it, with the given readout weights.
pub fn load_setup(
    design: &Path,
    variant: &Variant,
    weights: Weights,
    fe: FrontEnd,
    period: u64,
) -> Result<Setup> {
    let mut loaded = crate::design::load_design(design).map_err(Error::Input)?;
    variant.apply(&mut loaded.design);
    loaded = match weights {
        Weights::Design => loaded,
        Weights::File(w) => build::with_readout_weights(loaded, w),
        Weights::Untrained => {
            loaded.design.fpga.readout.weights = crate::design::Matrix {
                random: Some(crate::design::RandomMatrix {
                    seed: 0,
                    min: 0.0,
                    max: 0.0,
                    density: 1.0,
                }),
                ..Default::default()
            };
            loaded
        }
    };
    Setup::new(build::render_loaded(loaded)?, fe, period)
}

pub fn train(design: &Path, opts: &TrainOptions) -> Result<TrainReport> {
    let start = Instant::now();
    let setup = load_setup(
        design,
        &opts.variant,
        Weights::Untrained,
        opts.front_end.clone(),
        opts.sample_period,
    )?;
    let utts = list_recordings(&opts.data)?;
    let frames = front_end_frames(&setup, &utts, opts.jobs, opts.quiet)?;
    let net = &setup.rendered.compiled.network;
    let res = Reservoir::new(&setup.rendered, net.temperature);
    let encoded = encode(&setup, &res, &frames, opts.jobs, opts.quiet);
    let (train_x, train_y) = split(&utts, &encoded, false);
    let (val_x, val_y) = split(&utts, &encoded, true);
    if train_x.is_empty() || val_x.is_empty() {
        return Err(Error::Data {
            path: opts.data.clone(),
            message: format!(
                "need recordings for training and for validation (index {}..={}); found {} and {}",
                super::dataset::VALIDATION_INDICES.start(),
                super::dataset::VALIDATION_INDICES.end(),
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
    let robustness = robustness_sweep(&setup, opts, &utts, &frames, &fit)?;
    Ok(TrainReport {
        model_dir: opts.out.display().to_string(),
        validation_accuracy: fit.validation_accuracy,
        lambda: fit.lambda,
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

/// The seed system's robustness study (see `robustness`), written to robustness.csv.
fn robustness_sweep(
    setup: &Setup,
    opts: &TrainOptions,
    utts: &[Utterance],
    frames: &[Vec<Vec<u32>>],
    fit: &Fit,
) -> Result<Vec<super::robustness::Row>> {
    let mut temps = opts.temperatures.clone();
    temps.sort_by(f64::total_cmp);
    temps.dedup();
    if temps.is_empty() && opts.mismatch_runs > 0 {
        temps.push(setup.rendered.compiled.network.temperature);
    }
    if temps.is_empty() {
        return Ok(Vec::new());
    }
    let trained = super::robustness::Trained {
        setup,
        frames,
        utts,
        weights: &fit.weights,
        lambda: fit.lambda,
    };
    let conditions = super::robustness::sweep(
        &trained,
        opts.mismatch_runs,
        &temps,
        opts.mismatch_seed,
        opts.jobs,
        opts.quiet,
    );
    create_dir(&opts.out)?;
    let mut csv = String::from("temperature_c,run,nominal_readout_accuracy,retrained_accuracy\n");
    for c in &conditions {
        csv.push_str(&format!(
            "{},{},{},{}\n",
            c.temperature_c, c.run, c.nominal_readout, c.retrained
        ));
    }
    write(&opts.out.join("robustness.csv"), csv.as_bytes())?;
    Ok(super::robustness::summarize(&conditions))
}

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
    pub quiet: bool,
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
    pub energy: super::energy::Energy,
    pub confusion_png: String,
    pub seconds: f64,
}

fn read_model(dir: &Path) -> Result<ModelInfo> {
    let path = dir.join(MODEL_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Data {
        path: path.clone(),
        message: format!("cannot read the trained model ({e}); run `snngen train` first"),
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Data {
        path,
        message: format!("not a model written by snngen train: {e}"),
    })
}

/// The design with the model's reservoir seed and trained readout weights.
pub fn load_trained(design: &Path, model: &Path) -> Result<(Setup, ModelInfo)> {
    let info = read_model(model)?;
    let setup = load_setup(
        design,
        &info.variant,
        Weights::File(&model.join(WEIGHTS_FILE)),
        info.front_end.clone(),
        info.timing.sample_period,
    )?;
    if setup.bins != info.bins || setup.timing != info.timing {
        return Err(Error::Data {
            path: model.join(MODEL_FILE),
            message: format!(
                "trained for {} bins and {:?}, but {} gives {} bins and {:?}",
                info.bins,
                info.timing,
                design.display(),
                setup.bins,
                setup.timing
            ),
        });
    }
    Ok((setup, info))
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
    let (setup, _info) = load_trained(design, &opts.model)?;
    let utts = list_recordings(&opts.data)?;
    let frames = front_end_frames(&setup, &utts, opts.jobs, opts.quiet)?;
    let celsius = opts
        .celsius
        .unwrap_or(setup.rendered.compiled.network.temperature);
    let res = Reservoir::new(&setup.rendered, celsius);
    let encoded = encode(&setup, &res, &frames, opts.jobs, opts.quiet);
    let progress = Progress::new("readout (cycle-exact)", encoded.len(), opts.quiet);
    let weights = &setup.rendered.compiled.readout.weights;
    let decisions: Vec<(Option<u32>, u32)> = parallel(&encoded, opts.jobs, |e| {
        let d = (
            hardware_decision(&setup, e),
            decide(&setup, weights, &e.counts),
        );
        progress.tick();
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
    let png = out.join("confusion.png");
    let accuracy = correct as f64 / n as f64;
    crate::plot::write_confusion_png(
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
        energy: super::energy::Energy::mean(
            &encoded
                .iter()
                .map(|e| {
                    super::energy::classification_energy(&setup, res.chips(), celsius, &e.spikes)
                })
                .collect::<Vec<_>>(),
        ),
        confusion_png: png.display().to_string(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// The plain-text report of `snngen eval`; its last line is `accuracy: 0.xxxx`.
pub fn eval_table(r: &EvalReport) -> String {
    let mut t = String::from("digit  recordings  correct  accuracy\n");
    for c in &r.per_class {
        t.push_str(&format!(
            "{:>5}  {:>10}  {:>7}  {:>8.4}\n",
            c.digit, c.utterances, c.correct, c.accuracy
        ));
    }
    t.push_str(&format!(
        "{} recordings in {:.1} s; {:.0} reservoir spikes and {:.0} synapse events per \
         utterance; training-path decisions agree with the hardware's on {:.2} %\n",
        r.utterances,
        r.seconds,
        r.mean_reservoir_spikes,
        r.mean_synapse_events,
        100.0 * r.fast_path_agreement
    ));
    let e = &r.energy;
    if e.neuron_nj.is_nan() {
        t.push_str(
            "energy per classification: not calibrated (a mode or the supply is not in \
             sim/calibration/; see snngen characterize --calibration)\n",
        );
    } else {
        t.push_str(&format!(
            "energy per classification: {:.1} nJ (analog: neuron spikes {:.3} nJ, synapses \
             {:.3} nJ; FPGA readout {:.1} nJ at an assumed {} pJ per MAC)\n",
            e.total_nj,
            e.neuron_nj,
            e.synapse_nj,
            e.readout_nj,
            super::energy::READOUT_MAC_PJ
        ));
    }
    t.push_str(&format!("confusion matrix: {}\n", r.confusion_png));
    t.push_str(&format!("accuracy: {:.4}\n", r.accuracy));
    t
}
