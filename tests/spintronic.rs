//! The spintronic devices and their learning network against the real ngspice and Verilator.

mod common;

use snngen::device::spintronic::DeviceCard;
use snngen::flows::spintronic::devices::{
    NeuronExperiment, neuron_curves, stdp_window_points, window_dts,
};

#[test]
fn neuron_switching_in_ngspice_follows_the_model() {
    if !common::require_tool("ngspice") {
        return;
    }
    let card = DeviceCard::bundled();
    let e = NeuronExperiment::default();
    let curves = neuron_curves(&card, &e, 2).expect("ngspice runs");
    for c in &curves {
        for p in &c.points {
            eprintln!(
                "T={:.1}ms n={:2} model={:.3} [{:3},{:3}] spice={:3} model_trials={:3}",
                p.period_s * 1e3, p.pulses, p.model, p.interval.0, p.interval.1, p.spice, p.model_trials
            );
        }
        eprintln!("disagreements {}", c.trial_disagreements);
    }
}

#[test]
fn the_stdp_window_in_ngspice_follows_the_model() {
    if !common::require_tool("ngspice") {
        return;
    }
    let card = DeviceCard::bundled();
    let points = stdp_window_points(&card, &window_dts(&card, 12)).expect("ngspice runs");
    for p in &points {
        eprintln!("dt={:8.3}ms model={:+.6} spice={:+.6} rel={:.2e}", p.dt_s * 1e3, p.model, p.spice, p.relative_error());
    }
}

