//! Snapshots of every emitted file of every example design, and of every diagnostic of every
//! invalid design in designs/errors/. Review changes with `cargo insta review`.

mod common;

use common::{relative, root, stem};
use snngen::Error;
use snngen::compiler as build;

#[test]
fn every_emitted_file_of_every_design() {
    insta::glob!("../designs", "*.yaml", |path| {
        let r =
            build::render(&relative(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for f in &r.files {
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
    insta::glob!("../designs/errors", "*.yaml", |path| {
        let rel = relative(path);
        match build::compile(&rel) {
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
