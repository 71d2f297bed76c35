//! `snngen sim rtl`: the emitted (or a hand-edited) RTL against the cycle-exact reference
//! model. Stimulus is random (seeded) or read from a file; the harness tb/<name>_cosim.sv
//! runs it on Verilator or Icarus, and every output of every cycle is compared.

pub mod cache;
pub mod compare;
pub mod coverage;
pub mod stimulus;

pub use cache::cache_dir;
pub use compare::Divergence;
pub use coverage::Coverage;
pub use stimulus::{check_handshakes, format_stimulus, parse_stimulus, random_run};

use crate::compiler::design::FpgaDevice;
use crate::compiler::{self, Rendered, emit};
use crate::flows::fpga::DeviceSpec;
use crate::model::digital::{BoardOutputs, Inputs, Outputs, Params, SystemModel};
use crate::support::error::{Error, Result, ToolError};
use crate::support::fs::{absolute, read_input, scratch_dir, write};
use crate::support::progress::{Progress, Verbosity, note};
use crate::tools::{self, iverilog, yosys};
use cache::{cached_gate_netlist, cached_verilator_model};
use compare::{compare, count_synapse_events};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simulator {
    Verilator,
    Iverilog,
}

impl Simulator {
    pub fn name(self) -> &'static str {
        match self {
            Simulator::Verilator => "verilator",
            Simulator::Iverilog => "iverilog",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    /// RTL folder to simulate instead of the design's own emitted RTL.
    pub rtl_dir: Option<PathBuf>,
    /// Cycles of random stimulus [default: enough for DEFAULT_DECISIONS readout decisions
    /// on the design, at least 10,000].
    pub cycles: Option<u64>,
    pub seed: u64,
    pub stimulus: Option<PathBuf>,
    /// Where to write a VCD; on a mismatch one is always written (default `<name>_divergence.vcd`).
    pub vcd: Option<PathBuf>,
    pub simulator: Simulator,
    /// Progress on standard error.
    pub verbosity: Verbosity,
    /// Where compiled models are cached (default: `cache_dir()`).
    pub cache_dir: Option<PathBuf>,
    /// Fail (exit 1) when the run left a block idle (see `coverage`).
    pub require_coverage: bool,
    /// Simulate the netlist yosys `synth_ice40` maps the RTL to for this device (over
    /// yosys's iCE40 cell models) instead of the RTL.
    pub gate_level: Option<FpgaDevice>,
    /// Drive the board-level top over its host link instead of the system top.
    pub board: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            rtl_dir: None,
            cycles: None,
            seed: 1,
            stimulus: None,
            vcd: None,
            simulator: Simulator::Verilator,
            verbosity: Verbosity::Quiet,
            cache_dir: None,
            require_coverage: false,
            gate_level: None,
            board: false,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SimReport {
    pub design: String,
    pub simulator: &'static str,
    /// The device whose gate-level netlist ran, if not the RTL.
    pub gate_level: Option<FpgaDevice>,
    /// The board-level top ran, over its host link.
    pub board: bool,
    pub cycles: u64,
    pub seed: u64,
    pub model_cached: bool,
    pub build_seconds: f64,
    pub sim_seconds: f64,
    pub cycles_per_second: f64,
    /// The model's run and the stimulus packed for the harness.
    pub model_seconds: f64,
    /// The harness's trace read back and compared with the model's outputs.
    pub compare_seconds: f64,
    pub synapse_events: u64,
    pub class_decisions: u64,
    /// What the run exercised, and what it left idle.
    pub coverage: Coverage,
    pub divergence: Option<Divergence>,
    pub vcd: Option<String>,
}

/// Cycles before and after a divergence that the VCD covers.
const VCD_BEFORE: u64 = 50;
const VCD_AFTER: u64 = 10;

pub fn sim_rtl(design: &Path, opts: &SimOptions) -> Result<SimReport> {
    let rendered = compiler::render(design)?;
    let params = Params::new(&rendered.compiled, &rendered.verilog);
    let name = rendered.verilog.prefix.clone();

    let Some(hv) = emit::cosim_harness(&rendered.verilog, opts.board) else {
        return Err(Error::Usage(format!(
            "--board: {name} has no host link, so no board-level top (add `fpga.host_link` to the design)"
        )));
    };
    let ports = hv.inputs.iter().map(|p| p.msb + 1).collect();
    let outputs: Vec<String> = hv.outputs.iter().map(|p| p.name.clone()).collect();
    let model_start = Instant::now();
    let run = if opts.board {
        board_stimulus_and_model(opts, &params, ports)?
    } else {
        let (stimulus, expected) = stimulus_and_model(opts, &params)?;
        ModelRun {
            stimulus: stimulus::pack_stimulus(&stimulus, &params, ports).map_err(harness_bug)?,
            text: keep_work().then(|| format_stimulus(&stimulus, &params)),
            resets: stimulus.iter().map(|i| i.rst).collect(),
            expected: Expected::Top(expected),
        }
    };
    let model_seconds = model_start.elapsed().as_secs_f64();
    let cycles = run.resets.len() as u64;
    let tops = run.expected.tops();

    let work = scratch_dir("snngen-sim-")?;
    let (_guard, work) = if keep_work() {
        let kept = work.keep();
        eprintln!("  work folder kept: {}", kept.display());
        (None, kept)
    } else {
        let path = work.path().to_path_buf();
        (Some(work), path)
    };
    let harness = HarnessRun {
        files: harness_files(&rendered, opts, &work)?,
        top: emit::cosim_module(&rendered.verilog, opts.board),
        stimulus: work.join("stimulus.bin"),
        trace: work.join("trace.hex"),
        cycles,
        work,
        opts,
    };
    write(&harness.stimulus, &run.stimulus)?;
    if let Some(text) = &run.text {
        write(&harness.work.join("stimulus.txt"), text)?;
    }
    let mut report = SimReport {
        design: name.clone(),
        simulator: opts.simulator.name(),
        gate_level: opts.gate_level,
        board: opts.board,
        cycles,
        seed: opts.seed,
        model_cached: false,
        build_seconds: 0.0,
        sim_seconds: 0.0,
        cycles_per_second: 0.0,
        model_seconds,
        compare_seconds: 0.0,
        synapse_events: count_synapse_events(&tops),
        class_decisions: tops.iter().filter(|o| o.class_valid).count() as u64,
        coverage: coverage::measure(&params, &run.resets, &tops),
        divergence: None,
        vcd: None,
    };
    note(
        opts.verbosity,
        &format!(
            "simulating {cycles} cycles of {name}{} on {} ...",
            if opts.board { "'s board" } else { "" },
            opts.simulator.name()
        ),
    );
    let trace = harness.run(None, &mut report)?;
    report.cycles_per_second = report.cycles as f64 / report.sim_seconds.max(1e-9);
    let compare_start = Instant::now();
    report.divergence = match &run.expected {
        Expected::Top(o) => compare(&trace, o, &outputs, &params),
        Expected::Board(o) => compare(&trace, o, &outputs, &params),
    }
    .map_err(harness_bug)?;
    report.compare_seconds = compare_start.elapsed().as_secs_f64();

    let vcd_window = match (&report.divergence, &opts.vcd) {
        (Some(d), vcd) => Some((
            vcd.clone()
                .unwrap_or_else(|| PathBuf::from(format!("{name}_divergence.vcd"))),
            d.cycle.saturating_sub(VCD_BEFORE),
            d.cycle + VCD_AFTER,
        )),
        (None, Some(path)) => Some((path.clone(), 0, u64::MAX)),
        (None, None) => None,
    };
    if let Some((path, from, to)) = vcd_window {
        let to = to.min(report.cycles);
        let mut scratch = report.clone();
        harness.run(Some((&path, from, to)), &mut scratch)?;
        report.vcd = Some(path.display().to_string());
    }
    Ok(report)
}

/// SNNGEN_KEEP_WORK=1 keeps the folder with stimulus, trace and harness for debugging, and
/// the stimulus in the text format of `--stimulus` beside the harness's binary one.
fn keep_work() -> bool {
    std::env::var_os("SNNGEN_KEEP_WORK").is_some()
}

/// The generated harness's ports do not fit the model's inputs or outputs: a bug in snngen,
/// not a mismatch of the RTL (exit 3, as a template that fails to render).
fn harness_bug(e: String) -> Error {
    Error::Tool(ToolError::Simulation {
        tool: "snngen".into(),
        message: format!("internal error: the harness's ports do not fit the model: {e}"),
        excerpt: String::new(),
    })
}

/// A co-simulation's stimulus, as the harness reads it, and what the model answered.
struct ModelRun {
    stimulus: Vec<u8>,
    /// The stimulus in the text format, when the work folder is kept.
    text: Option<String>,
    resets: Vec<bool>,
    expected: Expected,
}

/// The model's outputs of the module the harness drives.
enum Expected {
    Top(Vec<Outputs>),
    Board(Vec<BoardOutputs>),
}

impl Expected {
    /// The system top's outputs of every cycle.
    fn tops(&self) -> Vec<&Outputs> {
        match self {
            Expected::Top(o) => o.iter().collect(),
            Expected::Board(o) => o.iter().map(|b| &b.top).collect(),
        }
    }
}

/// One co-simulation's harness: its files, the stimulus written for it and the trace it
/// writes, in a scratch folder.
struct HarnessRun<'a> {
    files: Harness,
    top: String,
    stimulus: PathBuf,
    trace: PathBuf,
    cycles: u64,
    work: PathBuf,
    opts: &'a SimOptions,
}

impl HarnessRun<'_> {
    /// Builds (or takes from the cache) and runs the harness, optionally dumping a VCD of
    /// cycles `from..to`; returns the trace. Build and run times go into `report`.
    fn run(&self, vcd: Option<(&Path, u64, u64)>, report: &mut SimReport) -> Result<String> {
        let opts = self.opts;
        let mut args = vec![
            format!("+stimulus={}", self.stimulus.display()),
            format!("+trace={}", self.trace.display()),
        ];
        if let Some((path, from, to)) = vcd {
            args.push(format!("+vcd={}", absolute(path).display()));
            args.push(format!("+vcd_from={from}"));
            args.push(format!("+vcd_to={to}"));
        }
        note(
            opts.verbosity,
            &format!("building the {} model ...", opts.simulator.name()),
        );
        let build_start = Instant::now();
        let (program, args) = self.build(vcd.is_some(), args, report)?;
        report.build_seconds = build_start.elapsed().as_secs_f64();
        let sim_start = Instant::now();
        self.simulate(&program, &args)?;
        report.sim_seconds = sim_start.elapsed().as_secs_f64();
        std::fs::read_to_string(&self.trace).map_err(|e| {
            Error::Tool(ToolError::Simulation {
                tool: opts.simulator.name().into(),
                message: format!("the harness wrote no readable trace: {e}"),
                excerpt: String::new(),
            })
        })
    }

