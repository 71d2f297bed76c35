//! Training a small RC-Spike TTFS network on MNIST with exact spike-time gradients: it learns
//! (a floor on held-out validation accuracy) and is deterministic whatever the thread count.

use crate::common;

use snngen::apps::rcspike::train::{EpochStats, TrainConfig, evaluate, quantized, train};
use snngen::model::ttfs::RcNeuron;
use snngen::model::ttfs_network::Sparsity;
use snngen::support::idx;

/// 784-32-10 at strong coupling (Vsyn = 2 Vth): 100 fF membranes, pixels stepping within
/// 100 us, a weight of 1 = C / (2 T_in) = 0.5 nS (2 GOhm), so a few bright pixels at weight 1
/// charge a membrane to threshold within the input window.
fn config(epochs: usize, workers: usize) -> TrainConfig {
    let (c, t_in) = (100e-15, 100e-6);
    TrainConfig {
        sizes: vec![784, 32, 10],
        neuron: RcNeuron {
            capacitance: c,
            threshold: 0.3,
            e_exc: 0.6,
            e_inh: 0.0,
            v_start: 0.0,
            ideal: false,
        },
        input_window: t_in,
        window: 4.0 * t_in,
        g_unit: c / t_in / 2.0,
        softmax_tau: 0.1 * t_in,
        silent_penalty: 1.0,
        shift: 0,
        init_mean: 0.5,
        hidden_silent_penalty: 0.0,
        dead_neuron_penalty: 0.0,
        sparsity: Sparsity::None,
        sparsity_level: 0.3,
        sparsity_strength: 0.0,
        weight_limit: 4.0,
        signed: true,
        learning_rate: 1e-3,
        final_learning_rate: 1e-3,
        batch: 32,
        epochs,
        seed: 7,
        workers,
    }
}

/// Trains `cfg` from its initial weights on `items`, validating on `validation`.
fn train_fresh(
    cfg: &TrainConfig,
    data: &idx::Split,
    items: &[usize],
    validation: &[usize],
) -> (Vec<Vec<f64>>, Vec<EpochStats>) {
    train(
        cfg,
        cfg.initial_weights(),
        data,
        items,
        validation,
        |_, _| {},
    )
}

#[test]
fn a_small_network_learns_mnist_and_holds_out_its_validation_images() {
    let Some(dir) = common::mnist_dir() else {
        return;
    };
    let data = idx::read_split(&dir).unwrap();
    // Validation is carved from the end of the training split; the official test split is
    // never used for tuning.
    let (train_set, validation): (Vec<usize>, Vec<usize>) =
        ((0..3000).collect(), (59_000..60_000).collect());
    let cfg = config(2, 2);
    let (weights, history) = train_fresh(&cfg, &data, &train_set, &validation);
    let last = history.last().unwrap();
    // Measured 0.917 after 2 epochs on 3,000 images (0.866 after 1); the floor of 0.80
    // leaves room for other seeds and is far above chance (0.10).
    assert!(last.validation.accuracy >= 0.80, "{history:?}");
    assert!(history[1].loss < history[0].loss, "{history:?}");
    let hidden = last.validation.spikes_per_neuron[0];
    assert!(hidden > 0.05 && hidden <= 1.0, "{hidden}");
    // On the crossbar's levels: measured 0.919 at 4 bits against 0.917 in full precision.
    // The change must stay within 2 points (1,000 images give a standard error of about 1).
    let q = evaluate(
        &cfg.network(&quantized(&weights, 4)),
        &cfg,
        &data,
        &validation,
    );
    assert!(
        (q.accuracy - last.validation.accuracy).abs() <= 0.02,
        "4 bits {} against {}",
        q.accuracy,
        last.validation.accuracy
    );
}

