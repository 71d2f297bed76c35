//! Every emitted file checked by the real tools: Verilator lint, yosys structural check and
//! iCE40 synthesis, the testbench on Verilator and Icarus, and every deck in ngspice.
//! A missing tool fails these tests under CI (see common::require_tool).

use crate::common;

use common::{example_designs, relative, require_tool, stem};
use snngen::compiler::Rendered;
use snngen::compiler::lower::spice::Signal;
use snngen::flows::build;
use snngen::support::fs::absolute;
use snngen::tools::{iverilog, ngspice, verilator};
use std::path::{Path, PathBuf};

/// Builds a design into a fresh temporary folder.
fn build_into_temp(design: &Path) -> (tempfile::TempDir, PathBuf, Rendered) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (_, rendered) = build::build(&relative(design), Some(&out)).unwrap();
    (dir, out, rendered)
}

/// The designs whose RTL the digital tests check: each distinct example design, and two_chip
/// on a shared AER bus (written into `dir`), which no example design uses.
fn digital_designs(dir: &Path) -> Vec<PathBuf> {
    let mut designs = common::designs_with_distinct_rtl();
    designs.push(common::two_chip_on_a_shared_bus(dir, "ice40-hx8k"));
    designs
}

#[test]
fn emitted_rtl_is_lint_clean_and_structurally_sound() {
    if !require_tool("verilator") || !require_tool("yosys") {
        return;
    }
    let shared = tempfile::tempdir().unwrap();
    for design in digital_designs(shared.path()) {
        let (_dir, out, r) = build_into_temp(&design);
        snngen::flows::build::rtl_checks::lint_rtl(&out, &r)
            .unwrap_or_else(|e| panic!("{}: {e}", design.display()));
    }
}

#[test]
fn emitted_rtl_synthesizes_for_ice40() {
    if !require_tool("yosys") {
        return;
    }
    // rcspike_mlp and six_chip take over a minute each in yosys: one per core.
    common::on_two_cores(&common::designs_with_distinct_rtl(), |design| {
        let (_dir, out, r) = build_into_temp(design);
        let stats = snngen::flows::build::rtl_checks::synthesize(&out, &r)
            .unwrap_or_else(|e| panic!("{}: {e}", design.display()));
        println!(
            "{}: {} LUTs, {} flip-flops, {} RAM blocks",
            stem(design),
            stats.luts,
            stats.flip_flops,
            stats.ram_blocks
        );
        // Every design has counters, a router FSM and pending bits: an empty netlist means
        // synthesis optimized the design away (e.g. an output left undriven).
        assert!(stats.luts > 50 && stats.flip_flops > 20, "{stats:?}");
    });
}

/// The lines the testbench prints about the run (class decisions and the summary).
fn tb_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("tb: "))
        .map(str::to_string)
        .collect()
}

/// Longest smoke testbench run on Icarus as well. six_chip's (3 frames of 2 x 32768 cycles,
/// 197k cycles with the router saturated by random traffic) runs at about 400 cycles/s in
/// Icarus, over 8 minutes, and rcspike_mlp's (61k cycles through a 784-pixel step encoder)
/// at about 350, 3 minutes; the RTL of both is held against the model on Icarus in cosim::
/// (rcspike_mlp's through its first class decision), and the same templates (time bins
/// included) are compared here on the smaller designs (at most 1,619 cycles, seconds each).
const ICARUS_MAX_TB_CYCLES: u64 = 10_000;

#[test]
fn testbench_runs_identically_on_verilator_and_icarus() {
    if !require_tool("verilator") || !require_tool("iverilog") {
        return;
    }
    let shared = tempfile::tempdir().unwrap();
    // A Verilator build per design: one per core.
    common::on_two_cores(&digital_designs(shared.path()), |design| {
        let (dir, out, r) = build_into_temp(design);
        let mut files = build::rtl_files(&out, &r.verilog);
        files.push(absolute(
            &out.join(snngen::compiler::emit::testbench_path(&r.verilog)),
        ));
        let top = format!("{}_tb", r.verilog.prefix);

        let mdir = dir.path().join("obj");
        let binary = verilator::build_binary(&files, &top, &mdir).unwrap();
        let from_verilator = tb_lines(&verilator::run_binary(&binary).unwrap());

        let summary = from_verilator.last().expect("testbench printed a summary");
        assert!(summary.starts_with("tb: cycles"), "{summary}");
        // The testbench runs three readout windows: each must end in a class decision.
        let decisions = from_verilator
            .iter()
            .filter(|l| l.contains(" class "))
            .count();
        assert_eq!(decisions, 3, "{}: {from_verilator:?}", stem(design));
        if r.verilog.tb.cycles <= ICARUS_MAX_TB_CYCLES {
            let from_icarus = tb_lines(&iverilog::simulate(&files, &top, dir.path()).unwrap());
            assert_eq!(from_verilator, from_icarus, "{}", stem(design));
        } else {
            println!(
                "{}: Verilator only ({} cycles)",
                stem(design),
                r.verilog.tb.cycles
            );
        }
    });
}

