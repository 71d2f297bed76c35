//! `snngen build --fpga`: a build's RTL through yosys `synth_ice40`, nextpnr-ice40 (the
//! design's clock as the target) and icepack, in a scratch folder. Returns the bitstream,
//! the pin file and the logs as files for the build folder, and a report of utilization
//! and timing. A design that does not fit fails with what it needs, what the device has,
//! and its largest blocks.

mod netlist;

pub use crate::compiler::board::DeviceSpec;
use crate::compiler::board::pins;
pub use netlist::BlockUsage;

use crate::compiler::design::FpgaDevice;
use crate::support::error::{Error, Result, ToolError};
use crate::support::fs::{scratch_dir, write};
use crate::support::progress::{Verbosity, note};
use crate::tools;
use crate::tools::nextpnr::{self, CriticalPath, PnrJob, Usage};
use crate::tools::yosys::{self, SynthOutputs};
use netlist::NetlistSummary;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Utilization and timing of a placed and routed design.
#[derive(Debug, Clone, Serialize)]
pub struct FpgaReport {
    pub device: &'static str,
    pub package: &'static str,
    pub board: &'static str,
    /// The design's clock (the target nextpnr placed for).
    pub clock_mhz: f64,
    /// The clock's achieved Fmax after routing.
    pub fmax_mhz: f64,
    pub timing_met: bool,
    pub critical_path: Option<CriticalPath>,
    /// Logic cells (a LUT4 and a flip-flop each) after packing.
    pub logic_cells: Usage,
    pub luts: u64,
    pub flip_flops: u64,
    pub ram_blocks: Usage,
    /// Port bits on pins, of the pins the board leaves to a design.
    pub io: Usage,
    /// DSP blocks (SB_MAC16), on devices that have them.
    pub dsp: Option<Usage>,
    /// Cells of each top-level block, largest first.
    pub blocks: Vec<BlockUsage>,
    /// The bitstream and the pin file in the build folder.
    pub bitstream: String,
    pub pcf: String,
    /// Whether snngen wrote the pin file (else it is the one `--pcf` named).
    pub pcf_generated: bool,
    pub yosys_seconds: f64,
    pub nextpnr_seconds: f64,
}

/// What to implement the design on.
#[derive(Debug, Clone)]
pub struct FpgaTarget {
    pub device: FpgaDevice,
    pub clock_mhz: f64,
    /// Pin constraints to use instead of generated ones: the file and what it holds.
    pub pcf: Option<(PathBuf, String)>,
    pub verbosity: Verbosity,
}

/// The programs the flow runs, looked up before it starts.
pub const FLOW_TOOLS: [&str; 3] = ["yosys", "nextpnr-ice40", "icepack"];

/// The report and the files for the build folder (path inside it, contents).
#[derive(Debug)]
pub struct Implementation {
    pub report: FpgaReport,
    pub files: Vec<(String, Vec<u8>)>,
}

/// The folder inside a build that holds the FPGA files.
pub const FPGA_DIR: &str = "fpga";

