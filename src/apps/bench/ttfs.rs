//! `snngen bench ttfs`: the TTFS trainer's speed on a design, one worker against two in the
//! same run, on the same images, with a check that both end with the same weights (training
//! is deterministic whatever the thread count); then the speed of an evaluation (firing
//! times and energy, no gradients) of the trained weights on those images. The pass starts
//! from the initial weights (a first epoch, where nearly every neuron fires) or from a
//! trained model's (a later epoch, where most hidden neurons stay silent).

use crate::apps::rcspike::run::check_image_size;
use crate::apps::rcspike::task::{Hyper, Task};
use crate::apps::rcspike::train::{TrainState, evaluate, train_epoch};
use crate::support::error::{Error, Result};
use crate::support::idx;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
pub struct TtfsRow {
    pub workers: usize,
    pub images: usize,
    pub seconds: f64,
    pub images_per_second: f64,
    /// One epoch of the full training part (all but the 5,000 validation images).
    pub epoch_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TtfsBench {
    pub design: String,
    /// The model folder whose weights the pass started from (None: the initial weights).
    pub model: Option<String>,
    pub sizes: Vec<usize>,
    pub rows: Vec<TtfsRow>,
    pub same_weights: bool,
    pub speedup: f64,
    /// The trained weights evaluated on the same images with two workers (firing times and
    /// energy, as a validation pass and `snngen eval` do).
    pub eval_seconds: f64,
    pub eval_images_per_second: f64,
}

impl TtfsBench {
    pub fn table(&self) -> String {
        let sizes: Vec<String> = self.sizes.iter().map(usize::to_string).collect();
        let mut t = format!(
            "TTFS training of {} ({}): one batch-32 Adam pass over the first images from {}\n",
            self.design,
            sizes.join("-"),
            self.model
                .as_ref()
                .map_or("the initial weights".to_string(), |m| format!(
                    "the weights of {m}"
                ))
        );
        t += "workers  images  seconds  images/s  s per 55,000-image epoch\n";
        for r in &self.rows {
            t += &format!(
                "{:>7}  {:>6}  {:>7.2}  {:>8.1}  {:>24.0}\n",
                r.workers, r.images, r.seconds, r.images_per_second, r.epoch_seconds
            );
        }
        t += &format!(
            "speed-up {:.2}x; identical weights after the pass: {}\n",
            self.speedup, self.same_weights
        );
        t += &format!(
            "evaluation (2 workers, firing times and energy): {:.2} s, {:.1} images/s\n",
            self.eval_seconds, self.eval_images_per_second
        );
        t
    }
}

/// Workers of the second training pass and of the evaluation: the machine's two cores.
const WORKERS: usize = 2;

/// A trained model the timed pass starts from instead of the initial weights.
pub struct Start {
    /// Its folder, as the report names it.
    pub model: String,
    pub weights: Vec<Vec<f64>>,
}

/// Times one training pass over the first `images` of the folder's training split with 1 and
/// with 2 workers, then an evaluation of the weights on the same images with 2.
pub fn run(task: &Task, data_dir: &Path, images: usize, from: Option<Start>) -> Result<TtfsBench> {
    let data = idx::read_named_split(data_dir, "train")?;
    check_image_size(task, data_dir, &data)?;
    let n = images.min(data.labels.len());
    if n == 0 {
        return Err(Error::Usage("--images must be at least 1".into()));
    }
    let items: Vec<usize> = (0..n).collect();
    let full = data.labels.len().saturating_sub(5000);
    let mut rows = Vec::new();
    let mut weights = Vec::new();
    for workers in [1, WORKERS] {
        let cfg = task.config(&Hyper::default(), workers);
        let initial = from.as_ref().map(|f| f.weights.clone());
        let mut state = TrainState::new(initial.unwrap_or_else(|| cfg.initial_weights()));
        let start = Instant::now();
        train_epoch(&cfg, &mut state, &data, &items, &[], |_| {});
        let seconds = start.elapsed().as_secs_f64();
        rows.push(TtfsRow {
            workers,
            images: n,
            seconds,
            images_per_second: n as f64 / seconds,
            epoch_seconds: seconds * full as f64 / n as f64,
        });
        weights.push(state.weights);
    }
    let cfg = task.config(&Hyper::default(), WORKERS);
    let net = cfg.network(&weights[1]);
    let start = Instant::now();
    evaluate(&net, &cfg, &data, &items);
    let eval_seconds = start.elapsed().as_secs_f64();
    Ok(TtfsBench {
        design: task.design.clone(),
        model: from.map(|f| f.model),
        sizes: task.sizes.clone(),
        speedup: rows[0].seconds / rows[1].seconds,
        same_weights: weights[0] == weights[1],
        rows,
        eval_seconds,
        eval_images_per_second: n as f64 / eval_seconds,
    })
}