/// The smoke testbench can fail: a readout that never decides (its `class_valid <= 1'b1`
/// mutated away) makes it stop with $fatal and a non-zero exit, on Verilator and Icarus.
#[test]
fn the_smoke_testbench_fails_on_a_readout_that_never_decides() {
    if !require_tool("verilator") || !require_tool("iverilog") {
        return;
    }
    let (dir, out, r) = build_into_temp(Path::new("designs/single_lif.yaml"));
    let readout = out.join("rtl/single_lif_readout.v");
    let text = std::fs::read_to_string(&readout).unwrap();
    assert!(text.contains("class_valid <= 1'b1;"));
    std::fs::write(
        &readout,
        text.replace("class_valid <= 1'b1;", "class_valid <= 1'b0;"),
    )
    .unwrap();
    let mut files = build::rtl_files(&out, &r.verilog);
    files.push(absolute(
        &out.join(snngen::compiler::emit::testbench_path(&r.verilog)),
    ));
    let top = format!("{}_tb", r.verilog.prefix);
    let binary = verilator::build_binary(&files, &top, &dir.path().join("obj")).unwrap();
    let e = verilator::run_binary(&binary).unwrap_err().to_string();
    assert!(e.contains("tb: FAIL expected 3 decisions"), "{e}");
    let icarus = iverilog::simulate(&files, &top, dir.path()).unwrap_or_else(|e| e.to_string());
    assert!(icarus.contains("tb: FAIL expected 3 decisions"), "{icarus}");
}

/// Rising crossings of half the supply on every `v(..spk..)` column.
fn spike_counts(w: &ngspice::Waveforms, vdd: f64) -> Vec<(String, usize)> {
    w.names
        .iter()
        .filter(|n| n.contains("spk"))
        .map(|n| {
            let signal = Signal::parse(n).unwrap();
            (
                n.clone(),
                w.rising_crossings(&signal, vdd / 2.0).unwrap().len(),
            )
        })
        .collect()
}

fn run_all_decks(design: &Path) -> Vec<(String, Vec<(String, usize)>)> {
    let (_dir, out, r) = build_into_temp(design);
    let vdd = r.compiled.network.vdd;
    r.files
        .iter()
        .filter_map(|f| f.path.strip_prefix("spice/"))
        .filter(|p| p.ends_with(".run.cir"))
        .map(|deck| {
            let data = deck.replace(".run.cir", ".dat");
            let w = ngspice::run_deck(&out.join("spice"), deck, &data)
                .unwrap_or_else(|e| panic!("{deck}: {e}"));
            (deck.to_string(), spike_counts(&w, vdd))
        })
        .collect()
}

