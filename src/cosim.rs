//! `snngen sim rtl`: the emitted (or a hand-edited) RTL against the cycle-exact reference
//! model. Stimulus is random (seeded) or read from a file; the harness tb/<name>_cosim.sv
//! runs it on Verilator or Icarus, and every output of every cycle is compared.

use crate::build::{self, Rendered};
use crate::emit::{self, sha256_hex};
use crate::error::{Error, Result};
use crate::reference::digital::{ChipInputs, Inputs, Outputs, Params, SystemModel};
use crate::runner::{self, ToolError, iverilog, verilator};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    pub cycles: u64,
    pub seed: u64,
    pub stimulus: Option<PathBuf>,
    /// Where to write a VCD; on a mismatch one is always written (default `<name>_divergence.vcd`).
    pub vcd: Option<PathBuf>,
    pub simulator: Simulator,
    /// Print progress lines on stderr.
    pub progress: bool,
    /// Where compiled models are cached (default: `cache_dir()`).
    pub cache_dir: Option<PathBuf>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            rtl_dir: None,
            cycles: 10_000,
            seed: 1,
            stimulus: None,
            vcd: None,
            simulator: Simulator::Verilator,
            progress: false,
            cache_dir: None,
        }
    }
}

/// The first output that differs from the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Divergence {
    pub cycle: u64,
    pub signal: String,
    pub expected: String,
    pub got: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SimReport {
    pub design: String,
    pub simulator: &'static str,
    pub cycles: u64,
    pub seed: u64,
    pub model_cached: bool,
    pub build_seconds: f64,
    pub sim_seconds: f64,
    pub cycles_per_second: f64,
    pub model_seconds: f64,
    pub synapse_events: u64,
    pub class_decisions: u64,
    pub divergence: Option<Divergence>,
    pub vcd: Option<String>,
}

/// Cycles before and after a divergence that the VCD covers.
const VCD_BEFORE: u64 = 50;
const VCD_AFTER: u64 = 10;

pub fn sim_rtl(design: &Path, opts: &SimOptions) -> Result<SimReport> {
    let rendered = build::render(design)?;
    let params = Params::new(&rendered.compiled, &rendered.verilog);
    let name = rendered.verilog.prefix.clone();

    let model_start = Instant::now();
    let (stimulus, expected) = match &opts.stimulus {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::Usage(format!("cannot read stimulus {}: {e}", path.display()))
            })?;
            let inputs = parse_stimulus(&text, &params)
                .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            let mut model = SystemModel::new(params.clone());
            let expected = inputs.iter().map(|i| model.cycle(i)).collect();
            (inputs, expected)
        }
        None => random_run(&params, opts.cycles, opts.seed),
    };
    let model_seconds = model_start.elapsed().as_secs_f64();

    let work = tempfile::Builder::new()
        .prefix("snngen-sim-")
        .tempdir()
        .map_err(|source| Error::Output {
            path: std::env::temp_dir(),
            source,
        })?;
    // SNNGEN_KEEP_WORK=1 keeps the folder with stimulus, trace and harness for debugging.
    let (_guard, work) = if std::env::var_os("SNNGEN_KEEP_WORK").is_some() {
        let kept = work.keep();
        eprintln!("  work folder kept: {}", kept.display());
        (None, kept)
    } else {
        let path = work.path().to_path_buf();
        (Some(work), path)
    };
    let files = harness_files(&rendered, opts.rtl_dir.as_deref(), &work)?;
    let stimulus_path = work.join("stimulus.hex");
    write_file(&stimulus_path, &format_stimulus(&stimulus, &params))?;
    let trace_path = work.join("trace.hex");

    let top = format!("{name}_cosim");
    let mut report = SimReport {
        design: name.clone(),
        simulator: opts.simulator.name(),
        cycles: stimulus.len() as u64,
        seed: opts.seed,
        model_cached: false,
        build_seconds: 0.0,
        sim_seconds: 0.0,
        cycles_per_second: 0.0,
        model_seconds,
        synapse_events: count_synapse_events(&expected),
        class_decisions: expected.iter().filter(|o| o.class_valid).count() as u64,
        divergence: None,
        vcd: None,
    };
    let run = |vcd: Option<(&Path, u64, u64)>, report: &mut SimReport| -> Result<String> {
        let mut args = vec![
            format!("+stimulus={}", stimulus_path.display()),
            format!("+trace={}", trace_path.display()),
        ];
        if let Some((path, from, to)) = vcd {
            args.push(format!("+vcd={}", build::absolute(path).display()));
            args.push(format!("+vcd_from={from}"));
            args.push(format!("+vcd_to={to}"));
        }
        let build_start = Instant::now();
        let exe = match opts.simulator {
            Simulator::Verilator => {
                let cache = opts.cache_dir.clone().unwrap_or_else(cache_dir);
                let (exe, cached) = cached_verilator_model(&files, &top, vcd.is_some(), &cache)?;
                report.model_cached = cached;
                exe
            }
            Simulator::Iverilog => iverilog::compile(&files, &top, &work)?,
        };
        report.build_seconds = build_start.elapsed().as_secs_f64();
        let (program, args) = match opts.simulator {
            Simulator::Verilator => (exe, args),
            Simulator::Iverilog => {
                let mut a = vec!["-n".to_string(), exe.display().to_string()];
                a.extend(args);
                (runner::find("vvp")?, a)
            }
        };
        let total = stimulus.len();
        let progress = opts.progress;
        let sim_start = Instant::now();
        runner::run_streaming(&program, &args, &work, |line| {
            if progress && let Some(n) = line.strip_prefix("cosim: cycle ") {
                eprintln!("  simulated {n} of {total} cycles");
            }
        })?;
        report.sim_seconds = sim_start.elapsed().as_secs_f64();
        std::fs::read_to_string(&trace_path).map_err(|source| Error::Output {
            path: trace_path.clone(),
            source,
        })
    };
    if opts.progress {
        eprintln!(
            "  simulating {} cycles of {name} on {} ...",
            stimulus.len(),
            opts.simulator.name()
        );
    }
    let trace = run(None, &mut report)?;
    report.cycles_per_second = report.cycles as f64 / report.sim_seconds.max(1e-9);
    report.divergence = compare(&trace, &expected, &params);

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
        run(Some((&path, from, to)), &mut scratch)?;
        report.vcd = Some(path.display().to_string());
    }
    Ok(report)
}

