//! Training a feed-forward RC-Spike TTFS network with the exact gradients of its firing
//! times (no surrogate): a softmax over negative output times, Adam, mini-batches split into
//! a fixed number of shards (so results do not depend on the number of threads).
//!
//! Weights are signed and in units of `g_unit`: a positive weight w is an excitatory
//! crosspoint of conductance w g_unit, a negative one an inhibitory crosspoint of -w g_unit.

use crate::compiler::passes::quantize::crosspoint_levels;
use crate::model::ttfs::RcNeuron;
use crate::model::ttfs_network::{
    Gradients, HiddenTerms, Layer, Network, Sparsity, crosspoint, encode,
};
use crate::support::idx::Split;
use crate::support::parallel::parallel;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Everything that fixes a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Layer sizes, input first (784, ..., 10).
    pub sizes: Vec<usize>,
    pub neuron: RcNeuron,
    /// Pixels step within [0, input_window).
    pub input_window: f64,
    /// Neurons may fire within [0, window).
    pub window: f64,
    /// Conductance (S) of a weight of 1.
    pub g_unit: f64,
    /// Temperature (s) of the softmax over negative output times.
    pub softmax_tau: f64,
    /// Weight of the penalty (Vth - v) / Vth on a target output that stays silent, v its
    /// membrane at the window's end: without it a silent target gets no gradient at all.
    pub silent_penalty: f64,
    /// Mean of the initial weights in standard deviations: positive, so that most neurons
    /// fire from the start.
    pub init_mean: f64,
    /// Weight of the penalty (Vth - v) / Vth on the hidden neurons that stay silent (v the
    /// membrane at the window's end), averaged over all hidden neurons: a hidden neuron that
    /// never fires has no other gradient and stays dead.
    pub hidden_silent_penalty: f64,
    /// Weight of the same penalty on only the hidden neurons that fired on no image of the
    /// previous batch (averaged the same way): it revives a dead neuron without pulling
    /// every neuron to fire on every image, which sparse firing wants.
    pub dead_neuron_penalty: f64,
    /// The sparse-firing penalty on every hidden neuron, its level (V, for the forms that
    /// have one) and its weight (averaged over all hidden neurons, like the silent penalty).
    pub sparsity: Sparsity,
    pub sparsity_level: f64,
    pub sparsity_strength: f64,
    /// Training images are moved by up to this many pixels each way (0: as they are).
    pub shift: usize,
    /// Largest |weight| a crosspoint can hold (its smallest resistor); Adam's steps are
    /// clipped to it.
    pub weight_limit: f64,
    /// Whether weights may be negative (inhibitory lines); if not they stay at 0 or above.
    pub signed: bool,
    pub learning_rate: f64,
    /// Rate at the last step: the rate falls from `learning_rate` along a half cosine.
    pub final_learning_rate: f64,
    pub batch: usize,
    pub epochs: usize,
    pub seed: u64,
    pub workers: usize,
}

/// One epoch's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    pub loss: f64,
    pub train_accuracy: f64,
    pub validation: Evaluation,
}

/// Accuracy and activity on a set of images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub accuracy: f64,
    /// Mean over images of the fraction of each layer's neurons that fired.
    pub spikes_per_neuron: Vec<f64>,
    /// Mean over images of the energy the crossbars' line drivers deliver (pJ, the model's
    /// charge integral; None in models written before it was measured).
    #[serde(default)]
    pub energy_per_inference_pj: Option<f64>,
}

/// Shards per batch: each sums its samples' gradients in order, then the shards are summed in
/// order, whatever the number of threads.
const SHARDS: usize = 4;

impl TrainConfig {
    /// The network these signed weights make.
    pub fn network(&self, weights: &[Vec<f64>]) -> Network {
        let layers = weights
            .iter()
            .zip(self.sizes.windows(2))
            .map(|(w, size)| Layer::new(size[0], size[1], vec![[0.0; 2]; w.len()]))
            .collect();
        let mut net = Network {
            neuron: self.neuron,
            window: self.window,
            layers,
        };
        self.set_weights(&mut net, weights);
        net
    }

    /// Puts these signed weights on `net` (made by [`TrainConfig::network`]) in place.
    fn set_weights(&self, net: &mut Network, weights: &[Vec<f64>]) {
        for (layer, w) in net.layers.iter_mut().zip(weights) {
            layer.set_crosspoints(|g| {
                for (g, &x) in g.iter_mut().zip(w) {
                    *g = crosspoint(self.g_unit * x);
                }
            });
        }
    }

