//! The emitted RTL against the cycle-exact reference model, on Verilator and Icarus:
//! every example design, random designs with random stimulus (SNNGEN_FUZZ_CASES, default
//! 200), and mutated RTL that must be caught.

use crate::common;

use common::random_design;
use common::{relative, require_tool, root, stem};
use snngen::flows::cosim::{self, SimOptions, Simulator};
use std::path::{Path, PathBuf};

/// Compiled models shared by every test in this run (and kept between local runs).
fn cache() -> Option<PathBuf> {
    Some(root().join("target/snngen-test-cache"))
}

fn options(cycles: u64, seed: u64, simulator: Simulator) -> SimOptions {
    SimOptions {
        cycles: Some(cycles),
        seed,
        simulator,
        cache_dir: cache(),
        ..SimOptions::default()
    }
}

#[test]
fn example_designs_match_the_model_on_verilator_and_icarus() {
    if !require_tool("verilator") || !require_tool("iverilog") {
        return;
    }
    for design in common::designs_with_distinct_rtl() {
        let icarus = icarus_cycles(&design);
        for (simulator, cycles) in [
            (Simulator::Verilator, 30_000),
            (Simulator::Iverilog, icarus),
        ] {
            let r = cosim::sim_rtl(&relative(&design), &options(cycles, 7, simulator)).unwrap();
            println!(
                "{} on {}: {} cycles, {} synapse events, {} decisions, {:.0} cycles/s",
                stem(&design),
                r.simulator,
                r.cycles,
                r.synapse_events,
                r.class_decisions,
                r.cycles_per_second
            );
            assert_eq!(r.divergence, None, "{} on {}", stem(&design), r.simulator);
            assert!(r.synapse_events > 0, "the stimulus exercised the router");
            if matches!(simulator, Simulator::Iverilog) && cycles > ICARUS_CYCLES {
                assert!(
                    r.class_decisions > 0,
                    "{}: the readout decided",
                    stem(&design)
                );
            }
        }
    }
}

/// Cycles every design runs on Icarus (about 700 cycles/s on the largest).
const ICARUS_CYCLES: u64 = 3_000;
/// Longest readout frame run to its decision on Icarus: rcspike_mlp's TTFS window (20,400
/// cycles, about 30 s), whose first-spike readout no other Icarus run reaches; six_chip's
/// 65,536-cycle frame decides on Verilator only.
const ICARUS_MAX_FRAME: u64 = 25_000;

/// Icarus cycles for `design`: `ICARUS_CYCLES`, or one smoke-testbench frame and 500 cycles
/// for its scoring when that is longer and a frame fits `ICARUS_MAX_FRAME`.
fn icarus_cycles(design: &Path) -> u64 {
    let tb = snngen::compiler::render(design).unwrap().verilog.tb;
    let frame = tb.cycles.div_ceil(tb.decisions) + 500;
    if frame <= ICARUS_MAX_FRAME {
        frame.max(ICARUS_CYCLES)
    } else {
        ICARUS_CYCLES
    }
}

