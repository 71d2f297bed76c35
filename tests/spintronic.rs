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
    let run = stdp_window_points(&card, &window_dts(&card, 12)).expect("ngspice runs");
    eprintln!("post alone {} {}", run.post_alone_model, run.post_alone_spice);
    for p in &run.points {
        eprintln!("dt={:8.3}ms model={:+.6} spice={:+.6} rel={:.2e}", p.dt_s * 1e3, p.model, p.spice, p.relative_error());
    }
}


#[test]
fn tune() {
    use snngen::apps::spintronic::learn;
    use snngen::flows::spintronic::setup::SpinSetup;
    let setup = SpinSetup::load(&common::root().join("designs/spintronic_stdp.yaml")).unwrap();
    let s = learn::streams(&setup);
    let r = learn::learn(&setup, &s, 0);
    let c: Vec<String> = r.curve.iter().step_by(4).map(|c| format!("{:.2}/{:.1}/{:.0}", c.hit_rate, c.false_alarms_per_s, c.output_rate_hz)).collect();
    eprintln!("nominal: {}", c.join(" "));
    eprintln!("  test hit {:.3} fa {:.3} lat {:.1}", r.test.hit_rate(), r.test.false_alarms_per_s(), r.test.latency_ticks);
    for run in learn::robustness(&setup, &s, 20, 2) {
        eprintln!("draw {}: test hit {:.3} fa {:.3} lat {:.1}", run.draw, run.test.hit_rate(), run.test.false_alarms_per_s(), run.test.latency_ticks);
    }
}

#[test]
fn rtl_quick() {
    use snngen::apps::spintronic::learn;
    use snngen::flows::spintronic::setup::SpinSetup;
    use snngen::flows::spintronic::rtl::{Segment, cosimulate};
    let setup = SpinSetup::load(&common::root().join("designs/spintronic_stdp.yaml")).unwrap();
    let s = learn::streams(&setup);
    let p = setup.core(0);
    let t0 = std::time::Instant::now();
    let r = cosimulate("spintronic_stdp", "afm_fm_sot", &p, &[Segment { ticks: &s.train.ticks[..20000], learn: true }, Segment { ticks: &s.test.ticks[..5000], learn: false }]);
    eprintln!("{:?} {:?}", r.as_ref().map(|r| (r.ticks, r.fired.len(), r.rtl_seconds, r.compiled_from_cache)), t0.elapsed());
    r.unwrap();
}