    /// The weights a crosspoint can hold: [-limit, limit], or [0, limit] without
    /// inhibitory lines.
    pub fn weight_range(&self) -> (f64, f64) {
        let low = if self.signed { -self.weight_limit } else { 0.0 };
        (low, self.weight_limit)
    }

    /// The cosine-annealed learning rate at optimizer step `step` of `total`.
    pub fn rate_at(&self, step: usize, total: usize) -> f64 {
        let progress = step as f64 / total.max(1) as f64;
        let (a, b) = (self.learning_rate, self.final_learning_rate);
        b + 0.5 * (a - b) * (1.0 + (std::f64::consts::PI * progress).cos())
    }

    /// Gaussian weights with a positive mean, so that most neurons fire from the start.
    pub fn initial_weights(&self) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        self.sizes
            .windows(2)
            .map(|size| {
                let sd = 1.0 / (size[0] as f64).sqrt();
                (0..size[0] * size[1])
                    .map(|_| sd * (self.init_mean + gaussian(&mut rng)))
                    .collect()
            })
            .collect()
    }
}

fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let a: f64 = rng.random::<f64>().max(1e-300);
    let b: f64 = rng.random();
    (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
}

/// Softmax cross-entropy over -t / tau (a silent output counts as firing at the window's
/// end) and its derivative by each output time. Returns (loss, d loss / d t).
fn loss(times: &[Option<f64>], label: usize, window: f64, tau: f64) -> (f64, Vec<f64>) {
    let z: Vec<f64> = times.iter().map(|t| -t.unwrap_or(window) / tau).collect();
    let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|z| (z - top).exp()).collect();
    let sum: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|e| e / sum).collect();
    let d = (0..p.len())
        .map(|i| -(p[i] - f64::from(u8::from(i == label))) / tau)
        .collect();
    (-p[label].max(1e-300).ln(), d)
}

/// Adam's moments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    pub(super) m: Vec<Vec<f64>>,
    pub(super) v: Vec<Vec<f64>>,
    step: i32,
}

impl Adam {
    fn new(weights: &[Vec<f64>]) -> Adam {
        let zeros = || weights.iter().map(|w| vec![0.0; w.len()]).collect();
        Adam {
            m: zeros(),
            v: zeros(),
            step: 0,
        }
    }

    fn update(
        &mut self,
        weights: &mut [Vec<f64>],
        grads: &[Vec<f64>],
        rate: f64,
        range: (f64, f64),
    ) {
        const B1: f64 = 0.9;
        const B2: f64 = 0.999;
        self.step += 1;
        let (c1, c2) = (1.0 - B1.powi(self.step), 1.0 - B2.powi(self.step));
        for (l, w) in weights.iter_mut().enumerate() {
            for (k, w) in w.iter_mut().enumerate() {
                let g = grads[l][k];
                let (m, v) = (&mut self.m[l][k], &mut self.v[l][k]);
                *m = B1 * *m + (1.0 - B1) * g;
                *v = B2 * *v + (1.0 - B2) * g * g;
                *w -= rate * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
                *w = w.clamp(range.0, range.1);
            }
        }
    }
}

/// d loss / d signed weight, mean over a batch of `images`, from the conductance gradients
/// summed over it (the crosspoint a weight uses), written into `out`.
fn weight_gradient(
    cfg: &TrainConfig,
    weights: &[Vec<f64>],
    g: &Gradients,
    images: usize,
    out: &mut [Vec<f64>],
) {
    for ((w, g), out) in weights.iter().zip(&g.g).zip(out) {
        for ((&x, &[exc, inh]), out) in w.iter().zip(g).zip(out) {
            let d = if x >= 0.0 { exc } else { -inh };
            *out = d * cfg.g_unit / images as f64;
        }
    }
}

/// What one shard of a batch adds up to (beside its gradient).
struct ShardSums {
    loss: f64,
    correct: usize,
    /// [hidden layer][neuron]: whether it fired on any of the shard's images.
    fired: Vec<Vec<bool>>,
}