#[test]
fn random_designs_and_stimuli_match_the_model() {
    if !require_tool("verilator") {
        return;
    }
    // Five stimuli per design: the compiled model is reused, the design space still wide.
    const STIMULI_PER_DESIGN: u64 = 5;
    let cases: u64 = std::env::var("SNNGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let designs = cases.div_ceil(STIMULI_PER_DESIGN);
    let dir = tempfile::tempdir().unwrap();
    let run_design = |d: u64| -> (u64, u64, u64, u64) {
        let path = dir.path().join(format!("fuzz{d}.yaml"));
        let text = random_design::random_design(d, &format!("fuzz{d}"));
        let binned = ["bins: 2", "bins: 3", "bins: 4"]
            .iter()
            .any(|b| text.contains(b));
        std::fs::write(&path, text).unwrap();
        let (mut ran, mut events, mut decisions) = (0, 0, 0);
        for s in 0..STIMULI_PER_DESIGN {
            let seed = d * 1000 + s;
            let cycles = 300 + (seed * 7919) % 3000;
            let r = cosim::sim_rtl(&path, &options(cycles, seed, Simulator::Verilator))
                .unwrap_or_else(|e| {
                    panic!(
                        "design seed {d}: {e}\n{}",
                        std::fs::read_to_string(&path).unwrap()
                    )
                });
            assert_eq!(
                r.divergence,
                None,
                "design seed {d}, stimulus seed {seed}:\n{}",
                std::fs::read_to_string(&path).unwrap()
            );
            ran += 1;
            events += r.synapse_events;
            decisions += r.class_decisions;
        }
        (ran, events, decisions, binned as u64)
    };
    // Verilator compiles dominate, and each uses two jobs itself only briefly: one per core.
    let totals = common::on_two_cores(&(0..designs).collect::<Vec<_>>(), |&d| run_design(d));
    let ran: u64 = totals.iter().map(|t| t.0).sum();
    let events: u64 = totals.iter().map(|t| t.1).sum();
    let decisions: u64 = totals.iter().map(|t| t.2).sum();
    let binned: u64 = totals.iter().map(|t| t.3).sum();
    println!(
        "{ran} random design/stimulus cases ({binned} of {designs} designs with time bins), 0 mismatches; {events} synapse events, {decisions} class decisions"
    );
    assert!(ran >= cases);
    assert!(events > 0 && decisions > 0);
    assert!(designs < 10 || binned > 0, "no random design had time bins");
}

/// Builds `design` into a temporary folder and applies `mutate` to one RTL file.
fn mutated_build(design: &str, file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    snngen::flows::build::build(Path::new(design), Some(&out)).unwrap();
    let path = out.join("rtl").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    (dir, out)
}

#[test]
fn one_flipped_bit_in_the_router_table_is_caught() {
    if !require_tool("verilator") {
        return;
    }
    // Destination 0 of two_chip is chip a, synapse 0; the flip makes it synapse 1.
    let (dir, out) = mutated_build(
        "designs/two_chip.yaml",
        "two_chip_router.v",
        "5'd0: route_dest = 5'd0;",
        "5'd0: route_dest = 5'd1;",
    );
    let vcd = dir.path().join("divergence.vcd");
    let opts = SimOptions {
        rtl_dir: Some(out),
        vcd: Some(vcd.clone()),
        ..options(20_000, 1, Simulator::Verilator)
    };
    let r = cosim::sim_rtl(Path::new("designs/two_chip.yaml"), &opts).unwrap();
    let d = r.divergence.expect("the mutation is observable");
    assert_eq!(d.signal, "a_syn_addr");
    assert_eq!((d.expected.as_str(), d.got.as_str()), ("0x0", "0x1"));
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("$enddefinitions") && text.contains("syn_addr"));
}

#[test]
fn a_mutated_readout_fails_sim_rtl_with_exit_code_1() {
    if !require_tool("verilator") {
        return;
    }
    // `>` becomes `>=`: ties now go to the higher class. single_lif's two classes tie at
    // score 0 in every window without a spike, which seed 1 has.
    let (dir, out) = mutated_build(
        "designs/single_lif.yaml",
        "single_lif_readout.v",
        "(slot > best)",
        "(slot >= best)",
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_snngen"))
        .args([
            "sim",
            "rtl",
            "designs/single_lif.yaml",
            "--cycles",
            "20000",
            "--rtl",
        ])
        .arg(&out)
        .arg("--vcd")
        .arg(dir.path().join("d.vcd"))
        .env("SNNGEN_CACHE_DIR", cache().unwrap())
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("differs from the reference model at cycle"),
        "{stderr}"
    );
    assert!(stderr.contains("class_"), "{stderr}");
}