    /// The program that runs the harness and its arguments.
    fn build(
        &self,
        trace: bool,
        args: Vec<String>,
        report: &mut SimReport,
    ) -> Result<(PathBuf, Vec<String>)> {
        let files = &self.files;
        match self.opts.simulator {
            Simulator::Verilator => {
                let cache = self.opts.cache_dir.clone().unwrap_or_else(cache_dir);
                let (exe, cached) = cached_verilator_model(
                    &files.paths,
                    &files.contents,
                    &self.top,
                    trace,
                    files.verilator_flags,
                    &cache,
                )?;
                report.model_cached = cached;
                Ok((exe, args))
            }
            Simulator::Iverilog => {
                let image = iverilog::compile_with(
                    &files.paths,
                    &self.top,
                    &self.work,
                    files.iverilog_flags,
                )?;
                let mut a = vec!["-n".to_string(), image.display().to_string()];
                a.extend(args);
                Ok((tools::find("vvp")?, a))
            }
        }
    }

    /// Runs the simulation under the watchdog, with its progress on a bar.
    fn simulate(&self, program: &Path, args: &[String]) -> Result<()> {
        let opts = self.opts;
        let progress = Progress::new(opts.verbosity, "cycles simulated", self.cycles);
        let limit = watchdog(opts.simulator, self.cycles);
        let ran = tools::run_streaming_limited(program, args, &self.work, limit, |line| {
            if let Some(Ok(n)) = line.strip_prefix("cosim: cycle ").map(|n| n.trim().parse()) {
                progress.set(n);
            }
        });
        drop(progress);
        if let Err(ToolError::Timeout { seconds, .. }) = &ran {
            // A simulation that stops advancing (a design that spins, a hung simulator) is
            // a failure of what is simulated: where it got to is in its trace.
            let reached = std::fs::read_to_string(&self.trace).map_or(0, |t| t.lines().count());
            return Err(Error::Mismatch(format!(
                "{} stopped advancing: killed after {seconds} s at cycle {reached} of {}",
                opts.simulator.name(),
                self.cycles
            )));
        }
        ran?;
        Ok(())
    }
}