/// One shard of a batch, the images `items`, its gradient summed into `grads` (zero on
/// entry); `dead` marks the hidden neurons that fired on no image of the previous batch.
fn shard(
    cfg: &TrainConfig,
    net: &Network,
    data: &Split,
    items: &[usize],
    grads: &mut Gradients,
    epoch: usize,
    dead: &[Vec<bool>],
) -> ShardSums {
    let (mut total, mut correct) = (0.0, 0);
    let mut fired = no_firings(cfg);
    let vth = cfg.neuron.threshold;
    let hidden_count: usize = cfg.sizes[1..cfg.sizes.len() - 1].iter().sum();
    let per_neuron = |strength: f64| strength / hidden_count.max(1) as f64;
    // Silent hidden neurons: the penalties (hidden_silent_penalty on every one,
    // dead_neuron_penalty on the dead ones) w (Vth - v) / Vth, and the sparsity penalty,
    // each averaged over all hidden neurons (so that its weight does not grow with the
    // layers).
    let hidden = HiddenTerms {
        d_silent: -per_neuron(cfg.hidden_silent_penalty) / vth,
        d_dead: -per_neuron(cfg.dead_neuron_penalty) / vth,
        dead: dead.to_vec(),
        sparsity: cfg.sparsity,
        sparsity_level: cfg.sparsity_level,
        sparsity_weight: per_neuron(cfg.sparsity_strength),
    };
    for &i in items {
        let label = usize::from(data.labels[i]);
        let image = augmented(cfg, data, i, epoch);
        let trace = net.forward(&encode(&image, cfg.input_window));
        let (mut l, d) = loss(&trace.output_times(), label, cfg.window, cfg.softmax_tau);
        let mut d_silent = vec![0.0; d.len()];
        if cfg.silent_penalty > 0.0
            && let Some(m) = net.silent_output(&trace, label)
        {
            l += cfg.silent_penalty * (vth - m.value) / vth;
            d_silent[label] = -cfg.silent_penalty / vth;
        }
        let sums = net.accumulate(&trace, &d, &d_silent, &hidden, grads);
        l += sums.silent + hidden.sparsity_weight * sums.sparsity;
        total += l;
        correct += usize::from(trace.class() == Some(label));
        let hidden_layers = &trace.layers[..trace.layers.len() - 1];
        or_into(
            &mut fired,
            hidden_layers
                .iter()
                .map(|lt| lt.firings.iter().map(Option::is_some)),
        );
    }
    ShardSums {
        loss: total,
        correct,
        fired,
    }
}

/// Marks in `mask` ([hidden layer][neuron]) every neuron that `fired` marks.
fn or_into(
    mask: &mut [Vec<bool>],
    fired: impl IntoIterator<Item = impl IntoIterator<Item = bool>>,
) {
    for (m, layer) in mask.iter_mut().zip(fired) {
        for (f, x) in m.iter_mut().zip(layer) {
            *f |= x;
        }
    }
}

/// [hidden layer][neuron], all false.
fn no_firings(cfg: &TrainConfig) -> Vec<Vec<bool>> {
    let hidden = &cfg.sizes[1..cfg.sizes.len().saturating_sub(1).max(1)];
    hidden.iter().map(|&n| vec![false; n]).collect()
}

/// Where training stands after some epochs: all it needs to go on exactly as if it had
/// never stopped (the order of each epoch is drawn from the seed and the epoch's number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    pub weights: Vec<Vec<f64>>,
    pub adam: Adam,
    pub history: Vec<EpochStats>,
}

impl TrainState {
    pub fn new(initial: Vec<Vec<f64>>) -> TrainState {
        TrainState {
            adam: Adam::new(&initial),
            weights: initial,
            history: Vec::new(),
        }
    }
}

/// How far an epoch has come: batches done of all, and the mean loss and accuracy so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchProgress {
    pub done: usize,
    pub total: usize,
    pub loss: f64,
    pub accuracy: f64,
}

