//! `snngen build`: write a design's output folder; with --lint and --synth, check it.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::compiler::Rendered;
use crate::compiler::design::FpgaDevice;
use crate::flows::build::{self, BuildSummary, rtl_checks};
use crate::flows::fpga::FpgaReport;
use crate::flows::spintronic::build::{self as spin_build, SpinBuildSummary};
use crate::flows::spintronic::setup::is_spin_design;
use crate::support::error::{Error, Result};
use crate::tools::yosys::SynthStats;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file (YAML).
    design: PathBuf,
    /// Output folder [default: out/<design name>].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Readout weights from this CSV file instead of the design's own (e.g. the
    /// readout_weights.csv that `snngen train` writes).
    #[arg(long, value_name = "CSV")]
    weights: Option<PathBuf>,
    /// A TTFS design's crossbar weights from this model folder (what `snngen train` writes),
    /// instead of the design's own.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Also lint the RTL with `verilator --lint-only -Wall` and `yosys check -assert`.
    #[arg(long)]
    lint: bool,
    /// Also synthesize for iCE40 with yosys and report LUT and flip-flop counts.
    #[arg(long)]
    synth: bool,
    /// Also place and route with nextpnr-ice40 at the design's clock and write the
    /// bitstream, pin file and log into DIR/fpga/; the summary gives utilization, Fmax and
    /// the critical path. Without DEVICE, the design's `fpga.device`.
    #[arg(long, value_name = "DEVICE", num_args = 0..=1)]
    fpga: Option<Option<FpgaDevice>>,
    /// Pin constraints for --fpga instead of the generated ones (every top-level port
    /// needs a pin).
    #[arg(long, value_name = "FILE", requires = "fpga")]
    pcf: Option<PathBuf>,
}

#[derive(Serialize)]
struct BuildReport {
    #[serde(flatten)]
    summary: BuildSummary,
    /// Whether the RTL passed the lint checks (absent when not asked for).
    lint_clean: Option<bool>,
    ice40: Option<SynthStats>,
    #[serde(skip)]
    quiet: bool,
}

