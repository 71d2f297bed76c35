//! `snngen explain CODE`: what a diagnostic code means; without a code, every code.

use super::Global;
use super::report::{Report, show};
use crate::compiler::codes::{self, Code};
use crate::support::error::{Error, Result};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A diagnostic code such as E004 (case does not matter); none lists them all.
    code: Option<String>,
}

#[derive(Serialize)]
#[serde(transparent)]
struct Explained(Vec<&'static Code>);

impl Report for Explained {
    fn table(&self) -> String {
        self.0
            .iter()
            .map(|c| format!("{}  {}\n", c.id, c.explanation))
            .collect()
    }
}

pub fn run(a: Args, g: &Global) -> Result<()> {
    let list = match &a.code {
        None => codes::ALL.iter().collect(),
        Some(id) => vec![codes::find(id).ok_or_else(|| {
            Error::Usage(format!(
                "no diagnostic code `{id}`; `snngen explain` lists them all"
            ))
        })?],
    };
    show(&Explained(list), g);
    Ok(())
}