/// Files the user names that cannot be read are input errors (exit 2) that name the file,
/// not output errors (exit 3): a missing stimulus, and an RTL folder without the RTL.
#[test]
fn unreadable_user_files_exit_2_and_name_the_file() {
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_snngen"))
            .args(["sim", "rtl", "designs/single_lif.yaml"])
            .args(extra)
            .current_dir(root())
            .output()
            .unwrap()
    };
    let missing = run(&["--stimulus", "no/such/stimulus.hex"]);
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read no/such/stimulus.hex"),
        "{stderr}"
    );
    let empty = tempfile::tempdir().unwrap();
    let no_rtl = run(&["--rtl", &empty.path().display().to_string()]);
    let stderr = String::from_utf8_lossy(&no_rtl.stderr);
    assert_eq!(no_rtl.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("single_lif_encoder.v"), "{stderr}");
}

/// By default a run is long enough for a few readout decisions and, with its phases of
/// sparse and saturated traffic, reaches every routing-table destination of six_chip
/// (10,000 cycles and frequent resets used to reach no decision at all).
#[test]
fn a_default_run_decides_and_covers_six_chip() {
    if !require_tool("verilator") {
        return;
    }
    let opts = SimOptions {
        cache_dir: cache(),
        require_coverage: true,
        ..SimOptions::default()
    };
    for seed in [1, 2] {
        let r = cosim::sim_rtl(
            Path::new("designs/six_chip.yaml"),
            &SimOptions {
                seed,
                ..opts.clone()
            },
        )
        .unwrap();
        assert!(r.divergence.is_none(), "{:?}", r.divergence);
        let c = &r.coverage;
        assert!(c.class_decisions >= 3, "seed {seed}: {c:?}");
        assert_eq!(c.destinations_reached, c.destinations, "seed {seed}: {c:?}");
        assert!(c.gaps.is_empty(), "seed {seed}: {c:?}");
    }
}

/// A simulation that stops advancing is killed and reported with the cycle it reached;
/// an empty or absurd stimulus is refused before anything runs.
#[test]
fn a_stalled_simulation_is_killed_and_bad_lengths_are_refused() {
    if !require_tool("verilator") {
        return;
    }
    let design = "designs/two_chip.yaml";
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_snngen"))
            .args(["sim", "rtl", design])
            .args(extra)
            .env("SNNGEN_CACHE_DIR", cache().unwrap())
            .current_dir(root())
            .output()
            .unwrap()
    };
    // Compile (and cache) the model first: the limit below is for the simulation.
    assert!(run(&["--cycles", "1000", "-q"]).status.success());
    let stalled = run(&["--cycles", "1000000", "--tool-timeout", "0.3", "-q"]);
    let stderr = String::from_utf8_lossy(&stalled.stderr);
    assert_eq!(stalled.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stopped advancing: killed after 0.3 s at cycle"),
        "{stderr}"
    );
    for cycles in ["0", "18446744073709551615"] {
        let out = run(&["--cycles", cycles]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("a co-simulation runs 1 to 2000000 cycles"),
            "{stderr}"
        );
    }
    let empty = tempfile::NamedTempFile::new().unwrap();
    let out = run(&["--stimulus", empty.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("0 cycles; a stimulus has 1 to"), "{stderr}");
}

#[test]
fn a_frame_one_bin_short_is_caught() {
    if !require_tool("verilator") {
        return;
    }
    // time_bins has 4 bins: ending the frame after bin 2 decides every 3 windows.
    let (_dir, out) = mutated_build(
        "designs/time_bins.yaml",
        "time_bins_readout.v",
        "assign last_bin  = (bin == 2'd3);",
        "assign last_bin  = (bin == 2'd2);",
    );
    let opts = SimOptions {
        rtl_dir: Some(out),
        ..options(5_000, 1, Simulator::Verilator)
    };
    let r = cosim::sim_rtl(Path::new("designs/time_bins.yaml"), &opts).unwrap();
    let d = r.divergence.expect("the mutation is observable");
    assert!(d.signal.starts_with("class_"), "{d:?}");
}

