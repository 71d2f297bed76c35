//! `snngen sim rtl`: the emitted (or a hand-edited) RTL against the cycle-exact model.

use super::Global;
use super::report::{Report, show, verbosity};
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
    /// Read the stimulus from FILE (the format of the harness tb/<name>_cosim.sv) instead.
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
        let mut t = format!(
            "sim rtl {}: {} cycles on {}, {verdict}\n",
            self.design, self.cycles, self.simulator
        );
        t += &format!(
            "  outputs: {} synapse events, {} class decisions (seed {})\n",
            self.synapse_events, self.class_decisions, self.seed
        );
        t += &format!(
            "  build {:.2} s{}, simulation {:.2} s = {:.0} cycles/s; reference model {:.3} s\n",
            self.build_seconds,
            if self.model_cached {
                " (cached model)"
            } else {
                ""
            },
            self.sim_seconds,
            self.cycles_per_second,
            self.model_seconds
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
    let Target::Rtl(a) = target;
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
