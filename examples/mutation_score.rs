//! How much of six_chip's FPGA side `snngen sim rtl` checks with its default options: seeded
//! mutants of the router, chip interface and readout RTL (one operator or constant changed
//! each), each simulated with `sim rtl --rtl DIR`, counted as caught (exit 1) or survived
//! (exit 0). Mutants that do not compile (exit 3) are stillborn and not counted.
//!
//! `cargo run --release --example mutation_score -- [MUTANTS] [SEED]` (defaults 45 and 1;
//! about 10 s a mutant). Prints a table per file and the score.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::process::Command;

/// Textual mutations: (from, to). Each occurrence of `from` is one mutant.
const OPERATORS: &[(&str, &str)] = &[
    (" == ", " != "),
    (" != ", " == "),
    (" && ", " || "),
    (" || ", " && "),
    (" + ", " - "),
    (" - ", " + "),
    (" > ", " >= "),
    (" >= ", " > "),
    (" < ", " > "),
    ("1'b1", "1'b0"),
    ("1'b0", "1'b1"),
    ("(!", "("),
    ("&& !", "&& "),
];

const FILES: &[&str] = &[
    "six_chip_router.v",
    "six_chip_chip_if.v",
    "six_chip_readout.v",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let wanted: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(45);
    let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    // target/<profile>/examples/mutation_score -> target/<profile>/snngen
    let exe = std::env::current_exe().expect("own path");
    let snngen = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("snngen"))
        .filter(|p| p.is_file())
        .expect("build snngen first: cargo build --release");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("six_chip");
    let built = Command::new(&snngen)
        .args(["build", "designs/six_chip.yaml", "-q", "-o"])
        .arg(&out)
        .status()
        .expect("snngen runs");
    assert!(built.success(), "six_chip builds");
    // Every mutation site: (file, byte offset, from, to), not inside comments.
    let mut sites = Vec::new();
    for file in FILES {
        let text = std::fs::read_to_string(out.join("rtl").join(file)).expect("rtl");
        for (from, to) in OPERATORS {
            for (at, _) in text.match_indices(from) {
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                if !text[line_start..at].contains("//") {
                    sites.push((*file, at, *from, *to));
                }
            }
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    sites.shuffle(&mut rng);
    sites.truncate(wanted);
    let mut rows: Vec<(&str, u32, u32, u32)> = FILES.iter().map(|f| (*f, 0, 0, 0)).collect();
    let mut survivors = Vec::new();
    for (k, (file, at, from, to)) in sites.iter().enumerate() {
        let mutant = dir.path().join(format!("m{k}"));
        copy_dir(&out.join("rtl"), &mutant.join("rtl"));
        let path = mutant.join("rtl").join(file);
        let text = std::fs::read_to_string(&path).expect("rtl");
        let mutated = format!("{}{to}{}", &text[..*at], &text[at + from.len()..]);
        std::fs::write(&path, mutated).expect("write");
        let run = Command::new(&snngen)
            .args(["sim", "rtl", "designs/six_chip.yaml", "-q", "--rtl"])
            .arg(&mutant)
            .output()
            .expect("snngen runs");
        let line = text[..*at].lines().count();
        let row = rows.iter_mut().find(|r| r.0 == *file).expect("file row");
        match run.status.code() {
            Some(1) => row.1 += 1,
            Some(0) => {
                row.2 += 1;
                survivors.push(format!(
                    "{file}:{line}: `{}` -> `{}`",
                    from.trim(),
                    to.trim()
                ));
            }
            _ => row.3 += 1,
        }
        eprintln!(
            "  mutant {}/{}: {file}:{line} `{}` -> `{}`: exit {:?}",
            k + 1,
            sites.len(),
            from.trim(),
            to.trim(),
            run.status.code()
        );
        let _ = std::fs::remove_dir_all(&mutant);
    }
    println!(
        "six_chip RTL mutants under `snngen sim rtl --rtl DIR` (default options), seed {seed}"
    );
    println!(
        "  {:<22} {:>7} {:>9} {:>10}",
        "file", "caught", "survived", "stillborn"
    );
    let (mut caught, mut survived) = (0, 0);
    for (file, c, s, d) in &rows {
        println!("  {file:<22} {c:>7} {s:>9} {d:>10}");
        caught += c;
        survived += s;
    }
    println!(
        "  score: {caught} of {} = {:.1} %",
        caught + survived,
        100.0 * caught as f64 / (caught + survived).max(1) as f64
    );
    for s in survivors {
        println!("  survived: {s}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read rtl") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}
