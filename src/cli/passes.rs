//! `snngen passes`: the compiler passes in the order they run.

use super::Global;
use super::report::{Report, show};
use crate::compiler::passes::PIPELINE;
use crate::support::error::Result;
use serde::Serialize;

#[derive(Serialize)]
struct Pass {
    name: &'static str,
    description: &'static str,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Passes(Vec<Pass>);

impl Report for Passes {
    fn table(&self) -> String {
        self.0
            .iter()
            .map(|p| format!("{:<10} {}\n", p.name, p.description))
            .collect()
    }
}

pub fn run(g: &Global) -> Result<()> {
    let passes = PIPELINE
        .iter()
        .map(|p| Pass {
            name: p.name,
            description: p.description,
        })
        .collect();
    show(&Passes(passes), g);
    Ok(())
}
