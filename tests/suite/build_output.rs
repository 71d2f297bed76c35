//! Output guarantees: same input same bytes, atomic replacement, a manifest that matches,
//! exit codes, and no panic on mangled input.

use crate::common;

use common::{example_designs, relative, root, snngen};
use snngen::flows::build;
use std::fs;
use std::path::Path;

/// Every file under `dir` with its bytes, sorted by path.
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn building_twice_gives_identical_bytes() {
    for design in example_designs() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("nested/b"));
        build::build(&relative(&design), Some(&a)).unwrap();
        build::build(&relative(&design), Some(&b)).unwrap();
        assert_eq!(read_tree(&a), read_tree(&b), "{}", design.display());
        // No absolute path of this machine leaks into the output.
        for (name, bytes) in read_tree(&a) {
            let text = String::from_utf8(bytes).unwrap();
            assert!(!text.contains(tmp.path().to_str().unwrap()), "{name}");
            assert!(!text.contains(root().to_str().unwrap()), "{name}");
        }
    }
}

#[test]
fn manifest_lists_every_file_with_its_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("six");
    build::build(Path::new("designs/six_chip.yaml"), Some(&out)).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    let tree = read_tree(&out);
    assert_eq!(
        listed.len() + 2,
        tree.len(),
        "every file but the manifest and the .snngen-output marker is listed"
    );
    assert!(out.join(".snngen-output").is_file());
    for entry in listed {
        let path = entry["path"].as_str().unwrap();
        let bytes = fs::read(out.join(path)).unwrap();
        assert_eq!(
            entry["sha256"].as_str().unwrap(),
            snngen::support::hash::sha256_hex(&bytes),
            "{path}"
        );
        assert_eq!(
            entry["bytes"].as_u64().unwrap(),
            bytes.len() as u64,
            "{path}"
        );
    }
    assert_eq!(manifest["design"], "six_chip");
    assert_eq!(manifest["design_hash"].as_str().unwrap().len(), 64);
    for expected in [
        "rtl/six_chip_top.v",
        "spice/chip5.cir",
        "spice/chip5.run.cir",
        "tb/six_chip_tb.sv",
        "six_chip.core",
    ] {
        assert!(
            listed.iter().any(|e| e["path"] == expected),
            "{expected} missing"
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build::build(Path::new("designs/single_lif.yaml"), Some(&out)).unwrap();
    let before = read_tree(&out);
    let err = build::build(Path::new("designs/errors/many_problems.yaml"), Some(&out)).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(read_tree(&out), before);
    // Nothing half-written beside it either: only the output folder itself.
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("out")]);
}

#[test]
fn an_invalid_design_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("never");
    assert!(build::build(Path::new("designs/errors/unknown_field.yaml"), Some(&out)).is_err());
    assert!(!out.exists());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_rebuild_replaces_the_old_output_completely() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    build::build(Path::new("designs/two_chip.yaml"), Some(&out)).unwrap();
    build::build(Path::new("designs/single_lif.yaml"), Some(&out)).unwrap();
    let tree = read_tree(&out);
    assert!(
        tree.iter().all(|(p, _)| !p.contains("two_chip")),
        "stale files survived"
    );
    assert!(tree.iter().any(|(p, _)| p == "rtl/single_lif_top.v"));
}