/// Synthesizes, places and routes `rtl` (file name and contents, `top` the top module) and
/// packs the bitstream.
pub fn implement(
    design: &str,
    rtl: &[(String, String)],
    top: &str,
    target: &FpgaTarget,
) -> Result<Implementation> {
    let spec = DeviceSpec::of(target.device);
    let work = scratch_dir("snngen-fpga-")?;
    let dir = work.path();
    let mut files = Vec::new();
    for (name, contents) in rtl {
        let path = dir.join(name);
        write(&path, contents)?;
        files.push(path);
    }

    note(target.verbosity, "synthesizing for iCE40 with yosys ...");
    let start = Instant::now();
    let outputs = SynthOutputs {
        dsp: spec.dsp,
        json: true,
        gate_verilog: false,
    };
    let stats = yosys::synth_ice40_with(&files, top, dir, outputs)?;
    let yosys_seconds = start.elapsed().as_secs_f64();
    let netlist = read_netlist(dir, top)?;

    let generated = match &target.pcf {
        Some((path, text)) => {
            pins::check(text, &netlist.ports)
                .map_err(|e| Error::Usage(format!("--pcf {}: {e}", path.display())))?;
            Some((text.clone(), false))
        }
        None => pins::generate(&netlist.ports, spec, design).map(|text| (text, true)),
    };
    let pcf_name = format!("{design}_{}.pcf", spec.device.name());
    if let Some((text, _)) = &generated {
        write(&dir.join(&pcf_name), text)?;
    }

    note(
        target.verbosity,
        &format!(
            "placing and routing on the {} ({}) with nextpnr-ice40 at {} MHz ...",
            spec.device.name(),
            spec.package,
            target.clock_mhz
        ),
    );
    let start = Instant::now();
    // Without pins for every port, nextpnr still packs the design and tells which other
    // resources overflow: the error then names them all.
    let job = PnrJob {
        device_args: spec.nextpnr_args,
        freq_mhz: target.clock_mhz,
        pcf: generated.as_ref().map(|_| Path::new(&pcf_name)),
    };
    let run = nextpnr::place_and_route(&job, dir)?;
    let nextpnr_seconds = start.elapsed().as_secs_f64();
    let mut over: Vec<(&str, Usage)> = run
        .utilization
        .iter()
        .filter(|(bel, u)| u.used > u.available && *bel != "SB_IO")
        .map(|(bel, u)| (bel_name(bel), *u))
        .collect();
    let io = Usage {
        used: netlist.port_bits(),
        available: spec.io_pins(),
    };
    if io.used > io.available {
        over.insert(0, ("IO pins", io));
    }
    if !over.is_empty() {
        return Err(does_not_fit(design, spec, &over, &netlist));
    }
    let (Some(pnr), Some((pcf_text, pcf_generated))) = (run.report, generated) else {
        return Err(Error::Tool(ToolError::Failed {
            command: format!("nextpnr-ice40 {}", spec.nextpnr_args.join(" ")),
            status: "it did not place and route the design".into(),
            excerpt: tools::tail_lines(&run.log, 30),
        }));
    };
    nextpnr::icepack(dir)?;

    let usage = |bel: &str| pnr.utilization.get(bel).copied();
    let zero = Usage {
        used: 0,
        available: 0,
    };
    // The slowest clock's (every design has one clock, `clk`; none reported counts as 0).
    let fmax_mhz = pnr
        .fmax_mhz
        .values()
        .copied()
        .reduce(f64::min)
        .unwrap_or(0.0);
    let bin_name = format!("{design}_{}.bin", spec.device.name());
    let in_folder = |name: &str| format!("{FPGA_DIR}/{name}");
    let report = FpgaReport {
        device: spec.device.name(),
        package: spec.package,
        board: spec.board,
        clock_mhz: target.clock_mhz,
        fmax_mhz,
        timing_met: fmax_mhz >= target.clock_mhz,
        critical_path: pnr.critical_paths.first().cloned(),
        logic_cells: usage("ICESTORM_LC").unwrap_or(zero),
        luts: stats.luts,
        flip_flops: stats.flip_flops,
        ram_blocks: usage("ICESTORM_RAM").unwrap_or(zero),
        io: Usage {
            used: usage("SB_IO").map_or(0, |u| u.used),
            available: spec.io_pins(),
        },
        dsp: usage("ICESTORM_DSP"),
        blocks: netlist.blocks,
        bitstream: in_folder(&bin_name),
        pcf: in_folder(&pcf_name),
        pcf_generated,
        yosys_seconds,
        nextpnr_seconds,
    };
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|source| Error::Output {
            path: dir.join(name),
            source,
        })
    };
    let files = vec![
        (in_folder(&bin_name), read("design.bin")?),
        (in_folder(&pcf_name), pcf_text.into_bytes()),
        (in_folder("nextpnr.log"), run.log.into_bytes()),
        (in_folder("nextpnr_report.json"), read("report.json")?),
    ];
    Ok(Implementation { report, files })
}

fn read_netlist(dir: &Path, top: &str) -> Result<NetlistSummary> {
    let path = dir.join(yosys::NETLIST_JSON);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Read {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    NetlistSummary::parse(&text, top).ok_or_else(|| {
        Error::Tool(ToolError::Io {
            tool: "yosys".into(),
            source: std::io::Error::other(format!("{} is not a netlist of {top}", path.display())),
        })
    })
}

/// What a nextpnr bel type is called in a message.
fn bel_name(bel: &str) -> &str {
    match bel {
        "ICESTORM_LC" => "logic cells",
        "ICESTORM_RAM" => "RAM blocks",
        "SB_IO" => "IO pins",
        "ICESTORM_DSP" => "DSP blocks",
        other => other,
    }
}

/// "does not fit" with each resource it overflows, by how much, and the largest blocks
/// (and, for pins, the widest ports).
fn does_not_fit(
    design: &str,
    spec: &DeviceSpec,
    over: &[(&str, Usage)],
    netlist: &NetlistSummary,
) -> Error {
    let needs: Vec<String> = over
        .iter()
        .map(|(what, u)| {
            format!(
                "{} {what} of {} ({:.0} %, {} too many)",
                u.used,
                u.available,
                u.percent(),
                u.used - u.available
            )
        })
        .collect();
    let mut msg = format!(
        "{design} does not fit the {} ({}, {}): it needs {}",
        spec.device.name(),
        spec.package,
        spec.board,
        needs.join(" and ")
    );
    if over.iter().any(|(what, _)| *what == "IO pins") {
        let mut ports = netlist.ports.clone();
        ports.sort_by_key(|p| std::cmp::Reverse(p.bits));
        let widest: Vec<String> = ports
            .iter()
            .take(3)
            .map(|p| format!("{} ({} bits)", p.name, p.bits))
            .collect();
        msg += &format!("\n  widest ports: {}", widest.join(", "));
    }
    let blocks: Vec<String> = netlist
        .blocks
        .iter()
        .take(3)
        .map(|b| {
            format!(
                "{} ({} LUTs, {} flip-flops, {} RAM blocks)",
                b.block, b.luts, b.flip_flops, b.ram_blocks
            )
        })
        .collect();
    msg += &format!("\n  largest blocks: {}", blocks.join(", "));
    Error::DoesNotFit(msg)
}
