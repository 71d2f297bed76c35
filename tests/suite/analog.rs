//! The analog netlists against the behavioural model, in ngspice: every neuron mode spike
//! for spike, and the energy per spike of the default neuron.

use crate::common;

use common::require_tool;
use snngen::device::neuron::NeuronParams;
use snngen::device::process::builtin_modes;
use snngen::flows::measure::{self, measure_neuron};
use std::path::Path;

/// Spike times may differ by this fraction of the time since the input step (the issue's
/// target is 2 %). The bundled calibration fits the f-I sweep to 0.75 % worst case (the
/// leaky mode at 3 nA, where its spikes widen most); the currents here lie between the
/// sweep's points and measured 0.3 % worst; ngspice at reltol 1e-5 adds well under 0.1 %.
const TIMING_TOLERANCE: f64 = 0.01;

/// Simulates `name` at `current_na` and `celsius` in ngspice and in the behavioural model of
/// `from_mode`; checks that they fire the same number of spikes (give or take one at the
/// very end of the run) and returns the worst relative spike-time error and the rate error.
fn spike_time_and_rate_errors(
    name: &str,
    current_na: f64,
    celsius: f64,
    tolerance: f64,
) -> (f64, f64) {
    let mode = &builtin_modes()[name];
    let model = NeuronParams::from_mode(mode, 0.6, celsius);
    let circuit = measure_neuron(name, mode, 0.6, current_na * 1e-9, celsius, None).unwrap();
    let until = circuit.simulated_us * 1e-6;
    let predicted = model.dc_spike_times(current_na * 1e-9, until);
    let measured = &circuit.spike_times_s;
    let at = format!("{name} at {current_na} nA, {celsius} C");
    // A spike the model puts right at the end of the run may fall just outside it.
    let n = measured.len().min(predicted.len());
    assert!(
        measured.len().abs_diff(predicted.len()) <= 1 && n >= 3,
        "{at}: {} spikes in ngspice, {} in the model",
        measured.len(),
        predicted.len()
    );
    if measured.len() != predicted.len() {
        let last = measured.len().max(predicted.len()) - 1;
        let extra = if measured.len() > n {
            measured[last]
        } else {
            predicted[last]
        };
        assert!(
            extra > until * (1.0 - tolerance),
            "{at}: extra spike at {extra}"
        );
    }
    let worst = measured[..n]
        .iter()
        .zip(&predicted[..n])
        .map(|(m, p)| (p / m - 1.0).abs())
        .fold(0.0f64, f64::max);
    let rate = model.rate(current_na * 1e-9) / circuit.rate_hz - 1.0;
    println!(
        "{at}: {n} spikes, worst timing error {:.3} %, rate error {:+.3} %",
        worst * 100.0,
        rate * 100.0
    );
    (worst, rate)
}

#[test]
fn every_mode_matches_ngspice_spike_for_spike() {
    if !require_tool("ngspice") {
        return;
    }
    let cases = [("regular", [0.25, 0.8, 2.5]), ("leaky", [0.8, 1.2, 2.5])];
    for (name, currents) in cases {
        for current_na in currents {
            let (worst, _) = spike_time_and_rate_errors(name, current_na, 27.0, TIMING_TOLERANCE);
            assert!(
                worst <= TIMING_TOLERANCE,
                "{name} at {current_na} nA: {worst}"
            );
        }
    }
}

/// At -20 and 85 C the calibration holds fits of those temperatures' own f-I sweeps. Their
/// worst fitted errors: 0.89 / 1.42 % (regular / leaky) at -20 C, 0.18 / 0.11 % at 85 C
/// (the leaky mode's -20 C sweep has the largest spike widening relative to the interval).
/// Measured at currents between the sweep's points: see TEMPERATURE_TOLERANCE.
const TEMPERATURE_TOLERANCE: f64 = 0.02;