#[test]
fn a_stimulus_file_round_trips_and_the_model_is_reused() {
    if !require_tool("verilator") {
        return;
    }
    let design = Path::new("designs/rc_spike_tile.yaml");
    let r = snngen::compiler::render(design).unwrap();
    let params = snngen::model::digital::Params::new(&r.compiled, &r.verilog);
    let (inputs, _) = cosim::random_run(&params, 2_000, 5);
    let text = cosim::format_stimulus(&inputs, &params);
    assert_eq!(
        cosim::parse_stimulus(&text, &params, cosim::MAX_CYCLES).unwrap(),
        inputs
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stim.hex");
    std::fs::write(&file, text).unwrap();
    let opts = SimOptions {
        stimulus: Some(file),
        ..options(0, 0, Simulator::Verilator)
    };
    let first = cosim::sim_rtl(design, &opts).unwrap();
    let second = cosim::sim_rtl(design, &opts).unwrap();
    assert_eq!(first.cycles, 2_000);
    assert_eq!((first.divergence, second.divergence), (None, None));
    assert!(
        second.model_cached,
        "an unchanged design must not recompile"
    );
}

#[test]
fn a_whole_design_runs_in_rust_from_samples_to_classes() {
    let r = snngen::compiler::render(Path::new("designs/two_chip.yaml")).unwrap();
    // 4 channels: a loud channel 0 and quieter others, 200 us at 50 MHz.
    let samples: Vec<Vec<u32>> = (0..2_500).map(|_| vec![250, 40, 90, 10]).collect();
    let run = snngen::model::system::simulate(&r, &samples, 4, 10_000);
    println!("{run:?}");
    // Both chips are biased above rheobase (0.3 and 0.1 nA: a fires, b's leaky neurons
    // need input), inputs reach a through the router, a drives b.
    assert!(run.chip_spikes[0] > 10, "{:?}", run.chip_spikes);
    assert!(run.synapse_events > 10);
    assert_eq!(
        run.decisions.len(),
        10_000 / 512,
        "one decision per 512-cycle window"
    );
    assert_eq!(run.dropped_spikes, 0);
    let again = snngen::model::system::simulate(&r, &samples, 4, 10_000);
    assert_eq!(run, again, "deterministic");
}

/// Replays a random stimulus through the model and checks every class decision against a
/// direct computation: the saturated spike counts of each window the model's readout was fed,
/// binned per frame, times the weights, argmax (`readout_decision`). Also pins when a
/// decision appears: on the outputs after edge k x bins x window - 1 + classes x features
/// (edge 0 the first after reset) for frame k = 1, 2, ... Returns the decisions checked.
fn check_decisions_against_binned_counts(design: &str, cycles: u64, seed: u64) -> u64 {
    use snngen::model::digital::{Params, SystemModel, readout_decision};
    use std::collections::VecDeque;
    let r = snngen::compiler::render(Path::new(design)).unwrap();
    let p = Params::new(&r.compiled, &r.verilog);
    let (inputs, expected) = cosim::random_run(&p, cycles, seed);
    let (nfeat, bins, window) = (p.features.len(), p.bins as u64, p.window as u64);
    // The decision is on the outputs after the edge this many edges after its frame's last.
    let mac = snngen::compiler::ir::scoring_cycles(p.classes, nfeat as u32) - 1;
    let max = (1u32 << p.cnt_w) - 1;
    let mut model = SystemModel::new(p.clone());
    // Edges since the last reset, the current frame's counts, and the frames awaiting their
    // decision: (edge it is due at, binned counts).
    let mut edge = 0u64;
    let mut counts = vec![0u32; bins as usize * nfeat];
    let mut pending: VecDeque<(u64, Vec<u32>)> = VecDeque::new();
    let mut checked = 0;
    for (cycle, (inp, want)) in inputs.iter().zip(&expected).enumerate() {
        let spikes = model.feature_spikes();
        let out = model.cycle(inp);
        assert_eq!(&out, want, "replay is deterministic");
        if inp.rst {
            edge = 0;
            counts.iter_mut().for_each(|c| *c = 0);
            pending.clear();
            assert!(!out.class_valid);
            continue;
        }
        let bin = ((edge / window) % bins) as usize;
        for (f, _) in spikes.iter().enumerate().filter(|(_, s)| **s) {
            let c = &mut counts[bin * nfeat + f];
            *c = (*c + 1).min(max);
        }
        if (edge + 1).is_multiple_of(bins * window) {
            pending.push_back((edge + mac, std::mem::take(&mut counts)));
            counts = vec![0; bins as usize * nfeat];
        }
        let due = pending.front().is_some_and(|(at, _)| *at == edge);
        assert_eq!(
            out.class_valid, due,
            "{design}: class_valid at cycle {cycle} (edge {edge} after reset)"
        );
        if due {
            let (_, frame) = pending.pop_front().unwrap();
            let (class, score) = readout_decision(&p.weights, &frame, p.acc_w);
            let score_bits = score as u64 & ((1u64 << p.acc_w) - 1);
            assert_eq!(
                (out.class_out, out.class_score),
                (class, score_bits),
                "{design}: decision at cycle {cycle} for counts {frame:?}"
            );
            checked += 1;
        }
        edge += 1;
    }
    checked
}

#[test]
fn binned_decisions_are_the_argmax_of_the_weights_times_the_binned_counts() {
    // time_bins: 4 bins x 10 features x 4 classes, 128-cycle windows; two_chip: one bin.
    for (design, cycles, min_decisions) in [
        ("designs/time_bins.yaml", 40_000, 65),
        ("designs/two_chip.yaml", 20_000, 30),
    ] {
        for seed in [3, 11] {
            let n = check_decisions_against_binned_counts(design, cycles, seed);
            println!("{design} seed {seed}: {n} decisions equal the direct computation");
            assert!(
                n >= min_decisions,
                "{design} seed {seed}: only {n} decisions"
            );
        }
    }
    // And the RTL agrees with the model on the binned design, cycle for cycle.
    if !require_tool("verilator") {
        return;
    }
    let r = cosim::sim_rtl(
        Path::new("designs/time_bins.yaml"),
        &options(40_000, 3, Simulator::Verilator),
    )
    .unwrap();
    assert_eq!(r.divergence, None);
    assert!(r.class_decisions >= 70, "{}", r.class_decisions);
}

#[test]
fn a_stimulus_that_breaks_the_chip_handshake_is_refused() {
    let design = Path::new("designs/two_chip.yaml");
    let r = snngen::compiler::render(design).unwrap();
    let params = snngen::model::digital::Params::new(&r.compiled, &r.verilog);
    let (mut inputs, outputs) = cosim::random_run(&params, 3_000, 7);
    assert_eq!(cosim::check_handshakes(&params, &inputs, &outputs), Ok(()));
    // Chip a toggles req every cycle from cycle 100, whatever its ack says.
    for (cycle, i) in inputs.iter_mut().enumerate().skip(100) {
        i.chips[0].req = cycle % 2 == 0;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stim.hex");
    std::fs::write(&file, cosim::format_stimulus(&inputs, &params)).unwrap();
    let opts = SimOptions {
        stimulus: Some(file),
        ..options(0, 0, Simulator::Verilator)
    };
    let e = cosim::sim_rtl(design, &opts).unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("chip a") && text.contains("four-phase"),
        "{text}"
    );
}

#[test]
fn a_counter_lane_that_drops_a_waiting_spike_is_caught() {
    if !require_tool("verilator") {
        return;
    }
    // A spike that meets the walk's read of its lane waits a cycle; dropping it instead
    // loses counts only in the cycles the walk reads that lane, which six_chip's busy
    // chips hit within the default run.
    let (dir, out) = mutated_build(
        "designs/six_chip.yaml",
        "six_chip_count_lane.v",
        "pend <= hit && mac_re;",
        "pend <= 1'b0;",
    );
    let opts = SimOptions {
        rtl_dir: Some(out),
        vcd: Some(dir.path().join("d.vcd")),
        cycles: None,
        ..options(0, 1, Simulator::Verilator)
    };
    let r = cosim::sim_rtl(Path::new("designs/six_chip.yaml"), &opts).unwrap();
    let d = r.divergence.expect("the mutation is observable");
    assert!(d.signal.starts_with("class_"), "{d:?}");
}
