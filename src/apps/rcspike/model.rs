//! A trained TTFS model on disk: one CSV of design weights per layer (named after its tile,
//! inputs rows x outputs columns, in [-1, 1] units of 1 / r_unit) and model.json (the design
//! it fits, how it was trained, what it scored). While training, checkpoint.json also holds
//! the optimizer's state, so that `--resume` goes on exactly where a killed run stopped.

use super::task::{Hyper, Task};
use super::train::{EpochStats, TrainState};
use crate::compiler::design::Matrix;
use crate::compiler::ir::resolve_matrix;
use crate::support::error::{Error, Result};
use crate::support::fs::read_text;
use crate::support::hash::sha256_hex_of_parts;
use crate::support::idx::Split;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::path::Path;

pub const MODEL_FILE: &str = "model.json";
pub const CHECKPOINT_FILE: &str = "checkpoint.json";

/// What model.json says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub design: String,
    /// `Task::structure` of the design it was trained for.
    pub structure: String,
    pub sizes: Vec<usize>,
    pub layers: Vec<String>,
    pub hyper: Hyper,
    /// Training images (the first of the training split) and validation images (the last).
    pub train_images: usize,
    pub validation_images: usize,
    /// [`data_digest`] of the training split it was trained on (None in models written
    /// before it was recorded).
    #[serde(default)]
    pub data_digest: Option<String>,
    pub history: Vec<EpochStats>,
    /// Validation accuracy in full precision and on the crossbar's levels.
    pub validation_accuracy: f64,
    pub quantized_validation_accuracy: Option<f64>,
    pub bits: Option<u32>,
    pub train_seconds: f64,
}

/// What checkpoint.json holds: the model so far and the state to resume from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub structure: String,
    pub hyper: Hyper,
    pub train_images: usize,
    pub validation_images: usize,
    /// As in [`ModelInfo`].
    #[serde(default)]
    pub data_digest: Option<String>,
    pub train_seconds: f64,
    pub state: TrainState,
}

/// A digest of a training split's images and labels: `--resume` goes on from, or reads back,
/// only a run on the same data (image counts alone would let a Fashion-MNIST sweep read back
/// an MNIST run).
pub fn data_digest(data: &Split) -> String {
    sha256_hex_of_parts(&[&data.images.pixels, &data.labels])[..16].to_string()
}

/// The weights exactly as a model folder gives them back: design weights rounded to f32 (what
/// the CSV holds), in trainer units.
pub fn as_saved(task: &Task, weights: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut layers = task.to_design(weights);
    layers
        .iter_mut()
        .flatten()
        .flatten()
        .for_each(|x| *x = saved(*x));
    task.from_design(&layers)
}

/// A weight as the CSV gives it back: its f32 text read as f64 (as every reader of the
/// file, the design's matrix reader included, reads it).
fn saved(x: f64) -> f64 {
    format!("{}", x as f32).parse().unwrap_or(x)
}

/// A layer's weight file name.
pub fn weights_file(layer: &str) -> String {
    format!("{layer}.csv")
}

/// The files of a model folder: one CSV per layer, model.json, and the checkpoint if any.
pub fn model_files(
    task: &Task,
    weights: &[Vec<f64>],
    info: &ModelInfo,
    checkpoint: Option<&Checkpoint>,
) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = task
        .layer_names
        .iter()
        .zip(task.to_design(weights))
        .map(|(name, m)| (weights_file(name), csv(name, &m)))
        .collect();
    files.push((MODEL_FILE.into(), json(info)));
    if let Some(c) = checkpoint {
        files.push((CHECKPOINT_FILE.into(), json(c)));
    }
    files
}

fn json<T: Serialize>(x: &T) -> String {
    serde_json::to_string_pretty(x).expect("model types serialize") + "\n"
}