#[test]
fn every_mode_matches_ngspice_at_minus_20_and_85_c() {
    if !require_tool("ngspice") {
        return;
    }
    // Currents between the sweep's points, above each mode's rheobase at that temperature
    // (the leaky mode's leak: 0.20 nA at -20 C, 1.05 nA at 85 C) and, in the leaky mode at
    // -20 C, below its reset current (1.95 nA: above it both latch after one spike).
    let cases = [
        (-20.0, "regular", [0.25, 0.8, 2.5]),
        (-20.0, "leaky", [0.4, 0.8, 1.2]),
        (85.0, "regular", [0.25, 0.8, 2.5]),
        (85.0, "leaky", [1.7, 2.2, 2.7]),
    ];
    for (celsius, name, currents) in cases {
        for current_na in currents {
            let (worst, rate) =
                spike_time_and_rate_errors(name, current_na, celsius, TEMPERATURE_TOLERANCE);
            assert!(
                worst <= TEMPERATURE_TOLERANCE && rate.abs() <= TEMPERATURE_TOLERANCE,
                "{name} at {current_na} nA, {celsius} C: timing {worst}, rate {rate}"
            );
        }
    }
}

#[test]
fn characterize_reports_at_most_22_7_fj_per_spike_and_writes_plots() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args(["characterize", "designs/single_lif.yaml", "--json", "-o"])
        .arg(dir.path())
        .current_dir(common::root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The seed chip's figure; the bundled cells measured 14.1 fJ at 1 nA and 27 C.
    let e = j["energy_per_spike_fj"].as_f64().unwrap();
    assert!(e <= 22.7, "{e} fJ per spike");
    // Energy rises with temperature (leakage) and steeply with the supply.
    let temps: Vec<f64> = j["modes"][0]["temperatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["energy_per_spike_fj"].as_f64().unwrap())
        .collect();
    assert!(temps.windows(2).all(|w| w[0] < w[1]), "{temps:?}");
    let by_vdd: Vec<f64> = j["energy_vs_vdd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["energy_per_spike_fj"].as_f64().unwrap())
        .collect();
    assert!(by_vdd.windows(2).all(|w| w[0] < w[1]), "{by_vdd:?}");
    for file in ["characterization.json", "f_i.csv", "f_i.png", "energy.png"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap();
        if file.ends_with(".png") {
            assert!(
                bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
                "{file}"
            );
        }
    }
}

#[test]
fn the_bundled_calibration_belongs_to_the_bundled_models() {
    let cal = snngen::device::calibration::bundled_calibration();
    for name in ["regular", "leaky"] {
        let fit = cal.lookup(&builtin_modes()[name], 0.6);
        let fit = fit.unwrap_or_else(|| {
            panic!("no calibration for {name}: rerun characterize --calibration")
        });
        assert!(fit.max_relative_error < TIMING_TOLERANCE, "{name}: {fit:?}");
    }
}

#[test]
fn rc_spike_membranes_follow_the_diode_model_and_not_the_weighted_sum() {
    if !require_tool("ngspice") {
        return;
    }
    let (_, compiled) = snngen::compiler::compile(Path::new("designs/rc_spike_tile.yaml")).unwrap();
    let tile = &compiled.network.chips[0].tiles[0];
    let mut coupling = Vec::new();
    for vsyn in [0.5, 0.75, 1.0, 1.5] {
        let t = measure::measure_tile(tile, vsyn, 27.0, None).unwrap();
        println!(
            "vsyn {vsyn} V: diode model {:.2e}, resistor only {:.3}, weighted sum {:.3}",
            t.diode_model_error, t.resistor_model_error, t.weighted_sum_error
        );
        // The bound. ngspice runs at reltol 1e-5; the model integrates with RK4 at
        // tau/2000 along ngspice's own time points (measured: under 5e-6).
        assert!(
            t.diode_model_error <= 1e-3,
            "{vsyn}: {}",
            t.diode_model_error
        );
        // Resistive coupling, up to the threshold: leaving out the diode (~0.3 V drop at nA
        // currents) or assuming ideal current sources is off by 40x the tolerance or more
        // (measured: resistor-only 5-45 %, weighted sum 9-470 %).
        assert!(
            t.resistor_model_error > 0.04,
            "{vsyn}: {}",
            t.resistor_model_error
        );
        assert!(
            t.weighted_sum_error > 0.05,
            "{vsyn}: {}",
            t.weighted_sum_error
        );
        coupling.push(t.weighted_sum_error);
    }
    // RC-Spike: a smaller drive voltage means stronger resistive coupling.
    assert!(coupling.windows(2).all(|w| w[0] > w[1]), "{coupling:?}");
}

#[test]
fn an_emitted_chip_deck_and_the_chip_model_spike_together() {
    if !require_tool("ngspice") {
        return;
    }
    // single_lif's deck: one regular neuron, a 0.5 nA bias and a 20 kHz train of 100 ns
    // input pulses at weight 0.2 (10 fC each, a third of the threshold charge), exactly what
    // the chip model gets below.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (_, r) =
        snngen::flows::build::build(Path::new("designs/single_lif.yaml"), Some(&out)).unwrap();
    let net = &r.compiled.network;
    let w =
        snngen::tools::ngspice::run_deck(&out.join("spice"), "chip0.run.cir", "chip0.dat").unwrap();
    let spike = snngen::compiler::lower::spice::Signal::v("lif_0_spk");
    let circuit = w.rising_crossings(&spike, net.vdd / 2.0).unwrap();

    let routed = std::collections::BTreeSet::from([0]);
    let mut chip =
        snngen::model::chip::ChipModel::new(&net.chips[0], net.vdd, net.temperature, &routed);
    let period = 1e-3 / net.analog_sim.input_rate_khz;
    let (dt, tstop) = (1e-8, net.analog_sim.tstop_us * 1e-6);
    let mut model = Vec::new();
    let mut next_input = period / 2.0;
    for k in 0..(tstop / dt).round() as usize {
        let t = k as f64 * dt;
        let events: Vec<u32> = if t >= next_input {
            next_input += period;
            vec![0]
        } else {
            vec![]
        };
        if !chip.step(dt, &events).is_empty() {
            model.push(t + dt);
        }
    }
    println!("ngspice {circuit:?}\nmodel   {model:?}");
    assert_eq!(circuit.len(), model.len(), "spike counts");
    for (c, m) in circuit.iter().zip(&model) {
        // 2 %: the neuron fit (0.3 %) plus the synapse's charge arriving over the 100 ns
        // pulse in the circuit but at its start in the model, and the 10 ns model step.
        assert!((m / c - 1.0).abs() <= 0.02, "{c} vs {m}");
    }
}

#[test]
fn an_rc_mac_costs_the_charge_c_vth_delivered_at_vsyn() {
    if !require_tool("ngspice") {
        return;
    }
    let (_, compiled) = snngen::compiler::compile(Path::new("designs/rc_spike_tile.yaml")).unwrap();
    let tile = &compiled.network.chips[0].tiles[0];
    let m = measure::measure_mac_energy(tile, 27.0).unwrap();
    println!("{m:?}");
    // The sources deliver the charge C V_th at vsyn (resistors and diodes dissipate what
    // the capacitor does not store): C V_th vsyn. 2 %: the threshold is found at ngspice's
    // output step (tau / 2000), and the charge before the step is negligible.
    let expected = tile.c_mem_ff * tile.threshold_v * tile.vsyn;
    assert!(
        (m.energy_fj / expected - 1.0).abs() < 0.02,
        "{} vs {expected}",
        m.energy_fj
    );
    // Morie's C V^2 / N with V = vsyn overestimates by vsyn / V_th.
    let ratio = m.cv2_over_n_fj / m.energy_per_input_fj;
    assert!(
        (ratio / (tile.vsyn / tile.threshold_v) - 1.0).abs() < 0.02,
        "{ratio}"
    );
}
