//! Grammar-aware fuzzing of the whole compiler (loader, validation, passes, lowering,
//! rendering, the name check), on stable Rust: designs from designs/ and designs/errors/
//! mutated line by line and value by value with hostile values, seeded.
//!
//! The invariant: every input either renders (and then a sample of the accepted ones is
//! linted by Verilator) or is refused with diagnostics that each name a line and column;
//! never a panic, never a case slower than 10 s (the largest designs within the limits
//! render in about 2 s).
//!
//! Short run in the suite (`SNNGEN_FUZZ_CASES`, default 1500, seed `SNNGEN_FUZZ_SEED`);
//! the long run of README: `SNNGEN_FUZZ_CASES=100000 cargo test --release --test suite fuzz::`.

use crate::common;

use common::{require_tool, root};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snngen::Error;
use snngen::compiler::design::load_design_str;
use snngen::compiler::render_loaded;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

/// Numbers that have broken validators and code generators ...
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "3",
    "7",
    "4294967295",
    "4294967296",
    "-4294967296",
    "18446744073709551615",
    "1e308",
    "-1e308",
    "5e-324",
    ".nan",
    ".inf",
    "-.inf",
    "0.5",
    "-0.5",
    "65536",
    "4097",
    "4096",
    "257",
    "256",
    "65",
    "64",
    "1000000",
    "0.001",
    "1e-9",
];
/// ... and everything else: names, endpoints, formats, YAML features.
const OTHERS: &[&str] = &[
    "''",
    "\"\"",
    "~",
    "null",
    "true",
    "[]",
    "{}",
    "[[]]",
    "input[4294967295]",
    "input[0..0]",
    "input[3..1]",
    "input[0..4294967295]",
    "chip0.lif[0..4294967295]",
    "a.b.c.d",
    "\"\\e[2J\"",
    "\"x\\n.control\"",
    "encoder",
    "router",
    "readout",
    "Regular",
    "regular",
    "leaky",
    "a_syn",
    "u_x",
    "s_x",
    "&anchor 1",
    "*anchor",
    "!!binary aGk=",
    "Q16.16",
    "Q0.0",
    "Q1.15",
    "Q99.99",
    "\"\u{202e}evil\"",
    "all_to_all",
    "one_to_one",
    "chip0",
    "x",
    "input",
    "a.exc",
    "b.exc[0..8]",
    "chip0.tile0.out",
    "chip0.tile0.in[0..4]",
];

/// A hostile replacement for `old`: a number for a number, mostly.
fn hostile(old: &str, rng: &mut ChaCha8Rng) -> &'static str {
    let numeric = old.trim().parse::<f64>().is_ok();
    let list = if numeric == rng.random_bool(0.85) {
        NUMBERS
    } else {
        OTHERS
    };
    list[rng.random_range(0..list.len())]
}

fn corpus() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["designs", "designs/errors"] {
        let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            out.push((format!("{dir}/fuzz.yaml"), text));
        }
    }
    out
}

/// A `key: value` or `- value` whose value is a scalar (group 2).
static SCALAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(\w+: |- )([^,{}\[\]\s#][^,{}\[\]#]*?)\s*(?:[,}\]]|$)").unwrap()
});

/// One mutation of `text`: a value replaced, a line deleted, doubled, moved or re-indented,
/// bytes inserted, the file cut short.
fn mutate(text: &str, rng: &mut ChaCha8Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    let k = rng.random_range(0..lines.len());
    match rng.random_range(0..10) {
        0..=3 => {
            // One scalar value (`key: value`, in block or flow style, or a list item)
            // replaced by a hostile one; the structure around it stays.
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| SCALAR.is_match(&lines[i]))
                .collect();
            if let Some(&i) = candidates.get(rng.random_range(0..candidates.len().max(1))) {
                let spots: Vec<_> = SCALAR.captures_iter(&lines[i]).collect();
                let m = spots[rng.random_range(0..spots.len())].get(2).unwrap();
                let (a, b) = (m.start(), m.end());
                let value = hostile(m.as_str(), rng);
                lines[i] = format!("{}{value}{}", &lines[i][..a], &lines[i][b..]);
            }
        }
        4 => {
            lines.remove(k);
        }
        5 => {
            let l = lines[k].clone();
            lines.insert(k, l);
        }
        6 => {
            let l = lines.remove(k);
            let to = rng.random_range(0..=lines.len());
            lines.insert(to, l);
        }
        7 => {
            let indent = " ".repeat(rng.random_range(0..8));
            lines[k] = format!("{indent}{}", lines[k].trim_start());
        }
        8 => {
            let pos = rng.random_range(0..=lines[k].len());
            let pos = (0..=pos)
                .rev()
                .find(|&p| lines[k].is_char_boundary(p))
                .unwrap_or(0);
            let junk: String = (0..rng.random_range(1..6))
                .map(|_| {
                    [
                        '[', ']', '{', '}', ':', ',', '#', '&', '*', '"', '\'', '\t', '\u{0}',
                        '\u{1b}',
                    ][rng.random_range(0..14)]
                })
                .collect();
            lines[k].insert_str(pos, &junk);
        }
        _ => lines.truncate(k),
    }
    lines.join("\n")
}

