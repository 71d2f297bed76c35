//! The command line: clap types and one file per command. Every command is a thin wrapper
//! over library code that returns a report; `report::show` prints it as a table or as JSON,
//! and `main_with_args` turns errors into the exit code their kind decides.

mod backend;
mod bench;
mod build;
mod characterize;
mod check;
mod eval;
mod explain;
mod mc;
mod passes;
pub mod report;
mod shell;
mod sim;
mod spin;
mod sweep;
mod train;

use crate::support::error::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "snngen",
    version,
    about = "Turn one spiking-network design into FPGA Verilog and analog ngspice netlists",
    long_about = "snngen reads a YAML network design (analog subthreshold LIF chips, RC-Spike \
crossbar tiles, and an FPGA with input encoder, AER spike router and fixed-point readout) and \
writes synthesizable Verilog, SPICE netlists with ngspice run files, testbench files, a manifest and a FuseSoC core.\n\n\
Examples:\n  snngen check designs/six_chip.yaml\n  snngen build designs/six_chip.yaml            \
# writes out/six_chip/\n  snngen build designs/single_lif.yaml -o /tmp/lif --lint --synth\n\n\
Exit codes: 0 ok, 1 verification mismatch, 2 input or usage error, 3 external tool failure.\n\
The design format is documented in docs/design-format.md; `snngen explain E0xx` explains a \
diagnostic."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Print the report as JSON on standard output (no progress on standard error); on an
    /// error, the error as JSON there (an invalid design's every problem with its location),
    /// its text still on standard error.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress on standard error (`build` also leaves out its summary lines).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Kill any external tool run (ngspice, Verilator, Icarus, yosys) after this many
    /// seconds and report it as failed [default: 600 for ngspice, 3600 for the others;
    /// also $SNNGEN_TOOL_TIMEOUT].
    #[arg(long, global = true, value_name = "SECONDS")]
    pub tool_timeout: Option<f64>,
    /// File format of the plots a command writes (characterize, mc, eval, sweep, sim
    /// spice): PNG, or SVG for papers (the `.png` files the commands name become `.svg`).
    #[arg(long, global = true, value_enum, default_value_t = crate::support::plot::PlotFormat::Png)]
    pub plot_format: crate::support::plot::PlotFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lower a design into rtl/, spice/, tb/, manifest.json and a FuseSoC .core file.
    ///
    /// The output folder is replaced atomically: on any error the previous output stays as it
    /// was. Same design, same bytes.
    Build(build::Args),
    /// Check a design and report every problem in it; writes nothing.
    Check(check::Args),
    /// List the compiler passes in the order they run.
    Passes,
    /// Explain a diagnostic code (E001 ...), or list them all.
    Explain(explain::Args),
    /// Measure every neuron mode of a design in ngspice and fit the behavioural model to it.
    ///
    /// Per mode: f-I sweep (rate, first-spike latency, spike width, threshold, energy per
    /// spike) at -20, 27 and 85 C. Writes characterization.json, f_i.csv and plots into DIR.
    Characterize(characterize::Args),
    /// Monte-Carlo mismatch and temperature sweep of every neuron instance in ngspice.
    ///
    /// Run 0 is the nominal chip, runs 1..=N are Pelgrom draws (seeded per run and
    /// instance). Rows stream to DIR/results.csv in run order (byte-identical for any --jobs);
    /// --resume continues a killed sweep. Writes summary.json and rate_histogram.png, and the
    /// reference model's prediction of every draw beside the measurement.
    Mc(mc::Args),
    /// Train a design: a TTFS network's crossbar weights on images, or the spoken-digit
    /// readout on a reservoir design's chips.
    ///
    /// TTFS designs (MNIST layout data): exact spike-time gradients, Adam, a validation
    /// split carved from the end of the training split, a model folder (one CSV per layer,
    /// model.json) rewritten with a checkpoint after every epoch (`--resume`).
    ///
    /// Reservoir designs (FSDD): recordings with index 5..9 validate (choose the ridge
    /// penalty, report accuracy; with --validate-speaker NAME every recording of that
    /// speaker), the rest train; the delivered readout is refitted on all of them. Reports
    /// the front end alone under a readout of the same size beside the reservoir. Writes
    /// readout_weights.csv (the design's fixed-point format; `snngen build --weights` puts it
    /// into the RTL) and model.json into DIR.
    Train(train::Args),
    /// Spintronic neurons and STDP synapses of one material stack: `devices` checks their
    /// ngspice macro-models against the model, `learn` trains a network of them on-line.
    ///
    /// A spintronic design (designs/spintronic/spintronic_stdp.yaml) is built with `snngen build` like
    /// any other: the learning core's RTL and testbench, the macro-models and the card.
    Spin(spin::Args),
    /// Classify images or recordings with a trained model and report accuracy.
    ///
    /// TTFS designs: the t10k split of the folder if it is there, else train (`--last N`
    /// for its validation part), on the crossbar's levels; per-class accuracy and spikes per
    /// neuron. Reservoir designs: decisions are the hardware's, the reservoir's spikes
    /// replayed into the cycle-exact FPGA model (bit-exact with the RTL); writes
    /// confusion.png. The last line printed is `accuracy: 0.xxxx`.
    Eval(eval::Args),
    /// Train a design anew at each value of one parameter and tabulate what it reaches.
    Sweep {
        #[command(subcommand)]
        parameter: sweep::Target,
    },
    /// Benchmarks that print a table (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        which: bench::Target,
    },
    /// Simulate generated hardware against the reference model.
    Sim {
        #[command(subcommand)]
        target: sim::Target,
    },
    /// Run one task of a Slurm job array (what `--backend slurm` submits).
    #[command(hide = true)]
    Worker(backend::WorkerArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionArgs),
    /// Print the man page, or write one per command into a folder.
    Man(shell::ManArgs),
}