/// Weights as f32 text: the shortest that reads back to the same f32 (a third of f64's
/// bytes; 2^-24 relative is far finer than any crosspoint's levels).
fn csv(layer: &str, m: &[Vec<f64>]) -> String {
    let mut out = format!(
        "# {layer}: {} inputs x {} outputs, weight w = conductance |w| / r_unit on the line of its sign\n",
        m.len(),
        m.first().map_or(0, Vec::len)
    );
    for row in m {
        for (k, x) in row.iter().enumerate() {
            let sep = if k == 0 { "" } else { "," };
            let _ = write!(out, "{sep}{}", *x as f32);
            debug_assert_eq!(saved(*x), format!("{}", *x as f32).parse::<f64>().unwrap());
        }
        out.push('\n');
    }
    out
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path, what: &str, hint: &str) -> Result<T> {
    let text = read_text(path, 256 << 20).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        message: format!("cannot read the {what} ({e}); {hint}"),
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Data {
        path: path.to_path_buf(),
        message: format!("not a {what} written by snngen train: {e}"),
    })
}

/// A model folder's info as written, not yet checked against a design.
pub fn read_unchecked_info(dir: &Path) -> Result<ModelInfo> {
    read_json(
        &dir.join(MODEL_FILE),
        "trained model",
        "run `snngen train` first",
    )
}

/// A model folder's info, checked against the design it is used with.
pub fn read_info(dir: &Path, task: &Task, design: &Path) -> Result<ModelInfo> {
    let path = dir.join(MODEL_FILE);
    let info = read_unchecked_info(dir)?;
    if info.hyper.ideal_neuron && !task.neuron.ideal {
        return Err(Error::Data {
            path,
            message: "this model was trained for the ideal charge-domain neuron \
                      (`--ideal-neuron`), not for the crossbar's RC neuron that the netlists \
                      hold; train without `--ideal-neuron` to simulate it in ngspice"
                .into(),
        });
    }
    if info.structure != task.structure() {
        return Err(Error::Data {
            path,
            message: format!(
                "this model was trained for design `{}` (layers {}), which differs from {} (layers {}) in its layers, neuron, timing or crosspoint scale; train for this design with `snngen train {}`",
                info.design,
                sizes_text(&info.sizes),
                design.display(),
                sizes_text(&task.sizes),
                design.display()
            ),
        });
    }
    Ok(info)
}

/// The trainer weights of a model folder (read through the design's matrix reader).
pub fn read_weights(dir: &Path, task: &Task) -> Result<Vec<Vec<f64>>> {
    let layers = task
        .layer_names
        .iter()
        .zip(task.sizes.windows(2))
        .map(|(name, s)| {
            let file = weights_file(name);
            let matrix = Matrix {
                file: Some(file.clone()),
                ..Default::default()
            };
            let mut m =
                resolve_matrix(&matrix, s[0], s[1], dir).map_err(|message| Error::Data {
                    path: dir.join(&file),
                    message,
                })?;
            // The file holds f32 text; as f32 again, it is the value training evaluated.
            m.iter_mut()
                .flatten()
                .for_each(|x| *x = f64::from(*x as f32));
            let limit = 1.0 + 1e-6;
            if m.iter().flatten().any(|x| x.is_nan() || x.abs() > limit) {
                return Err(Error::Data {
                    path: dir.join(&file),
                    message: "a weight lies outside [-1, 1] (units of 1 / r_unit)".into(),
                });
            }
            Ok(m)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(task.from_design(&layers))
}

/// The checkpoint of an interrupted run, checked against the design and the options.
pub fn read_checkpoint(dir: &Path, task: &Task) -> Result<Checkpoint> {
    let path = dir.join(CHECKPOINT_FILE);
    let c: Checkpoint = read_json(
        &path,
        "training checkpoint",
        "only a run that was interrupted leaves one; train without --resume",
    )?;
    if c.structure != task.structure() {
        return Err(Error::Data {
            path,
            message:
                "this checkpoint was written for another network; train afresh (without --resume)"
                    .into(),
        });
    }
    let shapes: Vec<usize> = task.sizes.windows(2).map(|s| s[0] * s[1]).collect();
    let lengths = |m: &[Vec<f64>]| m.iter().map(Vec::len).collect::<Vec<usize>>();
    let (w, m, v) = (&c.state.weights, &c.state.adam.m, &c.state.adam.v);
    if [lengths(w), lengths(m), lengths(v)]
        .iter()
        .any(|l| *l != shapes)
    {
        return Err(Error::Data {
            path,
            message: "the checkpoint's weights do not have the design's shape".into(),
        });
    }
    Ok(c)
}

fn sizes_text(sizes: &[usize]) -> String {
    sizes
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("-")
}