/// Runs the next epoch on `train` images, then evaluates on `validation`; `on_batch` sees
/// each batch as it is done.
pub fn train_epoch(
    cfg: &TrainConfig,
    state: &mut TrainState,
    data: &Split,
    train: &[usize],
    validation: &[usize],
    mut on_batch: impl FnMut(BatchProgress),
) -> EpochStats {
    let epoch = state.history.len();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5eed);
    rng.set_stream(epoch as u64);
    let mut order = train.to_vec();
    order.shuffle(&mut rng);
    let batch_size = cfg.batch.max(1);
    let steps_per_epoch = order.len().div_ceil(batch_size);
    let total_steps = steps_per_epoch * cfg.epochs;
    let (mut total, mut correct, mut seen) = (0.0, 0, 0);
    // Nothing counts as dead before an epoch's first batch (so that an epoch does not
    // depend on the one before beyond the weights, and --resume repeats it exactly).
    let mut dead = no_firings(cfg);
    // The network, a gradient buffer per shard, their sum and the weight gradient are kept
    // from batch to batch: fresh ones (megabytes each) cost page faults and zeroing.
    let mut net = cfg.network(&state.weights);
    let buffers: Vec<Mutex<Gradients>> = (0..SHARDS)
        .map(|_| Mutex::new(net.zero_gradients()))
        .collect();
    let mut sum = net.zero_gradients();
    let mut weight_grads: Vec<Vec<f64>> =
        state.weights.iter().map(|w| vec![0.0; w.len()]).collect();
    for (b, batch) in order.chunks(batch_size).enumerate() {
        cfg.set_weights(&mut net, &state.weights);
        let shards: Vec<(&[usize], &Mutex<Gradients>)> = batch
            .chunks(batch.len().div_ceil(SHARDS))
            .zip(&buffers)
            .collect();
        let parts = parallel(&shards, cfg.workers, |&(items, buffer)| {
            let mut shard_grads = locked(buffer);
            shard_grads.clear();
            shard(cfg, &net, data, items, &mut shard_grads, epoch, &dead)
        });
        sum.clear();
        let mut fired = no_firings(cfg);
        for (part, (_, buffer)) in parts.iter().zip(&shards) {
            add(&mut sum, &locked(buffer));
            total += part.loss;
            correct += part.correct;
            or_into(&mut fired, part.fired.iter().map(|l| l.iter().copied()));
        }
        dead = fired
            .iter()
            .map(|mask| mask.iter().map(|f| !f).collect())
            .collect();
        seen += batch.len();
        weight_gradient(cfg, &state.weights, &sum, batch.len(), &mut weight_grads);
        let rate = cfg.rate_at(epoch * steps_per_epoch + b, total_steps);
        state
            .adam
            .update(&mut state.weights, &weight_grads, rate, cfg.weight_range());
        on_batch(BatchProgress {
            done: b + 1,
            total: steps_per_epoch,
            loss: total / seen as f64,
            accuracy: correct as f64 / seen as f64,
        });
    }
    cfg.set_weights(&mut net, &state.weights);
    let stats = EpochStats {
        loss: total / order.len().max(1) as f64,
        train_accuracy: correct as f64 / order.len().max(1) as f64,
        validation: evaluate(&net, cfg, data, validation),
    };
    state.history.push(stats.clone());
    stats
}

/// Image `i` moved by up to `cfg.shift` pixels each way (zeros come in at the edges), by an
/// offset drawn from the seed, the epoch and the image: every epoch sees other offsets, and
/// any number of threads the same ones.
fn augmented(cfg: &TrainConfig, data: &Split, i: usize, epoch: usize) -> Vec<u8> {
    let image = data.images.image(i);
    if cfg.shift == 0 {
        return image.to_vec();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xa11ce);
    rng.set_stream(((epoch as u64) << 32) | i as u64);
    let s = cfg.shift as i64;
    let (dx, dy) = (rng.random_range(-s..=s), rng.random_range(-s..=s));
    shifted(image, data.images.rows, data.images.cols, dx, dy)
}

/// `image` (rows x cols) moved right by dx and down by dy, zeros coming in.
pub fn shifted(image: &[u8], rows: usize, cols: usize, dx: i64, dy: i64) -> Vec<u8> {
    let mut out = vec![0; image.len()];
    for r in 0..rows {
        for c in 0..cols {
            let (sr, sc) = (r as i64 - dy, c as i64 - dx);
            if (0..rows as i64).contains(&sr) && (0..cols as i64).contains(&sc) {
                out[r * cols + c] = image[sr as usize * cols + sc as usize];
            }
        }
    }
    out
}

/// Trains from `initial` weights for `cfg.epochs` epochs, evaluating on `validation` after
/// each; `on_epoch` sees each epoch's figures as they come.
pub fn train(
    cfg: &TrainConfig,
    initial: Vec<Vec<f64>>,
    data: &Split,
    train: &[usize],
    validation: &[usize],
    mut on_epoch: impl FnMut(usize, &EpochStats),
) -> (Vec<Vec<f64>>, Vec<EpochStats>) {
    let mut state = TrainState::new(initial);
    for epoch in 0..cfg.epochs {
        let stats = train_epoch(cfg, &mut state, data, train, validation, |_| {});
        on_epoch(epoch, &stats);
    }
    (state.weights, state.history)
}

/// A shard's buffer. Each is locked by one shard at a time, so the lock never waits; it
/// is only poisoned by a shard that panicked, which `thread::scope` passes on anyway.
fn locked(buffer: &Mutex<Gradients>) -> MutexGuard<'_, Gradients> {
    buffer.lock().unwrap_or_else(PoisonError::into_inner)
}