impl Report for BuildReport {
    fn table(&self) -> String {
        let mut t = if self.quiet {
            String::new()
        } else {
            summary_lines(&self.summary)
        };
        if self.lint_clean == Some(true) && !self.quiet {
            t += "  lint: verilator -Wall and yosys check clean\n";
        }
        if let Some(f) = &self.summary.fpga {
            t += &fpga_lines(f);
        }
        if let Some(s) = &self.ice40 {
            t += &format!(
                "  ice40: {} LUTs, {} flip-flops, {} RAM blocks\n",
                s.luts, s.flip_flops, s.ram_blocks
            );
        }
        t
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    if is_spin_design(&a.design) {
        return run_spin(&a, g);
    }
    let fpga = a.fpga.map(|device| build::FpgaRequest {
        device,
        pcf: a.pcf.clone(),
        verbosity: verbosity(g),
    });
    let inputs = build::BuildInputs {
        readout_weights: a.weights.as_deref(),
        model: a.model.as_deref(),
        fpga: fpga.as_ref(),
    };
    let (summary, rendered) = build::build_with(&a.design, &inputs, a.out.as_deref())?;
    let mut report = BuildReport {
        summary,
        lint_clean: None,
        ice40: None,
        quiet: g.quiet,
    };
    // The folder is written: its summary shows even when a check then fails.
    let checked = check(&a, &mut report, &rendered);
    show(&report, g);
    checked
}

/// The checks asked for, recorded in the report as they pass.
fn check(a: &Args, report: &mut BuildReport, rendered: &Rendered) -> Result<()> {
    let out = &report.summary.out_dir;
    if a.lint {
        rtl_checks::lint_rtl(out, rendered)?;
        report.lint_clean = Some(true);
    }
    if a.synth {
        report.ice40 = Some(rtl_checks::synthesize(out, rendered)?);
    }
    Ok(())
}

fn summary_lines(s: &BuildSummary) -> String {
    let bins = match s.readout_bins {
        1 => String::new(),
        b => format!(" x {b} time bins"),
    };
    let crossbars: String = s
        .crossbars
        .iter()
        .map(|c| {
            format!(
                "  tile {}: {} x {}, {} crosspoints, resistors {:.3} to {:.3} GOhm\n",
                c.tile, c.inputs, c.outputs, c.crosspoints, c.r_min_gohm, c.r_max_gohm
            )
        })
        .collect();
    format!(
        "built {} in {:.1} ms -> {}\n  {} chip(s), {} neurons, {} on-chip synapses, {} RC-Spike \
         tile(s)\n  router: {} sources, {} destinations; readout: {} features x {} classes{bins}\n  \
         {} files, {:.1} KiB\n",
        s.design,
        s.seconds * 1e3,
        s.out_dir.display(),
        s.chips,
        s.neurons,
        s.synapses,
        s.tiles,
        s.route_sources,
        s.route_destinations,
        s.readout_features,
        s.readout_classes,
        s.files,
        s.bytes as f64 / 1024.0
    ) + &crossbars
}

fn fpga_lines(f: &FpgaReport) -> String {
    let timing = if f.timing_met {
        format!("meets its {} MHz clock", f.clock_mhz)
    } else {
        format!("MISSES its {} MHz clock", f.clock_mhz)
    };
    let mut t = format!(
        "  {} ({} on the {}): {}/{} logic cells ({:.0} %), {}/{} RAM blocks, {}/{} IO\n  \
         Fmax {:.1} MHz: {timing}\n",
        f.device,
        f.package,
        f.board,
        f.logic_cells.used,
        f.logic_cells.available,
        f.logic_cells.percent(),
        f.ram_blocks.used,
        f.ram_blocks.available,
        f.io.used,
        f.io.available,
        f.fmax_mhz,
    );
    if let Some(p) = &f.critical_path {
        t += &format!(
            "  critical path {:.2} ns ({:.2} logic, {:.2} routing): {} -> {}\n",
            p.delay_ns, p.logic_ns, p.routing_ns, p.from, p.to
        );
    }
    t + &format!(
        "  bitstream {} (yosys {:.1} s, nextpnr {:.1} s)\n",
        f.bitstream, f.yosys_seconds, f.nextpnr_seconds
    )
}

/// A spintronic network design: the learning core, its testbench and the device models.
fn run_spin(a: &Args, g: &Global) -> Result<()> {
    if a.weights.is_some() || a.model.is_some() || a.fpga.is_some() {
        return Err(Error::Usage(
            "--weights, --model and --fpga apply to chip designs; a spintronic design \
             (one with a `network` section) takes -o, --lint and --synth"
                .into(),
        ));
    }
    let (summary, _) = spin_build::build(&a.design, a.out.as_deref())?;
    let mut report = SpinBuildReport {
        summary,
        lint_clean: None,
        ice40: None,
        quiet: g.quiet,
    };
    let checked = (|| {
        if a.lint {
            spin_build::lint(&report.summary)?;
            report.lint_clean = Some(true);
        }
        if a.synth {
            report.ice40 = Some(spin_build::synthesize(&report.summary)?);
        }
        Ok(())
    })();
    show(&report, g);
    checked
}

#[derive(Serialize)]
struct SpinBuildReport {
    #[serde(flatten)]
    summary: SpinBuildSummary,
    lint_clean: Option<bool>,
    ice40: Option<SynthStats>,
    #[serde(skip)]
    quiet: bool,
}

impl Report for SpinBuildReport {
    fn table(&self) -> String {
        let s = &self.summary;
        let mut t = String::new();
        if !self.quiet {
            t += &format!(
                "built spintronic design {} -> {}\n  learning core: 1 stochastic neuron, {} STDP \
                 synapses ({})\n  device card {}: {} of {} numbers are assumptions\n  {} files, \
                 {:.1} KiB\n",
                s.design,
                s.out_dir.display(),
                s.inputs,
                s.rtl,
                s.card,
                s.assumed_numbers.0,
                s.assumed_numbers.1,
                s.files,
                s.bytes as f64 / 1024.0
            );
        }
        if self.lint_clean == Some(true) && !self.quiet {
            t += "  lint: verilator -Wall and yosys check clean\n";
        }
        if let Some(i) = &self.ice40 {
            t += &format!(
                "  ice40: {} LUTs, {} flip-flops, {} RAM blocks\n",
                i.luts, i.flip_flops, i.ram_blocks
            );
        }
        t
    }
}