/// Readout decisions a run with the default length aims for.
pub const DEFAULT_DECISIONS: u64 = 4;
/// Fewest cycles of a default run.
pub const MIN_DEFAULT_CYCLES: u64 = 10_000;
/// Most cycles of one co-simulation: the stimulus and the model's outputs are kept in
/// memory (about half a kilobyte a cycle for six_chip).
pub const MAX_CYCLES: u64 = 2_000_000;

/// The stimulus (random, or read from the file the options name) and the model's outputs
/// for it, refused when it is empty or too long.
fn stimulus_and_model(opts: &SimOptions, params: &Params) -> Result<(Vec<Inputs>, Vec<Outputs>)> {
    match &opts.stimulus {
        Some(_) if params.shared_bus => Err(Error::Usage(
            "--stimulus drives each chip's own AER bus; this design shares one bus among its chips \
             (fpga.aer_bus: shared), so its runs use random traffic (drop --stimulus)"
                .into(),
        )),
        Some(path) => {
            let text = read_input(path)?;
            let inputs = parse_stimulus(&text, params, MAX_CYCLES)
                .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            if inputs.is_empty() || inputs.len() as u64 > MAX_CYCLES {
                return Err(Error::Usage(format!(
                    "{}: {} cycles; a stimulus has 1 to {MAX_CYCLES}",
                    path.display(),
                    inputs.len()
                )));
            }
            let mut model = SystemModel::new(params.clone());
            let expected: Vec<Outputs> = inputs.iter().map(|i| model.cycle(i)).collect();
            stimulus::check_handshakes(params, &inputs, &expected)
                .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            Ok((inputs, expected))
        }
        None => Ok(random_run(params, default_cycles(opts, params)?, opts.seed)),
    }
}

