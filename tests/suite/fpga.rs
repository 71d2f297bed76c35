//! The FPGA flow on the real tools: `build --fpga` through yosys, nextpnr-ice40 and icepack
//! (bitstream, pins, utilization, timing, and the errors of a design that does not fit),
//! and the gate-level netlist of each small example design against the reference model.
//! A missing tool fails these tests under CI (see common::require_tool).

use crate::common;

use common::{require_tool, root, snngen};
use snngen::compiler::design::FpgaDevice;
use snngen::flows::cosim::{SimOptions, Simulator, sim_rtl};
use snngen::tools::yosys;
use std::path::Path;

fn fpga_tools() -> bool {
    ["yosys", "nextpnr-ice40", "icepack"]
        .iter()
        .all(|t| require_tool(t))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The first bytes icepack writes: a comment block, then the iCE40 sync word 7E AA 99 7E.
fn is_ice40_bitstream(bytes: &[u8]) -> bool {
    bytes
        .windows(4)
        .take(64)
        .any(|w| w == [0x7e, 0xaa, 0x99, 0x7e])
}

#[test]
fn build_fpga_writes_a_bitstream_with_utilization_and_timing() {
    if !fpga_tools() {
        return;
    }
    for (device, cells, bytes_min) in [("ice40-up5k", 5280, 100_000), ("ice40-hx8k", 7680, 130_000)]
    {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("b");
        let out_s = out.display().to_string();
        let (code, stdout, stderr) = snngen(&[
            "build",
            "designs/single_lif.yaml",
            "-o",
            &out_s,
            "--fpga",
            device,
            "--json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let r = json(&stdout);
        println!(
            "single_lif on {device}: {} logic cells, Fmax {:.1} MHz",
            r["logic_cells"]["used"], r["fmax_mhz"]
        );
        assert_eq!(r["device"], device);
        assert_eq!(r["clock_mhz"], 50.0);
        let fmax = r["fmax_mhz"].as_f64().unwrap();
        assert!(fmax > 1.0 && fmax < 1000.0, "{fmax}");
        assert_eq!(r["timing_met"], fmax >= 50.0);
        assert_eq!(r["logic_cells"]["available"], cells);
        let used = r["logic_cells"]["used"].as_u64().unwrap();
        assert!(used > 50 && used < cells, "{used}");
        // single_lif's board has 13 port bits (clock, reset, a one-line host link, irq, one
        // chip's AER buses): each on its own pin.
        assert_eq!(r["io"]["used"], 13);
        let critical = &r["critical_path"];
        assert!(critical["delay_ns"].as_f64().unwrap() > 0.0, "{critical}");

        let bin = std::fs::read(out.join(r["bitstream"].as_str().unwrap())).unwrap();
        assert!(bin.len() >= bytes_min, "{} bytes", bin.len());
        assert!(is_ice40_bitstream(&bin));
        let pcf = std::fs::read_to_string(out.join(r["pcf"].as_str().unwrap())).unwrap();
        assert_eq!(pcf.lines().filter(|l| l.starts_with("set_io ")).count(), 13);
        // The pins place and route used (from yosys's ports) are the core's (from the view's).
        let core_pcf = out.join(format!("pcf/single_lif_{device}.pcf"));
        if device == "ice40-hx8k" {
            assert_eq!(std::fs::read_to_string(core_pcf).unwrap(), pcf);
        }

        // The manifest lists the bitstream with its hash and holds the report.
        let manifest = json(&std::fs::read_to_string(out.join("manifest.json")).unwrap());
        let entry = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == r["bitstream"])
            .expect("bitstream in the manifest");
        assert_eq!(entry["sha256"], snngen::support::hash::sha256_hex(&bin));
        assert_eq!(manifest["fpga"]["fmax_mhz"], r["fmax_mhz"]);

        // Pins given with --pcf are used as they are; a bare --fpga takes the design's
        // device (single_lif names the HX8K).
        let mine = tmp.path().join("mine.pcf");
        std::fs::write(&mine, &pcf).unwrap();
        let mine = mine.display().to_string();
        let mut args = vec!["build", "designs/single_lif.yaml", "-o", &out_s, "--json"];
        args.extend(["--pcf", &mine, "--fpga"]);
        if device != "ice40-hx8k" {
            args.push(device);
        }
        let (code, stdout, stderr) = snngen(&args);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(json(&stdout)["device"], device);
        assert_eq!(json(&stdout)["pcf_generated"], false);
    }
}

/// Message of a failed command with the temporary folder and the cell counts (which
/// follow the yosys version) replaced, for snapshots.
fn redacted(stderr: &str, tmp: &Path) -> String {
    let counts = regex::Regex::new(r"\(\d+ LUTs, \d+ flip-flops, \d+ RAM blocks\)").unwrap();
    counts
        .replace_all(
            &stderr.replace(&tmp.display().to_string(), "<tmp>"),
            "(<cells>)",
        )
        .into_owned()
}

#[test]
fn a_design_that_does_not_fit_says_by_how_much_and_keeps_its_rtl() {
    if !fpga_tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    // rc_spike_tile without its host link: the 16 x 8-bit sample bus alone needs more pins
    // than the iCEBreaker has.
    let parallel = tmp.path().join("rc_spike_tile.yaml");
    let text = std::fs::read_to_string(root().join("designs/rc_spike_tile.yaml")).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.contains("host_link"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&parallel, text).unwrap();
    let (code, _, stderr) = snngen(&[
        "build",
        &parallel.display().to_string(),
        "-o",
        &out.display().to_string(),
        "--fpga",
        "ice40-up5k",
        "-q",
    ]);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!("fpga_does_not_fit", redacted(&stderr, tmp.path()));
    assert!(out.join("rtl/rc_spike_tile_top.v").is_file());
    assert!(!out.join("fpga").exists());
    let manifest = json(&std::fs::read_to_string(out.join("manifest.json")).unwrap());
    assert!(manifest.get("fpga").is_none());

    // --fpga without a device takes the design's, and six_chip names none.
    let (code, _, stderr) = snngen(&[
        "build",
        "designs/six_chip.yaml",
        "-o",
        &out.display().to_string(),
        "--fpga",
        "-q",
    ]);
    assert_eq!(code, 2, "{stderr}");
    insta::assert_snapshot!("fpga_without_device", redacted(&stderr, tmp.path()));
    let (code, _, stderr) = snngen(&["build", "designs/single_lif.yaml", "--pcf", "x.pcf"]);
    assert_eq!(code, 2, "--pcf needs --fpga: {stderr}");

    // A pin file that leaves a port bit without a pin, or names no port, is refused before
    // place and route, and nothing is written.
    let pcf = tmp.path().join("short.pcf");
    std::fs::write(&pcf, "set_io clk J3\nset_io led B5\n").unwrap();
    let fresh = tmp.path().join("fresh");
    let (code, _, stderr) = snngen(&[
        "build",
        "designs/single_lif.yaml",
        "-o",
        &fresh.display().to_string(),
        "--fpga",
        "--pcf",
        &pcf.display().to_string(),
        "-q",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("port bit(s) have no pin: chip0_ack")
            && stderr.contains("1 name(s) are no port bit of the design: led"),
        "{stderr}"
    );
    assert!(!fresh.exists(), "nothing written for a bad pin file");
}

/// The small example designs: their gate-level netlists compile and run in seconds. The
/// TTFS designs (784 input channels, about 3 minutes each) and six_chip run on demand:
/// `snngen sim rtl DESIGN --gate-level DEVICE`.
const GATE_LEVEL_DESIGNS: [&str; 4] = ["single_lif", "two_chip", "time_bins", "rc_spike_tile"];

#[test]
fn gate_level_netlists_match_the_model_cycle_for_cycle() {
    if !require_tool("yosys") || !require_tool("verilator") {
        return;
    }
    let cases: Vec<(&str, FpgaDevice)> = GATE_LEVEL_DESIGNS
        .iter()
        .flat_map(|name| {
            [
                (*name, FpgaDevice::Ice40Hx8k),
                (*name, FpgaDevice::Ice40Up5k),
            ]
        })
        .collect();
    // Eight syntheses and simulations of 5-15 s each: one per core.
    common::on_two_cores(&cases, |&(name, device)| {
        let design = root().join(format!("designs/{name}.yaml"));
        // The HX8K's netlist is the board's (what build --fpga places), host link
        // included; the UP5K's the system top's.
        let board = device == FpgaDevice::Ice40Hx8k;
        let report = sim_rtl(
            &design,
            &SimOptions {
                gate_level: Some(device),
                board,
                ..SimOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name} on {}: {e}", device.name()));
        println!(
            "{name} gate-level{} for the {}: {} cycles, {} decisions, build {:.1} s",
            if board { " board" } else { "" },
            device.name(),
            report.cycles,
            report.class_decisions,
            report.build_seconds
        );
        assert_eq!(report.divergence, None, "{name} on {}", device.name());
        assert!(report.class_decisions > 0, "{name}: no decision to compare");
    });
    // The same RTL gives the same netlist (yosys named wires after the scratch folder once),
    // wherever it is synthesized ...
    let r = snngen::compiler::render(&root().join("designs/single_lif.yaml")).unwrap();
    let netlist = || {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for f in r.files.iter().filter(|f| f.path.starts_with("rtl/")) {
            let path = dir.path().join(&f.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &f.contents).unwrap();
            files.push(path);
        }
        let outputs = yosys::SynthOutputs {
            gate_verilog: true,
            ..Default::default()
        };
        yosys::synth_ice40_with(&files, "single_lif_top", dir.path(), outputs).unwrap();
        std::fs::read(dir.path().join(yosys::GATE_VERILOG)).unwrap()
    };
    assert!(
        netlist() == netlist(),
        "two syntheses of the same RTL differ"
    );
    // ... and a second run takes the netlist from the cache (the kept file is not written
    // again) and reuses the compiled gate-level model.
    let cache = tempfile::tempdir().unwrap();
    let run = || {
        let options = SimOptions {
            gate_level: Some(FpgaDevice::Ice40Up5k),
            cycles: Some(100),
            cache_dir: Some(cache.path().to_path_buf()),
            ..SimOptions::default()
        };
        sim_rtl(&root().join("designs/single_lif.yaml"), &options).unwrap()
    };
    let kept_netlist = || {
        let slots = std::fs::read_dir(cache.path().join("gate")).unwrap();
        let kept: Vec<_> = slots.map(|s| s.unwrap().path().join("gate.v")).collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        std::fs::metadata(&kept[0]).unwrap().modified().unwrap()
    };
    assert!(!run().model_cached, "a fresh cache compiles");
    let stored = kept_netlist();
    let again = run();
    assert_eq!(kept_netlist(), stored, "the rerun synthesized again");
    assert!(again.model_cached, "{again:?}");
}

/// The board-level top, host link included, against the model: a host writes rows and
/// reads decisions with random timing; spi_sdo, irq and every AER output must match.
#[test]
fn board_level_tops_match_the_model_over_the_host_link() {
    if !require_tool("verilator") {
        return;
    }
    for name in GATE_LEVEL_DESIGNS {
        for seed in [1, 2] {
            let design = root().join(format!("designs/{name}.yaml"));
            let report = sim_rtl(
                &design,
                &SimOptions {
                    board: true,
                    seed,
                    ..SimOptions::default()
                },
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(report.divergence, None, "{name} seed {seed}");
            assert!(report.class_decisions > 0, "{name}: no decision to compare");
            assert!(
                report.coverage.gaps.is_empty(),
                "{name}: {:?}",
                report.coverage.gaps
            );
        }
    }
}

/// two_chip with its chips on one shared AER bus, for the UP5K (sg48: 35 pins free on the
/// iCEBreaker): it places with the bus's pins rather than a set per chip, its board's netlist
/// matches the model, and its system top's RTL does on Icarus too (the random designs cover
/// Verilator).
#[test]
fn a_shared_aer_bus_places_on_the_up5k_and_matches_the_model() {
    if !fpga_tools() || !require_tool("verilator") || !require_tool("iverilog") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let design = common::two_chip_on_a_shared_bus(tmp.path(), "ice40-up5k");

    let out = tmp.path().join("out").display().to_string();
    let design_s = design.display().to_string();
    let (code, stdout, stderr) = snngen(&["build", &design_s, "-o", &out, "--fpga", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let r = json(&stdout);
    let v = snngen::compiler::render(&design).unwrap().verilog;
    let link = v.link.as_ref().unwrap();
    // clk, rst, SCK, CS_N, the data lines, SDO, irq; then one bus: req, ack, syn_req, syn_ack,
    // the two chip selects and the two addresses (per chip it was 4 + addresses each).
    let selects = 2 * v.router.chip_w as u64;
    let pins = 6 + link.lanes as u64 + 4 + selects + (v.chip_if.src_w + v.chip_if.syn_w) as u64;
    println!(
        "two_chip, shared bus, on the UP5K: {} logic cells, {} pins, Fmax {:.1} MHz",
        r["logic_cells"]["used"], r["io"]["used"], r["fmax_mhz"]
    );
    assert_eq!(r["device"], "ice40-up5k");
    assert_eq!(r["io"]["used"].as_u64(), Some(pins));
    assert!(pins <= r["io"]["available"].as_u64().unwrap());

    for (simulator, gate_level) in [
        (Simulator::Verilator, Some(FpgaDevice::Ice40Up5k)),
        (Simulator::Iverilog, None),
    ] {
        let report = sim_rtl(
            &design,
            &SimOptions {
                gate_level,
                board: gate_level.is_some(),
                simulator,
                ..SimOptions::default()
            },
        )
        .unwrap();
        assert_eq!(report.divergence, None, "{}", simulator.name());
        assert!(report.class_decisions > 0);
        assert!(
            report.coverage.gaps.is_empty(),
            "{:?}",
            report.coverage.gaps
        );
    }
}

/// `snngen bench fpga` runs the flow with a bus per chip and with the shared bus in one run
/// and tabulates both: on single_lif (one chip) the shared bus adds its two one-bit chip
/// selects to the 13 pins.
#[test]
fn bench_fpga_compares_the_two_buses() {
    if !fpga_tools() {
        return;
    }
    let (code, stdout, stderr) = snngen(&["bench", "fpga", "designs/single_lif.yaml", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = json(&stdout)["rows"].as_array().unwrap().clone();
    let bus: Vec<&str> = rows
        .iter()
        .map(|r| r["aer_bus"].as_str().unwrap())
        .collect();
    assert_eq!(bus, ["per chip", "shared"]);
    let io: Vec<u64> = rows
        .iter()
        .map(|r| r["io"]["used"].as_u64().unwrap())
        .collect();
    assert_eq!(io, [13, 15]);
    for r in &rows {
        assert_eq!(r["device"], "ice40-hx8k");
        assert!(r["fmax_mhz"].as_f64().unwrap() > 1.0, "{r}");
        assert!(r["yosys_seconds"].as_f64().unwrap() > 0.0, "{r}");
    }
}

#[test]
fn board_needs_a_host_link() {
    let design = root().join("tests/data/rcspike_small.yaml");
    let err = sim_rtl(
        &design,
        &SimOptions {
            board: true,
            ..SimOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("has no host link"), "{err}");
}

/// Runs FuseSoC on a build's core: `fusesoc run --target=TARGET`, exit status and output.
fn fusesoc(out: &Path, work: &Path, target: &str, core: &str) -> (bool, String) {
    let o = std::process::Command::new(snngen::tools::find("fusesoc").unwrap())
        .current_dir(work)
        .args(["--cores-root", &out.display().to_string(), "run"])
        .arg(format!("--target={target}"))
        .arg(core)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    (o.status.success(), text)
}

/// The emitted core's targets under FuseSoC (flow API, as scripts/test installs it in a
/// venv): lint, the smoke testbench on Icarus and on Verilator, and a bitstream with the
/// emitted pin file; the simulations fail on a readout that sends a class out of range.
#[test]
fn fusesoc_runs_every_target_of_the_core() {
    if !fpga_tools() || !require_tool("fusesoc") || !require_tool("iverilog") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("two_chip");
    let (code, _, stderr) = snngen(&[
        "build",
        "designs/two_chip.yaml",
        "-o",
        &out.display().to_string(),
        "-q",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let core = format!("snngen:generated:two_chip:{}", env!("CARGO_PKG_VERSION"));
    let core = core.as_str();
    for target in ["lint", "sim", "sim_verilator", "bitstream"] {
        let (ok, log) = fusesoc(&out, tmp.path(), target, core);
        assert!(ok, "fusesoc --target={target}:\n{log}");
        assert!(
            !log.contains("deprecated"),
            "{target} uses a deprecated API:\n{log}"
        );
        if target.starts_with("sim") {
            assert!(
                log.contains("tb: cycles") && log.contains("decisions 3"),
                "{target}:\n{log}"
            );
        }
    }
    let bin = tmp.path().join(format!(
        "build/{}/bitstream/{}.bin",
        core.replace(':', "_"),
        core.replace(':', "_")
    ));
    assert!(
        is_ice40_bitstream(&std::fs::read(&bin).unwrap()),
        "{}",
        bin.display()
    );

    // Class 3 of a 3-class readout: the testbench must fail on both simulators.
    let readout = out.join("rtl/two_chip_readout.v");
    let text = std::fs::read_to_string(&readout).unwrap();
    assert!(text.contains("class_out   <= new_best_cls;"));
    std::fs::write(
        &readout,
        text.replace("class_out   <= new_best_cls;", "class_out   <= 2'd3;"),
    )
    .unwrap();
    for target in ["sim", "sim_verilator"] {
        let (ok, log) = fusesoc(&out, tmp.path(), target, core);
        assert!(
            !ok,
            "fusesoc --target={target} passed a readout out of range:\n{log}"
        );
    }
}