/// Runs the command line and returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let json = cli.global.json;
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            if json {
                println!("{:#}", e.to_json());
            }
            // Errors quote file names and values the user gave: no control character of
            // theirs reaches the terminal.
            let text: String = e
                .to_string()
                .chars()
                .flat_map(|c| match c {
                    '\n' | '\t' => vec![c],
                    c if c.is_control() => c.escape_default().collect(),
                    c => vec![c],
                })
                .collect();
            eprintln!("{text}");
            e.exit_code()
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    crate::tools::check_timeout_env()?;
    if let Some(seconds) = g.tool_timeout {
        crate::tools::set_timeout_override(seconds)?;
    }
    crate::support::plot::set_format(g.plot_format);
    // Ctrl-C takes the simulators along (they run in process groups of their own).
    let _ = crate::tools::kill_tools_on_interrupt();
    match cli.command {
        Command::Build(a) => build::run(a, g),
        Command::Check(a) => check::run(a, g),
        Command::Passes => passes::run(g),
        Command::Explain(a) => explain::run(a, g),
        Command::Characterize(a) => characterize::run(a, g),
        Command::Spin(a) => spin::run(a, g),
        Command::Mc(a) => mc::run(a, g),
        Command::Train(a) => train::run(a, g),
        Command::Eval(a) => eval::run(a, g),
        Command::Bench { which } => bench::run(which, g),
        Command::Sweep { parameter } => sweep::run(parameter, g),
        Command::Sim { target } => sim::run(target, g),
        Command::Worker(a) => backend::worker(a, g),
        Command::Completions(a) => shell::completions(a),
        Command::Man(a) => shell::man(a),
    }
}

/// Default of every `--jobs`: the cores this process may use (1 when that is unknown).
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every flag and argument of every command, as `command path: argument`, that has no help.
    fn undocumented(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                out.push(format!("{path}: {}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            undocumented(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_command_and_flag_has_help() {
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        let mut missing = Vec::new();
        undocumented(&cmd, "snngen", &mut missing);
        let commands: Vec<String> = cmd
            .get_subcommands()
            .flat_map(|c| std::iter::once(c).chain(c.get_subcommands()))
            .filter(|c| c.get_about().is_none())
            .map(|c| c.get_name().to_string())
            .collect();
        assert!(missing.is_empty(), "flags without help: {missing:?}");
        assert!(commands.is_empty(), "commands without help: {commands:?}");
    }
}