#[test]
fn a_folder_snngen_did_not_write_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("thesis.tex"), "precious").unwrap();
    let err = build::build(Path::new("designs/single_lif.yaml"), Some(tmp.path())).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("refusing to replace"), "{err}");
    assert_eq!(
        fs::read_to_string(tmp.path().join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn command_line_exit_codes_and_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let (code, stdout, _) = snngen(&[
        "build",
        "designs/six_chip.yaml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("6 chip(s), 288 neurons"), "{stdout}");

    let (code, stdout, _) = snngen(&["check", "designs/two_chip.yaml"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("ok (2 chips, 24 neurons"), "{stdout}");

    let (code, _, stderr) = snngen(&["check", "designs/errors/many_problems.yaml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("4 problems in designs/errors/many_problems.yaml"),
        "{stderr}"
    );

    let (code, _, stderr) = snngen(&["check", "designs/no_such_design.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read design file"), "{stderr}");

    let (code, _, _) = snngen(&["build"]);
    assert_eq!(code, 2, "missing argument is a usage error");

    let (code, stdout, _) = snngen(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Examples:") && stdout.contains("Exit codes"),
        "{stdout}"
    );

    // Every --jobs defaults to the cores available, not a fixed count.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    for command in ["characterize", "mc", "train", "eval"] {
        let (code, stdout, _) = snngen(&[command, "--help"]);
        assert_eq!(code, 0);
        let jobs = stdout.split("--jobs <JOBS>").nth(1).unwrap_or_default();
        assert!(
            jobs.split("--")
                .next()
                .unwrap()
                .contains(&format!("[default: {cores}]")),
            "{command}: {stdout}"
        );
    }

    let (code, stdout, _) = snngen(&["passes"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("place") && stdout.contains("quantize"),
        "{stdout}"
    );
}

/// Mangled designs (lines dropped, duplicated, characters swapped) must give an error or a
/// build, never a panic. Seeded, so a failure reproduces.
#[test]
fn mangled_designs_never_panic() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let sources: Vec<String> = example_designs()
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    let mut rejected = 0;
    for case in 0..400 {
        let text = &sources[case % sources.len()];
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(0..lines.len());
            match rng.random_range(0..4) {
                0 => {
                    lines.remove(i);
                }
                1 => lines.insert(i, lines[i].clone()),
                2 => {
                    let digits = ["0", "-1", "99999999999", "0.0001", "1e308", "nan"];
                    lines[i] = lines[i].replace(
                        |c: char| c.is_ascii_digit(),
                        digits[rng.random_range(0..digits.len())],
                    );
                }
                _ => {
                    let mut chars: Vec<char> = lines[i].chars().collect();
                    if !chars.is_empty() {
                        let k = rng.random_range(0..chars.len());
                        chars[k] = ['[', ':', '-', ' ', 'x', '"'][rng.random_range(0..6)];
                    }
                    lines[i] = chars.into_iter().collect();
                }
            }
        }
        let mangled = lines.join("\n");
        let result = std::panic::catch_unwind(|| {
            let loaded = snngen::compiler::design::load_design_str("mangled.yaml", &mangled)?;
            let net = snngen::compiler::ir::build(&loaded)?;
            let compiled = snngen::compiler::passes::compile(net);
            let header = snngen::compiler::lower::Header {
                version: "test",
                design: "m".into(),
                design_hash: "0".into(),
            };
            let v = snngen::compiler::lower::verilog::lower(&compiled, &header);
            let decks = snngen::compiler::lower::spice::lower(&compiled, &header);
            snngen::compiler::emit::render(&v, &decks, &[]).expect("renders");
            Ok::<(), snngen::support::diag::Diagnostics>(())
        });
        match result {
            Ok(Ok(())) => {}
            Ok(Err(d)) => {
                rejected += 1;
                assert!(!d.items.is_empty());
                let _ = d.to_string();
            }
            Err(_) => panic!("case {case} panicked on:\n{mangled}"),
        }
    }
    assert!(
        rejected > 50,
        "the mangler should break most designs, broke {rejected}"
    );
}

/// `--json` on a failing command prints the error as JSON on standard output: for every
/// invalid example design, each problem with its code, file, line and column.
#[test]
fn check_json_locates_every_problem_of_every_invalid_design() {
    let mut files: Vec<_> = fs::read_dir(root().join("designs/errors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut problems = 0;
    for path in &files {
        let rel = relative(path).display().to_string();
        let (code, stdout, stderr) = snngen(&["check", &rel, "--json"]);
        assert_eq!(code, 2, "{rel}: {stderr}");
        let v: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{rel}: {e}: {stdout}"));
        assert_eq!(v["error"]["kind"], "input", "{rel}");
        assert_eq!(v["error"]["exit_code"], 2, "{rel}");
        let diags = v["error"]["design"]["diagnostics"].as_array().unwrap();
        assert!(!diags.is_empty(), "{rel}");
        for d in diags {
            assert_eq!(d["file"], rel.as_str(), "{rel}: {d}");
            assert!(d["code"].as_str().unwrap().starts_with('E'), "{rel}: {d}");
            assert!(
                d["line"].as_u64().is_some_and(|l| l >= 1)
                    && d["column"].as_u64().is_some_and(|c| c >= 1),
                "{rel}: a problem without a location: {d}"
            );
            problems += 1;
        }
    }
    println!(
        "{} invalid designs, {problems} problems, each located",
        files.len()
    );
}

/// Completion scripts and man pages come from the parser's own definitions: every command
/// and a recent flag are in them.
#[test]
fn completions_and_man_pages_list_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, stdout, stderr) = snngen(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for word in ["build", "characterize", "gate-level", "fpga"] {
            assert!(stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (code, _, stderr) = snngen(&["completions", "cmd.exe"]);
    assert_eq!(code, 2, "{stderr}");

    let (code, page, stderr) = snngen(&["man"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        page.contains(".TH snngen 1") && page.contains("snngen\\-build(1)"),
        "{page}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man");
    let (code, _, stderr) = snngen(&["man", "-o", &dir.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    let build = fs::read_to_string(dir.join("snngen-build.1")).unwrap();
    assert!(
        build.contains(".TH snngen-build 1") && build.contains("\\-\\-fpga"),
        "{build}"
    );
    assert!(dir.join("snngen-sim.1").is_file() && dir.join("snngen-train.1").is_file());
}
