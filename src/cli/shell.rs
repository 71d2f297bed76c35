//! `snngen completions SHELL` and `snngen man`: generated from the same clap definitions as
//! the parser, so they never list a flag the parser does not take.

use super::Cli;
use crate::support::error::{Error, Result};
use crate::support::output::write_atomic;
use clap::CommandFactory;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CompletionArgs {
    /// The shell to complete for; source the script it prints (e.g. `snngen completions
    /// bash > ~/.local/share/bash-completion/completions/snngen`).
    shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write snngen.1 and a page per command (snngen-build.1, ...) into DIR instead of
    /// printing snngen.1 (`man -l DIR/snngen-build.1` reads one).
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn completions(a: CompletionArgs) -> Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "snngen", &mut std::io::stdout());
    Ok(())
}

pub fn man(a: ManArgs) -> Result<()> {
    let cmd = Cli::command();
    let Some(dir) = a.out else {
        print!("{}", String::from_utf8_lossy(&page(cmd)?));
        return Ok(());
    };
    let mut pages = vec![("snngen.1".to_string(), page(cmd.clone())?)];
    for sub in cmd.get_subcommands() {
        let name = format!("snngen-{}", sub.get_name());
        pages.push((format!("{name}.1"), page(sub.clone().name(name))?));
    }
    write_atomic(&dir, pages.iter().map(|(n, p)| (n.as_str(), p.as_slice())))
}

/// One command's man page in roff.
fn page(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(|e| Error::Usage(format!("cannot render the man page: {e}")))?;
    Ok(out)
}