/// The RTL to simulate (the design's or `rtl_dir`'s) plus the co-simulation harness, written
/// into `work`; returns their absolute paths.
fn harness_files(r: &Rendered, rtl_dir: Option<&Path>, work: &Path) -> Result<Vec<PathBuf>> {
    let harness_path = emit::cosim_path(&r.verilog);
    let mut files = Vec::new();
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
                std::fs::read_to_string(found).map_err(|source| Error::Output {
                    path: found.clone(),
                    source,
                })?
            }
            _ => f.contents.clone(),
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Output {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        write_file(&path, &contents)?;
        files.push(path);
    }
    Ok(files)
}

fn write_file(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents).map_err(|source| Error::Output {
        path: path.to_path_buf(),
        source,
    })
}

/// Where compiled simulation models are kept: `$SNNGEN_CACHE_DIR`, else `~/.cache/snngen`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SNNGEN_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache/snngen"),
        None => std::env::temp_dir().join("snngen-cache"),
    }
}

/// A Verilator model of `files`, compiled once per content hash and kept in the cache.
/// Returns the executable and whether it came from the cache.
fn cached_verilator_model(
    files: &[PathBuf],
    top: &str,
    trace: bool,
    cache: &Path,
) -> Result<(PathBuf, bool)> {
    let mut key = format!("verilator-binary-v1 top={top} trace={trace}\n");
    for f in files {
        let text = std::fs::read(f).map_err(|source| Error::Output {
            path: f.clone(),
            source,
        })?;
        let _ = writeln!(
            key,
            "{} {}",
            f.file_name().unwrap_or_default().to_string_lossy(),
            sha256_hex(&text)
        );
    }
    let root = cache.join("verilator");
    let slot = root.join(&sha256_hex(key.as_bytes())[..24]);
    let exe = slot.join(format!("V{top}"));
    if exe.is_file() {
        return Ok((exe, true));
    }
    std::fs::create_dir_all(&root).map_err(|source| Error::Output {
        path: root.clone(),
        source,
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(&root)
        .map_err(|source| Error::Output {
            path: root.clone(),
            source,
        })?;
    let mdir = staging.path().join("obj");
    let extra: &[&str] = if trace { &["--trace"] } else { &[] };
    verilator::build_binary_with(files, top, &mdir, extra)?;
    // Keep only the executable; a concurrent build of the same key may have won the race.
    let built = mdir.join(format!("V{top}"));
    let keep = staging.path().join("keep");
    std::fs::create_dir_all(&keep).map_err(|source| Error::Output {
        path: keep.clone(),
        source,
    })?;
    std::fs::rename(&built, keep.join(format!("V{top}"))).map_err(|source| Error::Output {
        path: built.clone(),
        source,
    })?;
    if std::fs::rename(&keep, &slot).is_err() && !exe.is_file() {
        return Err(Error::Tool(ToolError::Simulation {
            tool: "verilator".into(),
            message: format!("could not store the compiled model in {}", slot.display()),
            excerpt: String::new(),
        }));
    }
    Ok((exe, false))
}

/// Random stimulus for `cycles` cycles, generated together with the model's outputs: the chip
/// responders follow the four-phase protocol against the model's own acks and requests.
pub fn random_run(p: &Params, cycles: u64, seed: u64) -> (Vec<Inputs>, Vec<Outputs>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Per-run activity levels, so that seeds cover both sparse and saturated traffic.
    let p_valid = rng.random_range(0.02..0.6);
    let p_event = rng.random_range(0.01..0.5);
    let p_handshake = rng.random_range(0.3..1.0);
    let p_reset = if rng.random_bool(0.3) { 2e-4 } else { 0.0 };
    let mut model = SystemModel::new(p.clone());
    let mut chips = vec![ChipInputs::default(); p.chip_sources.len()];
    let mut last = model.outputs();
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for cycle in 0..cycles {
        for (k, c) in chips.iter_mut().enumerate() {
            let out = last.chips[k];
            if !c.req && !out.ack && rng.random_bool(p_event) {
                c.req = true;
                // Mostly real neurons; sometimes an address past the chip's last source.
                c.addr = if rng.random_bool(0.95) {
                    rng.random_range(0..p.chip_sources[k])
                } else {
                    rng.random_range(0..(1u32 << p.src_w))
                };
            } else if c.req && out.ack && rng.random_bool(p_handshake) {
                c.req = false;
            }
            if out.syn_req != c.syn_ack && rng.random_bool(p_handshake) {
                c.syn_ack = out.syn_req;
            }
        }
        let i = Inputs {
            rst: cycle < 3 || rng.random_bool(p_reset),
            in_valid: rng.random_bool(p_valid),
            samples: (0..p.channels)
                .map(|_| rng.random_range(0..(1u32 << p.sample_bits)))
                .collect(),
            chips: chips.clone(),
        };
        last = model.cycle(&i);
        inputs.push(i);
        outputs.push(last.clone());
    }
    (inputs, outputs)
}

fn count_synapse_events(outputs: &[Outputs]) -> u64 {
    let mut prev: Option<&Outputs> = None;
    let mut n = 0;
    for o in outputs {
        for (k, c) in o.chips.iter().enumerate() {
            let was = prev.is_some_and(|p| p.chips[k].syn_req);
            if c.syn_req && !was {
                n += 1;
            }
        }
        prev = Some(o);
    }
    n
}

/// Hex of `values`, each `bits` wide, value 0 in the least significant bits, without
/// leading zeros (`%h` reads any width; idle cycles of a wide encoder stay one digit).
fn pack_hex(values: &[u32], bits: u32) -> String {
    let total = values.len() as u32 * bits;
    let bit = |i: u32| (values[(i / bits) as usize] >> (i % bits)) & 1;
    let hex: String = (0..total.div_ceil(4))
        .rev()
        .map(|n| {
            let v = (0..4)
                .filter(|b| n * 4 + b < total && bit(n * 4 + b) == 1)
                .fold(0, |acc, b| acc | (1 << b));
            char::from_digit(v, 16).unwrap()
        })
        .collect();
    match hex.trim_start_matches('0') {
        "" => "0".to_string(),
        digits => digits.to_string(),
    }
}

fn unpack_hex(text: &str, count: usize, bits: u32) -> std::result::Result<Vec<u32>, String> {
    let mut values = vec![0u32; count];
    for (n, ch) in text.chars().rev().enumerate() {
        let d = ch
            .to_digit(16)
            .ok_or_else(|| format!("`{text}` is not hex"))?;
        for b in 0..4 {
            let i = n as u32 * 4 + b;
            if d >> b & 1 == 1 {
                if i >= count as u32 * bits {
                    return Err(format!(
                        "`{text}` is wider than {} bits",
                        count as u32 * bits
                    ));
                }
                values[(i / bits) as usize] |= 1 << (i % bits);
            }
        }
    }
    Ok(values)
}

/// One line per cycle: `rst in_valid in_data` then `req addr syn_ack` per chip, all hex.
pub fn format_stimulus(inputs: &[Inputs], p: &Params) -> String {
    let mut s = String::new();
    for i in inputs {
        let _ = write!(
            s,
            "{:x} {:x} {}",
            i.rst as u8,
            i.in_valid as u8,
            pack_hex(&i.samples, p.sample_bits)
        );
        for c in &i.chips {
            let _ = write!(s, " {:x} {:x} {:x}", c.req as u8, c.addr, c.syn_ack as u8);
        }
        s.push('\n');
    }
    s
}

pub fn parse_stimulus(text: &str, p: &Params) -> std::result::Result<Vec<Inputs>, String> {
    let fields = 3 + 3 * p.chip_sources.len();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() != fields {
                return Err(format!(
                    "line {}: {} fields, expected {fields}",
                    n + 1,
                    f.len()
                ));
            }
            let num = |s: &str| {
                u32::from_str_radix(s, 16).map_err(|_| format!("line {}: `{s}` is not hex", n + 1))
            };
            let chips = f[3..]
                .chunks(3)
                .map(|c| {
                    Ok(ChipInputs {
                        req: num(c[0])? & 1 == 1,
                        addr: num(c[1])? & ((1u64 << p.src_w) - 1) as u32,
                        syn_ack: num(c[2])? & 1 == 1,
                    })
                })
                .collect::<std::result::Result<_, String>>()?;
            Ok(Inputs {
                rst: num(f[0])? & 1 == 1,
                in_valid: num(f[1])? & 1 == 1,
                samples: unpack_hex(f[2], p.channels, p.sample_bits)
                    .map_err(|e| format!("line {}: {e}", n + 1))?,
                chips,
            })
        })
        .collect()
}

