//! `snngen sim rtl`: the emitted (or a hand-edited) RTL against the cycle-exact model;
//! `snngen sim spice`: a TTFS design's crossbar netlists in ngspice against its model.

use super::Global;
use super::report::{Report, show, verbosity};
use crate::apps::rcspike::circuit::{self, CircuitOptions, CircuitReport};
use crate::compiler::design::FpgaDevice;
use crate::flows::build::default_out_dir;
use crate::flows::cosim::{self, SimOptions, SimReport, Simulator};
use crate::support::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Run the RTL in Verilator (or Icarus) and compare every output of every cycle with the
    /// cycle-exact reference model. Exit 1 and a VCD around the first divergence on mismatch.
    ///
    /// Compiled Verilator models are cached by content hash in $SNNGEN_CACHE_DIR
    /// (default ~/.cache/snngen): an unchanged design does not recompile.
    Rtl(RtlArgs),
    /// Run images through a TTFS design's crossbar netlists in ngspice, layer by layer, and
    /// compare every neuron's firing time and each image's class with the model.
    ///
    /// Each layer is driven by the firing times the circuit's previous layer produced; the
    /// model of each layer gets the same inputs. Writes spice_times.csv and spice_times.png
    /// (ngspice against model) into the output folder.
    Spice(SpiceArgs),
}

#[derive(Debug, clap::Args)]
pub struct SpiceArgs {
    /// The design file (YAML) of a TTFS network.
    design: PathBuf,
    /// Folder written by `snngen train` (its weights go onto the crossbar's levels).
    #[arg(long, value_name = "DIR")]
    model: PathBuf,
    /// Folder in the MNIST layout; N images of its t10k split (else train).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Images to run.
    #[arg(long, default_value_t = 50, value_name = "N")]
    images: usize,
    /// The last N images of the split instead of the first (the validation part of train-*).
    #[arg(long)]
    last: bool,
    /// Folder for spice_times.csv and spice_times.png [default: out/<design name>/spice].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// ngspice runs at once.
    #[arg(long, default_value_t = super::default_jobs())]
    jobs: usize,
    /// Simulate every crosspoint, also those on lines that never step in an image (whose
    /// diodes only leak): about 4x slower; measured times move by up to 0.24 %.
    #[arg(long)]
    full_netlist: bool,
    /// Fail (exit 1) when a firing time is off by more than this fraction of the model's.
    #[arg(long, default_value_t = 0.02)]
    max_timing_error: f64,
    /// Fail (exit 1) when ngspice and the model decide the same class on fewer images.
    #[arg(long, default_value_t = 0.98)]
    min_class_agreement: f64,
}

fn run_spice(a: SpiceArgs, g: &Global) -> Result<()> {
    let (task, tiles) = circuit::trained_tiles(&a.design, &a.model)?;
    let opts = CircuitOptions {
        model: a.model,
        data: a.data,
        images: a.images,
        last: a.last,
        full_netlist: a.full_netlist,
        out: a
            .out
            .unwrap_or_else(|| default_out_dir(&task.design).join("spice")),
        jobs: a.jobs,
        verbosity: verbosity(g),
    };
    let r = circuit::sim_spice(&task, &tiles, &opts)?;
    show(&r, g);
    if r.worst_timing_error > a.max_timing_error || r.class_agreement < a.min_class_agreement {
        return Err(Error::Mismatch(format!(
            "ngspice against the model: worst timing error {:.3} % (at most {:.3} %), class agreement {:.1} % (at least {:.1} %)",
            100.0 * r.worst_timing_error,
            100.0 * a.max_timing_error,
            100.0 * r.class_agreement,
            100.0 * a.min_class_agreement
        )));
    }
    Ok(())
}

impl Report for CircuitReport {
    fn table(&self) -> String {
        let mut t = format!(
            "sim spice {}: {} {} images through the crossbar netlists in ngspice, {:.1} s\n",
            self.design, self.images, self.split, self.seconds
        );
        t += "layer     neurons compared  median error  worst error  fired in one only  worst |Vth - v|\n";
        for l in &self.layers {
            t += &format!(
                "{:<9} {:>16}  {:>11.4} %  {:>10.4} %  {:>17}  {:>12.3} mV\n",
                l.layer,
                l.compared,
                100.0 * l.median_timing_error,
                100.0 * l.worst_timing_error,
                l.fire_mismatches,
                l.worst_threshold_gap_mv
            );
        }
        t += &format!(
            "firing times: median error {:.4} %, worst {:.4} % (ngspice against the model, same inputs)\n",
            100.0 * self.median_timing_error,
            100.0 * self.worst_timing_error
        );
        t += &format!(
            "at every crossing in either, the other's membrane is {:.3} mV from the threshold (median), {:.3} mV at worst\n",
            self.median_threshold_gap_mv, self.worst_threshold_gap_mv
        );
        t += &format!(
            "class: ngspice agrees with the model on {:.1} % of images; accuracy {:.4} (ngspice), {:.4} (model)\n",
            100.0 * self.class_agreement,
            self.circuit_accuracy,
            self.model_accuracy
        );
        t += &format!(
            "energy per inference {:.2} pJ from the excitatory line drivers (model {:.2} pJ): {:.2} fJ per conducting crosspoint, against C Vth Vsyn / N = {:.2} fJ\n",
            self.energy_per_inference_pj,
            self.model_energy_per_inference_pj,
            self.energy_per_mac_fj,
            self.c_vth_vsyn_over_n_fj
        );
        t += &format!("  written to {} and {}\n", self.times_csv, self.plot);
        t
    }
}

