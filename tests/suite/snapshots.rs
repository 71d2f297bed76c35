//! Snapshots of every emitted file of every example design, and of every diagnostic of every
//! invalid design in designs/errors/. Review changes with `cargo insta review`.

use crate::common;

use common::{relative, root, stem};
use snngen::Error;
use snngen::compiler as build;

/// A TTFS design's netlists are left out: megabytes of trained crosspoints, checked against
/// the model in ngspice (tests/suite/rcspike_cli.rs) instead; its manifest still hashes them.
#[test]
fn every_emitted_file_of_every_design() {
    insta::glob!("../../designs", "*.yaml", |path| {
        let ttfs = common::is_ttfs(path);
        let r =
            build::render(&relative(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for f in r
            .files
            .iter()
            .filter(|f| !(ttfs && f.path.ends_with(".cir")))
        {
            let name = format!("{}__{}", stem(path), f.path.replace('/', "__"));
            insta::with_settings!({snapshot_suffix => "", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(name, f.contents);
            });
        }
    });
}

#[test]
fn every_diagnostic_of_every_invalid_design() {
    std::env::set_current_dir(root()).unwrap();
    insta::glob!("../../designs/errors", "*.yaml", |path| {
        let rel = relative(path);
        match build::render(&rel) {
            Err(Error::Input(d)) => {
                assert!(!d.items.is_empty());
                assert!(
                    d.items.iter().all(|i| i.position.is_some()),
                    "every diagnostic names a line and column:\n{d}"
                );
                insta::assert_snapshot!(d.to_string());
            }
            Err(e) => panic!("{}: expected an input error, got {e}", rel.display()),
            Ok(_) => panic!("{} was accepted", rel.display()),
        }
    });
}

/// Every diagnostic code is shown by some invalid design (E002, an unreadable file, by a
/// missing one), and docs/diagnostics.md explains every code as `snngen explain` does.
#[test]
fn every_diagnostic_code_is_exercised_and_documented() {
    use snngen::compiler::codes::ALL;
    use std::collections::BTreeSet;
    std::env::set_current_dir(root()).unwrap();
    let mut seen = BTreeSet::new();
    let mut designs: Vec<_> = std::fs::read_dir("designs/errors")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    designs.push("designs/errors/no_such_design.yaml".into());
    for path in designs {
        if let Err(Error::Input(d)) = build::render(&path) {
            seen.extend(d.items.iter().map(|i| i.code));
        }
    }
    let all: BTreeSet<&str> = ALL.iter().map(|c| c.id).collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "codes no error design shows: {missing:?}"
    );
    let docs = std::fs::read_to_string("docs/diagnostics.md").unwrap();
    for c in ALL {
        let row = format!("| {} | {} |", c.id, c.explanation);
        assert!(docs.contains(&row), "docs/diagnostics.md lacks `{row}`");
    }
}

/// A spintronic design's emitted files; the 4096-entry switching table of the core is
/// replaced by its line count and hash (it is the model's, checked bit for bit in
/// tests/suite/spintronic.rs).
#[test]
fn every_emitted_file_of_a_spintronic_design() {
    use snngen::flows::spintronic::build::build;
    std::env::set_current_dir(root()).unwrap();
    let out = tempfile::tempdir().unwrap();
    build(
        std::path::Path::new("tests/data/spin_small.yaml"),
        Some(out.path()),
    )
    .unwrap();
    let mut files: Vec<_> = walk(out.path());
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let table: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("p_table["))
            .collect();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("p_table["))
            .collect();
        let mut shown = kept.join("\n");
        if !table.is_empty() {
            shown += &format!(
                "\n[{} p_table lines, sha256 {}]",
                table.len(),
                snngen::support::hash::sha256_hex(table.join("\n").as_bytes())
            );
        }
        let rel = path.strip_prefix(out.path()).unwrap().display().to_string();
        let name = format!("spin_small__{}", rel.replace('/', "__"));
        insta::with_settings!({snapshot_suffix => "", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, shown);
        });
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { walk(&p) } else { vec![p] }
        })
        .collect()
}

#[test]
fn every_diagnostic_of_every_invalid_spintronic_design() {
    use snngen::flows::spintronic::setup::SpinSetup;
    std::env::set_current_dir(root()).unwrap();
    insta::glob!("../../designs/spintronic/errors", "*.yaml", |path| {
        let rel = relative(path);
        match SpinSetup::load(&rel) {
            Err(Error::Input(d)) => {
                assert!(!d.items.is_empty());
                insta::assert_snapshot!(d.to_string());
            }
            Err(e) => panic!("{}: expected an input error, got {e}", rel.display()),
            Ok(_) => panic!("{} was accepted", rel.display()),
        }
    });
}