/// Output fields of a trace line, named as in the harness.
fn output_fields(o: &Outputs, chip_names: &[String]) -> Vec<(String, u64)> {
    let mut v = Vec::new();
    for (c, name) in o.chips.iter().zip(chip_names) {
        v.push((format!("{name}_ack"), c.ack as u64));
        v.push((format!("{name}_syn_req"), c.syn_req as u64));
        v.push((format!("{name}_syn_addr"), c.syn_addr as u64));
    }
    v.push(("class_valid".into(), o.class_valid as u64));
    v.push(("class_out".into(), o.class_out as u64));
    v.push(("class_score".into(), o.class_score));
    v
}

/// The first cycle and signal where the simulator's trace differs from the model.
fn compare(trace: &str, expected: &[Outputs], p: &Params) -> Option<Divergence> {
    let names = &p.chip_names;
    let mut lines = trace.lines();
    for (cycle, want) in expected.iter().enumerate() {
        let fields = output_fields(want, names);
        let Some(line) = lines.next() else {
            return Some(Divergence {
                cycle: cycle as u64,
                signal: "(trace)".into(),
                expected: "a line of outputs".into(),
                got: "end of trace".into(),
            });
        };
        let got: Vec<&str> = line.split_whitespace().collect();
        for (k, (signal, value)) in fields.iter().enumerate() {
            let g = got.get(k).copied().unwrap_or("(missing)");
            if u64::from_str_radix(g, 16).ok() != Some(*value) {
                return Some(Divergence {
                    cycle: cycle as u64,
                    signal: signal.clone(),
                    expected: format!("{value:#x}"),
                    got: u64::from_str_radix(g, 16).map_or(g.to_string(), |v| format!("{v:#x}")),
                });
            }
        }
    }
    None
}