#[derive(Debug, clap::Args)]
pub struct RtlArgs {
    /// The design file (YAML).
    design: PathBuf,
    /// Simulate this RTL folder (a build's output or its rtl/) instead of the design's own
    /// RTL, e.g. after editing it by hand.
    #[arg(long, value_name = "DIR")]
    rtl: Option<PathBuf>,
    /// Cycles of random stimulus [default: enough for 4 readout decisions on the design,
    /// at least 10,000; at most 2,000,000].
    #[arg(long)]
    cycles: Option<u64>,
    /// Seed of the random stimulus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Read the stimulus from FILE instead: one line per cycle, hex, `rst in_valid in_data`
    /// then `req addr syn_ack` per chip (SNNGEN_KEEP_WORK=1 keeps a run's stimulus in this
    /// format as stimulus.txt in its work folder).
    #[arg(long, value_name = "FILE")]
    stimulus: Option<PathBuf>,
    /// Write a VCD of the whole run (on a mismatch: of the cycles around it).
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// The simulator that runs the RTL.
    #[arg(long, value_enum, default_value = "verilator")]
    simulator: SimulatorArg,
    /// Fail (exit 1) when the run left a block idle: no class decision, a chip without a
    /// synapse event, no routing-table destination reached.
    #[arg(long)]
    require_coverage: bool,
    /// Simulate the gate-level netlist instead of the RTL: what yosys `synth_ice40` maps the
    /// RTL to for DEVICE (as `build --fpga` does), over yosys's iCE40 cell models.
    #[arg(long, value_name = "DEVICE")]
    gate_level: Option<FpgaDevice>,
    /// Drive the board-level top (designs with `fpga.host_link`): a host on the serial link
    /// writes sample rows and reads the decisions back, with random timing.
    #[arg(long)]
    board: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SimulatorArg {
    Verilator,
    Iverilog,
}

impl From<SimulatorArg> for Simulator {
    fn from(s: SimulatorArg) -> Simulator {
        match s {
            SimulatorArg::Verilator => Simulator::Verilator,
            SimulatorArg::Iverilog => Simulator::Iverilog,
        }
    }
}

impl Report for SimReport {
    fn table(&self) -> String {
        let verdict = if self.divergence.is_none() {
            "identical to the reference model"
        } else {
            "MISMATCH"
        };
        let mut what = match self.gate_level {
            Some(device) => format!("gate-level netlist for the {}", device.name()),
            None => "RTL".to_string(),
        };
        if self.board {
            what += " of the board-level top";
        }
        let mut t = format!(
            "sim rtl {}: {what}, {} cycles on {}, {verdict}\n",
            self.design, self.cycles, self.simulator
        );
        t += &format!(
            "  outputs: {} synapse events, {} class decisions (seed {})\n",
            self.synapse_events, self.class_decisions, self.seed
        );
        t += &format!(
            "  build {:.2} s{}, simulation {:.2} s = {:.0} cycles/s; reference model {:.3} s, \
             comparison {:.3} s\n",
            self.build_seconds,
            if self.model_cached {
                " (cached model)"
            } else {
                ""
            },
            self.sim_seconds,
            self.cycles_per_second,
            self.model_seconds,
            self.compare_seconds
        );
        let c = &self.coverage;
        t += &format!(
            "  coverage: {} class decisions, synapse events per chip {:?}, {} of {} routing-table destinations, {} resets\n",
            c.class_decisions, c.synapse_events, c.destinations_reached, c.destinations, c.resets
        );
        for gap in &c.gaps {
            t += &format!("  warning: {gap}\n");
        }
        if let Some(v) = &self.vcd {
            t += &format!("  vcd: {v}\n");
        }
        t
    }
}

pub fn run(target: Target, g: &Global) -> Result<()> {
    let a = match target {
        Target::Rtl(a) => a,
        Target::Spice(a) => return run_spice(a, g),
    };
    let opts = SimOptions {
        rtl_dir: a.rtl,
        cycles: a.cycles,
        seed: a.seed,
        stimulus: a.stimulus,
        vcd: a.vcd,
        simulator: a.simulator.into(),
        verbosity: verbosity(g),
        cache_dir: None,
        require_coverage: a.require_coverage,
        gate_level: a.gate_level,
        board: a.board,
    };
    let report = cosim::sim_rtl(&a.design, &opts)?;
    show(&report, g);
    match &report.divergence {
        None if a.require_coverage && !report.coverage.gaps.is_empty() => {
            Err(Error::Mismatch(format!(
                "--require-coverage: {} (run longer, or another --seed)",
                report.coverage.gaps.join("; ")
            )))
        }
        None => Ok(()),
        Some(d) => Err(Error::Mismatch(format!(
            "{} differs from the reference model at cycle {}: {} expected {}, got {}{}",
            report.simulator,
            d.cycle,
            d.signal,
            d.expected,
            d.got,
            report
                .vcd
                .as_ref()
                .map(|v| format!(" (VCD of the cycles around it: {v})"))
                .unwrap_or_default()
        ))),
    }
}