/// Random stimulus of the board-level top and the model's outputs (a stimulus file holds
/// the system top's inputs, so `--board` takes none).
fn board_stimulus_and_model(
    opts: &SimOptions,
    params: &Params,
    ports: Vec<u32>,
) -> Result<ModelRun> {
    if opts.stimulus.is_some() {
        return Err(Error::Usage(
            "--board runs random host-link traffic; --stimulus files drive the system top (drop one of the two)".into(),
        ));
    }
    let cycles = default_cycles(opts, params)?;
    let (inputs, expected) = stimulus::random_board_run(params, cycles, opts.seed);
    Ok(ModelRun {
        stimulus: stimulus::pack_board_stimulus(&inputs, ports).map_err(harness_bug)?,
        text: keep_work().then(|| stimulus::format_board_stimulus(&inputs)),
        resets: inputs.iter().map(|i| i.rst).collect(),
        expected: Expected::Board(expected),
    })
}

/// The cycles of a random run: `--cycles`, or enough for the default decisions.
fn default_cycles(opts: &SimOptions, params: &Params) -> Result<u64> {
    // The default is held to the maximum: a design with frames of more than half a
    // million cycles then reaches fewer decisions (the coverage line says so).
    let cycles = opts.cycles.unwrap_or_else(|| {
        coverage::cycles_for_decisions(params, DEFAULT_DECISIONS)
            .clamp(MIN_DEFAULT_CYCLES, MAX_CYCLES)
    });
    if !(1..=MAX_CYCLES).contains(&cycles) {
        return Err(Error::Usage(format!(
            "--cycles {cycles}: a co-simulation runs 1 to {MAX_CYCLES} cycles"
        )));
    }
    Ok(cycles)
}