/// What one input did.
enum Outcome {
    Accepted(Box<snngen::compiler::Rendered>),
    Refused,
}

/// Runs the compiler on one input and checks the invariant (a panic is caught and failed).
fn run_one(file: &str, text: &str) -> Result<Outcome, String> {
    let start = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        load_design_str(file, text)
            .map_err(Error::Input)
            .and_then(render_loaded)
    }));
    // The largest designs within the limits build in about 2 s: 10 s is a hang.
    if start.elapsed() > Duration::from_secs(10) {
        return Err(format!("took {:?}", start.elapsed()));
    }
    match result {
        Err(_) => Err("panicked".into()),
        Ok(Ok(r)) => Ok(Outcome::Accepted(Box::new(r))),
        Ok(Err(Error::Input(d))) => {
            let lines = text.lines().count().max(1);
            match d
                .items
                .iter()
                .find(|i| i.position.is_none_or(|(l, _)| l > lines + 1))
            {
                Some(i) => Err(format!("a diagnostic without a location: {}", i.message)),
                None => Ok(Outcome::Refused),
            }
        }
        Ok(Err(e)) => Err(format!("not an input error: {e}")),
    }
}

/// Verilator lints the RTL of an accepted input.
fn tools_accept(r: &snngen::compiler::Rendered) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for f in &r.files {
        let path = dir.path().join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.contents).unwrap();
    }
    let files = snngen::flows::build::rtl_files(dir.path(), &r.verilog);
    let top = format!("{}_top", r.verilog.prefix);
    snngen::tools::verilator::lint(&files, &top, dir.path()).map_err(|e| e.to_string())?;
    Ok(())
}

/// One fuzz input: a corpus design (mostly a valid one, whose mutants reach the semantic
/// checks and the lowering) with one to four mutations: its file name, its text before the
/// mutations and after.
fn mutant<'a>(corpus: &'a [(String, String)], rng: &mut ChaCha8Rng) -> (&'a str, &'a str, String) {
    let valid = corpus.iter().filter(|(f, _)| !f.contains("errors")).count();
    let pick = if rng.random_bool(0.8) {
        rng.random_range(0..valid)
    } else {
        rng.random_range(0..corpus.len())
    };
    let (file, base) = &corpus[pick];
    let mut text = base.clone();
    let mutations = if rng.random_bool(0.7) {
        1
    } else {
        rng.random_range(2..5)
    };
    for _ in 0..mutations {
        text = mutate(&text, rng);
    }
    (file, base, text)
}

/// Cases whose accepted designs may be sampled for Verilator's lint (about one case in ten is
/// accepted, one in twenty of those sampled: some eight lints in the default run, a second or
/// two each), so that a long run lints no more.
const LINTED_CASES: usize = 2000;

/// What became of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tally {
    Accepted,
    Linted,
    Refused,
}

#[test]
fn mutated_designs_render_or_are_refused_with_a_location() {
    let cases: usize = std::env::var("SNNGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let seed: u64 = std::env::var("SNNGEN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let lint = require_tool("verilator");
    let corpus = corpus();
    let start = Instant::now();
    // Case k draws from its own stream of the seed, so it reads the same whichever core
    // takes it, and a failing case stops both cores at once.
    let cases_list: Vec<usize> = (0..cases).collect();
    let outcomes = common::on_two_cores(&cases_list, |&case| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(case as u64);
        let (file, base, text) = mutant(&corpus, &mut rng);
        match run_one(file, &text) {
            Ok(Outcome::Accepted(r)) => {
                // A sample of the accepted outputs among the first cases goes through
                // Verilator's lint.
                let sampled = case < LINTED_CASES && rng.random_bool(0.05);
                if lint && sampled && !base.contains("count: 4096") {
                    if let Err(e) = tools_accept(&r) {
                        panic!(
                            "case {case} (seed {seed}) was accepted but Verilator rejects it: {e}\n--- input ---\n{text}"
                        );
                    }
                    return Tally::Linted;
                }
                Tally::Accepted
            }
            Ok(Outcome::Refused) => {
                if std::env::var_os("SNNGEN_FUZZ_SHOW").is_some() && case < 40 {
                    let e = load_design_str(file, &text)
                        .map_err(Error::Input)
                        .and_then(render_loaded)
                        .unwrap_err();
                    println!(
                        "--- case {case}: {}",
                        e.to_string().lines().next().unwrap_or("")
                    );
                }
                Tally::Refused
            }
            Err(why) => panic!("case {case} (seed {seed}): {why}\n--- input ---\n{text}"),
        }
    });
    let count = |t: &[Tally]| outcomes.iter().filter(|o| t.contains(o)).count();
    let accepted = count(&[Tally::Accepted, Tally::Linted]);
    let (refused, linted) = (count(&[Tally::Refused]), count(&[Tally::Linted]));
    println!(
        "fuzz: {cases} inputs (seed {seed}) in {:.1} s: {accepted} rendered ({linted} linted \
         by Verilator), {refused} refused with locations, 0 panics",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(accepted + refused, cases);
    // The default run (seed 1 lints 10) must reach Verilator, or the lint sample is dead.
    if lint && cases >= 1500 {
        assert!(linted > 0, "no accepted design was linted");
    }
}