fn add(sum: &mut Gradients, g: &Gradients) {
    for (s, g) in sum.g.iter_mut().zip(&g.g) {
        s.iter_mut().zip(g).for_each(|(s, g)| {
            s[0] += g[0];
            s[1] += g[1];
        });
    }
}

/// Accuracy and spikes per neuron of `net` on the images `items`.
pub fn evaluate(net: &Network, cfg: &TrainConfig, data: &Split, items: &[usize]) -> Evaluation {
    let mut tally = Tally::new(net.layers.len(), 10);
    for run in parallel(items, cfg.workers, |&i| classify(net, cfg, data, i)) {
        tally.add(&run);
    }
    tally.evaluation()
}

/// One image through the network: its label, the decided class and each layer's share of
/// neurons that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Classified {
    pub label: usize,
    pub class: Option<usize>,
    pub spikes_per_neuron: Vec<f64>,
    /// Energy of the inference (J).
    pub energy: f64,
}

pub fn classify(net: &Network, cfg: &TrainConfig, data: &Split, i: usize) -> Classified {
    let trace = net.infer(&encode(data.images.image(i), cfg.input_window));
    Classified {
        label: usize::from(data.labels[i]),
        class: trace.class(),
        spikes_per_neuron: trace.spikes_per_neuron(),
        energy: net.energy(&trace).iter().sum(),
    }
}

/// Running sums over classified images.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Per label: (correct, seen).
    pub per_class: Vec<(usize, usize)>,
    /// Images no output fired for.
    pub undecided: usize,
    spikes: Vec<f64>,
    energy: f64,
}

impl Tally {
    pub fn new(layers: usize, classes: usize) -> Tally {
        Tally {
            per_class: vec![(0, 0); classes],
            undecided: 0,
            spikes: vec![0.0; layers],
            energy: 0.0,
        }
    }

    pub fn add(&mut self, c: &Classified) {
        if self.per_class.len() <= c.label {
            self.per_class.resize(c.label + 1, (0, 0));
        }
        let slot = &mut self.per_class[c.label];
        slot.0 += usize::from(c.class == Some(c.label));
        slot.1 += 1;
        self.undecided += usize::from(c.class.is_none());
        self.spikes
            .iter_mut()
            .zip(&c.spikes_per_neuron)
            .for_each(|(a, b)| *a += b);
        self.energy += c.energy;
    }

    pub fn seen(&self) -> usize {
        self.per_class.iter().map(|c| c.1).sum()
    }

    pub fn evaluation(&self) -> Evaluation {
        let n = self.seen().max(1) as f64;
        Evaluation {
            accuracy: self.per_class.iter().map(|c| c.0).sum::<usize>() as f64 / n,
            spikes_per_neuron: self.spikes.iter().map(|s| s / n).collect(),
            energy_per_inference_pj: Some(self.energy / n * 1e12),
        }
    }
}

/// The weights on a crossbar whose crosspoints hold `bits` bits, layer by layer (the levels
/// the compiler's quantize pass puts a tile on).
pub fn quantized(weights: &[Vec<f64>], bits: u32) -> Vec<Vec<f64>> {
    weights.iter().map(|w| crosspoint_levels(w, bits)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loss_gradient_matches_central_differences() {
        let times = [Some(30e-6), None, Some(10e-6), Some(45e-6)];
        let (_, d) = loss(&times, 3, 100e-6, 5e-6);
        for i in [0, 2, 3] {
            let h = 1e-12;
            let at = |x: f64| {
                let mut t = times;
                t[i] = Some(times[i].unwrap() + x);
                loss(&t, 3, 100e-6, 5e-6).0
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            // Rounding ~eps loss / h ~ 1e-4 against slopes ~1e5: 1e-6 relative.
            assert!(
                (d[i] - numeric).abs() <= 1e-6 * d[i].abs().max(1e3),
                "{i}: {} vs {numeric}",
                d[i]
            );
        }
        // A silent output is pushed by its softmax share alone (no target): -p / tau.
        let expected = -softmax_share(&times, 1) / 5e-6;
        assert!((d[1] - expected).abs() <= 1e-12 * expected.abs());
    }

    fn softmax_share(times: &[Option<f64>], i: usize) -> f64 {
        let z: Vec<f64> = times
            .iter()
            .map(|t| (-t.unwrap_or(100e-6) / 5e-6).exp())
            .collect();
        z[i] / z.iter().sum::<f64>()
    }
}
