//! The spintronic devices and their learning network against the real ngspice and Verilator
//! (issue 19): the neuron's switching probability and the synapse's STDP window in ngspice
//! against the behavioural model, and the STDP pattern detector in the model and in the
//! emitted core, bit for bit.

use crate::common;

use snngen::apps::spintronic::learn::{self, meets_targets};
use snngen::apps::spintronic::task::score;
use snngen::device::spintronic::DeviceCard;
use snngen::flows::spintronic::devices::{
    NeuronExperiment, neuron_curves, stdp_window_points, window_dts,
};
use snngen::flows::spintronic::rtl::{cosimulate, train_then_test};
use snngen::flows::spintronic::setup::SpinSetup;

fn design() -> SpinSetup {
    SpinSetup::load(&common::root().join("designs/spintronic/spintronic_stdp.yaml"))
        .expect("the example spintronic design loads")
}

/// 3 pulse frequencies x 16 pulse counts, 200 devices each: every count of devices switched
/// in ngspice lies in the model's 95 % binomial interval, and the netlist switches each device
/// at the very pulse the model does on the same draws (a draw within the time step's error,
/// about 1e-6, of the state could go either way: none did in 600 trials).
#[test]
fn neuron_switching_in_ngspice_follows_the_model() {
    if !common::require_tool("ngspice") {
        return;
    }
    let card = DeviceCard::bundled();
    let e = NeuronExperiment::default();
    let curves = neuron_curves(&card, &e, 2).expect("ngspice runs");
    assert_eq!(curves.len(), 3);
    for c in &curves {
        assert_eq!(c.points.len(), 16);
        assert_eq!(c.trial_disagreements, 0, "at {} s", c.period_s);
        let rising = c
            .points
            .iter()
            .filter(|p| p.model > 0.01 && p.model < 0.99)
            .count();
        assert!(
            rising >= 3,
            "the {} s curve has {rising} points off 0 and 1",
            c.period_s
        );
        for p in &c.points {
            assert!(p.inside(), "{p:?}");
        }
    }
    // The probability rises with frequency: after 8 pulses, 500 Hz > 333 Hz > 250 Hz.
    let at8: Vec<f64> = curves.iter().map(|c| c.points[7].model).collect();
    assert!(at8[0] > at8[1] && at8[1] > at8[2], "{at8:?}");
}

/// 24 timing differences from one pulse width to five time constants either side: the
/// ngspice window is within 2e-3 of the model everywhere (the issue asks 2 %; the error is
/// the integration's, 5.6e-4 at the longest gaps with reltol 1e-6), and a post pulse alone
/// lowers the conductance by a_post within 1e-4 of it.
#[test]
fn the_stdp_window_in_ngspice_follows_the_model() {
    if !common::require_tool("ngspice") {
        return;
    }
    let card = DeviceCard::bundled();
    let dts = window_dts(&card, 12);
    assert_eq!(dts.len(), 24);
    let run = stdp_window_points(&card, &dts).expect("ngspice runs");
    for p in &run.points {
        assert!(p.relative_error() < 2e-3, "{p:?}");
        assert_eq!(
            p.model > 0.0,
            p.dt_s > 0.0,
            "potentiation after, depression before"
        );
    }
    let post = (run.post_alone_spice - run.post_alone_model).abs() / run.post_alone_model.abs();
    assert!(post < 1e-4, "{run:?}");
}

/// The example design learns its pattern in the model (the nominal devices, and most of ten
/// fabricated copies), and the emitted core matches the model bit for bit over 30 s of
/// training and 20 s of test, where the RTL's own spikes meet the targets.
#[test]
fn the_pattern_detector_learns_in_the_model_and_in_the_rtl() {
    let setup = design();
    let streams = learn::streams(&setup);
    let nominal = learn::learn(&setup, &streams, 0);
    assert!(meets_targets(&nominal.test), "{:?}", nominal.test);
    // Early blocks miss (the neuron fires at random), late ones are at the targets.
    assert!(nominal.curve[0].hit_rate < 0.9 || nominal.curve[0].false_alarms_per_s > 1.0);
    assert!(
        nominal
            .curve
            .last()
            .is_some_and(|c| c.hit_rate >= 0.9 && c.false_alarms_per_s <= 1.0)
    );
    let copies = learn::robustness(&setup, &streams, 10, 2);
    let good = copies.iter().filter(|r| meets_targets(&r.test)).count();
    // 13 of 20 copies met both targets when the card was written; fewer than half is a
    // regression.
    assert!(good >= 5, "{good} of 10 fabricated copies meet the targets");

    if !common::require_tool("verilator") {
        return;
    }
    let (train, test) = (
        &streams.train.ticks[..30_000],
        &streams.test.ticks[..20_000],
    );
    let segments = train_then_test(train, test);
    let run = cosimulate(
        &setup.design.name,
        &setup.card.name,
        &nominal.params,
        &segments,
    )
    .expect("the RTL matches the model");
    assert_eq!(run.ticks, 50_000);
    let test_fired: Vec<usize> = run
        .fired
        .iter()
        .filter_map(|&t| t.checked_sub(30_000))
        .collect();
    let s = score(&streams.test, &test_fired, 0, 20_000, setup.tick_s());
    assert!(meets_targets(&s), "{s:?}");
}

#[test]
fn a_spintronic_design_builds_lints_and_checks() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("spin");
    let design = "designs/spintronic/spintronic_stdp.yaml";
    let (code, stdout, stderr) = common::snngen(&["check", design]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1024 STDP synapses"), "{stdout}");
    let lint = common::require_tool("verilator") && common::require_tool("yosys");
    let mut args = vec!["build", design, "-o", dir.to_str().unwrap()];
    if lint {
        args.push("--lint");
    }
    let (code, stdout, stderr) = common::snngen(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("17 of 17 numbers are assumptions"),
        "{stdout}"
    );
    for f in [
        "rtl/spintronic_stdp_spin_core.v",
        "tb/spintronic_stdp_spin_tb.sv",
        "spice/spin_cells.cir",
        "device_card.yaml",
        "manifest.json",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    if lint {
        assert!(
            stdout.contains("lint: verilator -Wall and yosys check clean"),
            "{stdout}"
        );
    }
    // Chip-design flags are refused with a usage error.
    let (code, _, stderr) = common::snngen(&["build", design, "--fpga"]);
    assert_eq!(code, 2, "{stderr}");
}