/// How long a simulation of `cycles` may run before it counts as stopped: the tool timeout
/// when one is set, else a minute plus the cycles at 10,000 cycles/s on Verilator, 40 on
/// Icarus (on six_chip: Verilator about 300k cycles/s on the RTL and 23k on the gate-level
/// netlist, Icarus about 400).
fn watchdog(simulator: Simulator, cycles: u64) -> std::time::Duration {
    let slowest_cycles_per_s = match simulator {
        Simulator::Verilator => 10_000.0,
        Simulator::Iverilog => 40.0,
    };
    tools::timeout_override().unwrap_or_else(|| {
        std::time::Duration::from_secs_f64(60.0 + cycles as f64 / slowest_cycles_per_s)
    })
}

/// The RTL to simulate (the design's or `rtl_dir`'s) plus the co-simulation harness, written
/// into `work`; returns their absolute paths.
/// The files a co-simulation compiles: where they were written and what they hold.
struct Harness {
    paths: Vec<PathBuf>,
    contents: Vec<String>,
    /// Extra Verilator and Icarus flags the files need.
    verilator_flags: &'static [&'static str],
    iverilog_flags: &'static [&'static str],
}

fn harness_files(r: &Rendered, opts: &SimOptions, work: &Path) -> Result<Harness> {
    let rtl_dir = opts.rtl_dir.as_deref();
    let harness_path = if opts.board {
        emit::board_cosim_path(&r.verilog)
    } else {
        emit::cosim_path(&r.verilog)
    };
    let mut files = Harness {
        paths: Vec::new(),
        contents: Vec::new(),
        verilator_flags: &[],
        iverilog_flags: &[],
    };
    for f in &r.files {
        let is_rtl = f.path.starts_with("rtl/");
        if !(is_rtl || f.path == harness_path) {
            continue;
        }
        let path = work.join(&f.path);
        let contents = match rtl_dir {
            Some(dir) if is_rtl => {
                let name = Path::new(&f.path).file_name().unwrap_or_default();
                let candidates = [dir.join("rtl").join(name), dir.join(name)];
                let found = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
                    Error::Usage(format!(
                        "--rtl {}: no {} in it (expected the rtl/ folder of a build, or its parent)",
                        dir.display(),
                        name.to_string_lossy()
                    ))
                })?;
                read_input(found)?
            }
            _ => f.contents.clone(),
        };
        if let Some(parent) = path.parent() {
            crate::support::fs::create_dir(parent)?;
        }
        write(&path, &contents)?;
        files.paths.push(path);
        files.contents.push(contents);
    }
    let top = if opts.board {
        r.verilog.hardware_top()
    } else {
        format!("{}_top", r.verilog.prefix)
    };
    match opts.gate_level {
        Some(device) => gate_level_files(files, &top, device, work, opts),
        None => Ok(files),
    }
}

/// The harness over the gate-level netlist of the RTL in `files`: yosys maps the RTL as
/// `build --fpga` does and writes it as Verilog over the iCE40 cell library, whose
/// simulation models (shipped with yosys) join the files.
fn gate_level_files(
    rtl: Harness,
    top: &str,
    device: FpgaDevice,
    work: &Path,
    opts: &SimOptions,
) -> Result<Harness> {
    let (rtl_files, harness): (Vec<_>, Vec<_>) = rtl
        .paths
        .into_iter()
        .zip(rtl.contents)
        .partition(|(p, _)| p.extension().is_some_and(|e| e == "v"));
    let (paths, contents): (Vec<PathBuf>, Vec<String>) = rtl_files.into_iter().unzip();
    let dsp = DeviceSpec::of(device).dsp;
    let cache = opts.cache_dir.clone().unwrap_or_else(cache_dir);
    let netlist = cached_gate_netlist(&paths, &contents, top, dsp, work, &cache, || {
        let what = format!(
            "synthesizing {top} for the {} with yosys ...",
            device.name()
        );
        note(opts.verbosity, &what);
    })?;
    let cells = yosys::ice40_cell_models()?;
    let mut files = Harness {
        paths: Vec::new(),
        contents: Vec::new(),
        verilator_flags: yosys::ICE40_CELL_VERILATOR_FLAGS,
        iverilog_flags: yosys::ICE40_CELL_IVERILOG_FLAGS,
    };
    for path in [netlist, cells] {
        files.contents.push(read_input(&path)?);
        files.paths.push(path);
    }
    for (path, contents) in harness {
        files.paths.push(path);
        files.contents.push(contents);
    }
    Ok(files)
}