#[test]
fn every_deck_of_every_design_runs_in_ngspice() {
    if !require_tool("ngspice") {
        return;
    }
    // A TTFS design's chip deck holds its whole trained crossbar (about 200,000 crosspoints
    // for rcspike_mlp: minutes in ngspice under the stand-alone test pulse); `sim spice`
    // checks those netlists image by image against the model instead (tests/suite/rcspike_cli.rs).
    let designs: Vec<PathBuf> = example_designs()
        .into_iter()
        .filter(|d| !common::is_ttfs(d))
        .collect();
    // Two designs at a time: the two cores are the limit, ngspice itself is single-threaded.
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = designs
            .chunks(designs.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|d| (stem(d), run_all_decks(d)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (design, decks) in &results {
        for (deck, counts) in decks {
            let total: usize = counts.iter().map(|(_, c)| c).sum();
            println!(
                "{design}/{deck}: {total} spikes on {} outputs",
                counts.len()
            );
            // Every example deck has biased or stimulated neurons or tile columns.
            assert!(total > 0, "{design}/{deck} produced no spike: {counts:?}");
        }
    }
}

/// Elements of `netlist` (in `spice_dir`) after subcircuit expansion, as ngspice reads
/// them: the lines of `listing expand` that are elements (not models, not comments).
fn ngspice_element_count(spice_dir: &Path, netlist: &str) -> usize {
    let deck = format!("count_{netlist}");
    let text =
        format!("* element count\n.include {netlist}\n.control\nlisting expand\n.endc\n.end\n");
    std::fs::write(spice_dir.join(&deck), text).unwrap();
    let out = std::process::Command::new("ngspice")
        .args(["-b", &deck])
        .current_dir(spice_dir)
        .output()
        .unwrap();
    std::fs::remove_file(spice_dir.join(&deck)).unwrap();
    let element = regex::Regex::new(r"^\s*\d+ : [A-Za-z]").unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| element.is_match(l))
        .count()
}

/// Every emitted netlist is plain SPICE that an independent reader takes: spicelib parses it
/// and counts as many elements as ngspice expands it to (the analysis is in the run file).
#[test]
fn every_netlist_parses_in_spicelib_with_ngspices_element_count() {
    if !require_tool("ngspice") || !common::require_python_module("spicelib") {
        return;
    }
    let script = common::root().join("tests/data/spice_elements.py");
    // The TTFS designs' netlists hold whole trained crossbars (458,458 elements in
    // ttfs_400's): about 10 s each in spicelib and in ngspice's expansion, one per core.
    common::on_two_cores(&example_designs(), |design| {
        let (_dir, out, r) = build_into_temp(design);
        let spice = out.join("spice");
        let netlists: Vec<String> = r
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix("spice/"))
            .filter(|p| p.ends_with(".cir") && !p.ends_with(".run.cir"))
            .map(str::to_string)
            .collect();
        let parsed = std::process::Command::new("python3")
            .arg(&script)
            .args(&netlists)
            .current_dir(&spice)
            .output()
            .unwrap();
        assert!(
            parsed.status.success(),
            "{}: spicelib: {}",
            stem(design),
            String::from_utf8_lossy(&parsed.stderr)
        );
        let stdout = String::from_utf8_lossy(&parsed.stdout);
        let counts: Vec<(&str, usize)> = stdout
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(f, n)| (f, n.trim().parse().unwrap()))
            .collect();
        assert_eq!(counts.len(), netlists.len(), "{stdout}");
        for (netlist, count) in counts {
            let expanded = ngspice_element_count(&spice, netlist);
            println!("{}/{netlist}: {count} elements", stem(design));
            assert!(count > 0);
            assert_eq!(
                count,
                expanded,
                "{}/{netlist}: spicelib vs ngspice",
                stem(design)
            );
        }
    });
}

#[test]
fn single_neuron_deck_spikes_at_the_expected_rate() {
    if !require_tool("ngspice") {
        return;
    }
    let decks = run_all_decks(&common::root().join("designs/single_lif.yaml"));
    let (_, counts) = &decks[0];
    let spikes = counts.iter().find(|(n, _)| n == "v(lif_0_spk)").unwrap().1;
    // 0.5 nA bias alone gives 16.1 kHz in the regular mode (sim/README.md): 3.2 spikes in
    // the 200 us transient; the 20 kHz input train (10 fC per pulse at weight 0.2, a third
    // of the threshold charge) can only add spikes: at most 3 + 4 + 1.
    assert!(
        (3..=8).contains(&spikes),
        "single_lif spiked {spikes} times"
    );
}

#[test]
fn a_broken_deck_is_a_typed_error_not_a_result() {
    if !require_tool("ngspice") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.cir"),
        "* a deck whose transient cannot run: an undefined subcircuit\nx1 a 0 nosuchcell\nr1 a 0 1e3\n.control\nset num_threads=1\ntran 1n 10n\nif length(time) > 1\n  wrdata broken.dat v(a)\n  quit 0\nelse\n  quit 3\nend\n.endc\n.end\n",
    )
    .unwrap();
    let err = ngspice::run_deck(dir.path(), "broken.cir", "broken.dat").unwrap_err();
    assert!(
        matches!(err, snngen::tools::ToolError::Simulation { .. }),
        "{err}"
    );
    let e: snngen::Error = err.into();
    assert_eq!(e.exit_code(), 3);
}

#[test]
fn a_failing_lint_is_reported_with_the_tool_output() {
    if !require_tool("verilator") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.v");
    std::fs::write(
        &file,
        "module bad(input wire a, output wire y);\nassign y = b;\nendmodule\n",
    )
    .unwrap();
    let err = verilator::lint(&[file], "bad", dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("bad.v:2") && text.contains("'b'"), "{text}");
    let e: snngen::Error = err.into();
    assert_eq!(e.exit_code(), 3);
}