#[test]
fn training_does_not_depend_on_the_thread_count() {
    let Some(dir) = common::mnist_dir() else {
        return;
    };
    let data = idx::read_split(&dir).unwrap();
    let items: Vec<usize> = (0..300).collect();
    let run = |workers| {
        let cfg = config(1, workers);
        train_fresh(&cfg, &data, &items, &items[..50]).0
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn every_sparse_firing_penalty_lowers_the_hidden_spike_count() {
    let Some(dir) = common::mnist_dir() else {
        return;
    };
    let data = idx::read_split(&dir).unwrap();
    let (train_set, validation): (Vec<usize>, Vec<usize>) =
        ((0..2000).collect(), (59_000..60_000).collect());
    let run = |sparsity: Sparsity, strength: f64| {
        let cfg = TrainConfig {
            sparsity,
            sparsity_strength: strength,
            ..config(2, 2)
        };
        let (_, history) = train_fresh(&cfg, &data, &train_set, &validation);
        history.last().unwrap().validation.clone()
    };
    let plain = run(Sparsity::None, 0.0);
    // Strengths from a scan on 5,000 images (2 epochs): each roughly halves the hidden
    // firing there (0.74 plain; M-SSR 1: 0.51, F-SSR 10: 0.39, membrane 3: 0.46).
    for (sparsity, strength) in [
        (Sparsity::Mssr, 1.0),
        (Sparsity::Fssr, 10.0),
        (Sparsity::Membrane, 3.0),
    ] {
        let sparse = run(sparsity, strength);
        let (before, after) = (plain.spikes_per_neuron[0], sparse.spikes_per_neuron[0]);
        // At least 20 % fewer hidden spikes, and the network still learns (chance is 0.10).
        assert!(
            after <= 0.8 * before,
            "{sparsity:?}: {after} against {before}"
        );
        assert!(sparse.accuracy >= 0.70, "{sparsity:?}: {sparse:?}");
    }
}

/// Hidden neurons that no image fires get no gradient from the task, so they stay dead; the
/// dead-neuron pull revives them, and training with it still does not depend on the thread
/// count (the dead set is the whole previous batch's, merged in shard order).
#[test]
fn the_dead_neuron_pull_revives_hidden_neurons_that_never_fire() {
    use snngen::model::ttfs_network::encode;
    let Some(dir) = common::mnist_dir() else {
        return;
    };
    let data = idx::read_split(&dir).unwrap();
    let items: Vec<usize> = (0..600).collect();
    let probe: Vec<usize> = (59_000..59_200).collect();
    // The first 16 of the 32 hidden neurons with their excitatory lines 20 times weaker: their
    // membranes settle far below the threshold and they never fire. (With no excitatory line
    // at all, a membrane at the inhibitory rail has no gradient whatever the loss.)
    let killed = |cfg: &TrainConfig| {
        let mut w = cfg.initial_weights();
        for x in w[0][..16 * 784].iter_mut().filter(|x| **x > 0.0) {
            *x *= 0.05;
        }
        w
    };
    let alive = |cfg: &TrainConfig, w: &[Vec<f64>]| -> usize {
        let net = cfg.network(w);
        let mut fired = [false; 16];
        for &i in &probe {
            let trace = net.forward(&encode(data.images.image(i), cfg.input_window));
            for (f, firing) in fired.iter_mut().zip(&trace.layers[0].firings) {
                *f |= firing.is_some();
            }
        }
        fired.iter().filter(|f| **f).count()
    };
    let run = |penalty: f64, workers: usize| {
        let cfg = TrainConfig {
            dead_neuron_penalty: penalty,
            ..config(1, workers)
        };
        let (w, _) = train(&cfg, killed(&cfg), &data, &items, &probe, |_, _| {});
        (alive(&cfg, &w), w)
    };
    let (without, _) = run(0.0, 2);
    assert_eq!(without, 0, "a neuron that never fires has no gradient");
    let (with, w1) = run(3.0, 1);
    // Measured: all 16 fire again on some of 200 probe images after 19 batches (also at
    // penalties 10 and 30); 12 leaves room for other seeds.
    assert!(with >= 12, "{with} of 16 revived");
    assert_eq!(w1, run(3.0, 2).1, "the thread count changed the training");
}
