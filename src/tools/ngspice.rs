//! ngspice in batch mode. Every deck runs in its own temporary folder (BSIM3 writes
//! b3v33check.log into the working folder, and parallel runs must not share files).
//! A run counts only if ngspice exited 0 *and* wrote its data file without reporting an
//! error: `quit 0` in a deck would otherwise hide a failed transient.

use super::{ToolError, spawn};
use crate::compiler::emit::deck::Deck;
use crate::compiler::lower::spice::Signal;
use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// Columns written by `wrdata` with `wr_singlescale` and `wr_vecnames`: time first.
#[derive(Debug, Clone, PartialEq)]
pub struct Waveforms {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f64>>,
}

impl Waveforms {
    pub fn time(&self) -> &[f64] {
        &self.columns[0]
    }

    /// The samples of `signal`; an error that names it (and what the data holds) when the
    /// deck did not save it, e.g. after a node was renamed in a template.
    pub fn get(&self, signal: &Signal) -> Result<&[f64], ToolError> {
        let name = signal.to_string();
        self.names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&name))
            .map(|i| self.columns[i].as_slice())
            .ok_or_else(|| ToolError::Simulation {
                tool: "ngspice".into(),
                message: format!("the data holds no signal `{name}`"),
                excerpt: format!("signals in the data: {}", self.names.join(" ")),
            })
    }

    /// Times at which `signal` rises through `level`, linearly interpolated between samples.
    pub fn rising_crossings(&self, signal: &Signal, level: f64) -> Result<Vec<f64>, ToolError> {
        let v = self.get(signal)?;
        let t = self.time();
        Ok((1..v.len())
            .filter(|&i| v[i - 1] < level && v[i] >= level)
            .map(|i| t[i - 1] + (level - v[i - 1]) / (v[i] - v[i - 1]) * (t[i] - t[i - 1]))
            .collect())
    }

    pub fn parse(text: &str) -> Result<Waveforms, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().ok_or("empty data file")?;
        let names: Vec<String> = header.split_whitespace().map(str::to_string).collect();
        if names.first().map(String::as_str) != Some("time") {
            return Err(format!(
                "data file does not start with a time column: `{header}`"
            ));
        }
        let mut columns = vec![Vec::new(); names.len()];
        for (n, line) in lines.enumerate() {
            let values: Vec<&str> = line.split_whitespace().collect();
            if values.len() != names.len() {
                return Err(format!(
                    "data row {} has {} values, expected {}",
                    n + 1,
                    values.len(),
                    names.len()
                ));
            }
            for (col, v) in columns.iter_mut().zip(values) {
                col.push(
                    v.parse::<f64>()
                        .map_err(|_| format!("`{v}` is not a number"))?,
                );
            }
        }
        if columns[0].len() < 2 {
            return Err("data file holds fewer than two time points".into());
        }
        Ok(Waveforms { names, columns })
    }
}

static FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^.*(singular matrix|timestep too small|error[: ]|no such (file|vector)|could not find).*$")
        .unwrap()
});

/// Runs `deck` (a file in `spice_dir`) and reads `data_file`. The netlists it `.include`s
/// beside it (relative paths within `spice_dir`) and the device models in `models/` go along;
/// other includes are left for ngspice to read where they are.
pub fn run_deck(spice_dir: &Path, deck: &str, data_file: &str) -> Result<Waveforms, ToolError> {
    let text = std::fs::read_to_string(spice_dir.join(deck)).map_err(io_error)?;
    let mut files = Vec::new();
    for name in included(&text).filter(|n| !n.starts_with("models/") && beside(n)) {
        let body =
            std::fs::read_to_string(spice_dir.join(name)).map_err(|e| ToolError::Simulation {
                tool: "ngspice".into(),
                message: format!("{deck}: cannot read the netlist it includes, {name}: {e}"),
                excerpt: String::new(),
            })?;
        files.push((name.to_string(), body));
    }
    let models = spice_dir.join("models");
    if models.is_dir() {
        for entry in std::fs::read_dir(&models).map_err(io_error)? {
            let entry = entry.map_err(io_error)?;
            if !entry.path().is_file() {
                continue;
            }
            let body = std::fs::read_to_string(entry.path()).map_err(io_error)?;
            files.push((
                format!("models/{}", entry.file_name().to_string_lossy()),
                body,
            ));
        }
    }
    run_deck_text(deck, &text, &files, data_file)
}

/// Whether an include path stays inside the deck's folder (relative, no `..`).
fn beside(path: &str) -> bool {
    let p = Path::new(path);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The files a deck's `.include` (or `.inc`) lines name, quotes taken off.
fn included(deck: &str) -> impl Iterator<Item = &str> {
    deck.lines().filter_map(|l| {
        let mut words = l.split_whitespace();
        let card = words.next()?;
        (card.eq_ignore_ascii_case(".include") || card.eq_ignore_ascii_case(".inc"))
            .then(|| words.next())
            .flatten()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
    })
}

fn io_error(source: std::io::Error) -> ToolError {
    ToolError::Io {
        tool: "ngspice".into(),
        source,
    }
}

/// The lines of `deck` (the file `name`) whose instance or model name the error message
/// mentions, numbered, so that an error points into the netlist as well as into ngspice's log.
fn deck_excerpt(name: &str, deck: &str, message: &str) -> String {
    let words: Vec<String> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.len() > 1)
        .map(str::to_ascii_lowercase)
        .collect();
    let lines: Vec<String> = deck
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.split_whitespace().next().is_some_and(|first| {
                !first.starts_with('*') && words.contains(&first.to_ascii_lowercase())
            })
        })
        .take(5)
        .map(|(n, l)| format!("\n  {name} line {}: {l}", n + 1))
        .collect();
    lines.concat()
}

/// Runs a lowered deck in a scratch folder with its includes beside it, and checks that the
/// data file holds every signal the deck says it saves.
pub fn run(deck: &Deck) -> Result<Waveforms, ToolError> {
    let includes: Vec<(String, String)> = deck
        .includes
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    let w = run_deck_text(&deck.name, &deck.text, &includes, &deck.data_file)?;
    for signal in &deck.signals {
        w.get(signal).map_err(|e| match e {
            ToolError::Simulation {
                tool,
                message,
                excerpt,
            } => ToolError::Simulation {
                tool,
                message: format!("{}: {message}", deck.name),
                excerpt,
            },
            other => other,
        })?;
    }
    Ok(w)
}

/// Runs a deck given as text, with `files` (path relative to the deck, text) beside it.
pub fn run_deck_text(
    deck: &str,
    text: &str,
    files: &[(String, String)],
    data_file: &str,
) -> Result<Waveforms, ToolError> {
    let work = tempfile::Builder::new()
        .prefix("snngen-ngspice-")
        .tempdir()
        .map_err(io_error)?;
    std::fs::write(work.path().join(deck), text).map_err(io_error)?;
    for (path, body) in files {
        let path = work.path().join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error)?;
        }
        std::fs::write(path, body).map_err(io_error)?;
    }
    let output = spawn("ngspice", &["-b".into(), deck.into()], work.path(), &[])?;
    let full = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let log = super::tail(&output, 30);
    let fail = |message: String| ToolError::Simulation {
        tool: "ngspice".into(),
        message: format!("{deck}: {message}"),
        excerpt: log.clone(),
    };
    if let Some(m) = FAILURE.find(&full) {
        let message = m.as_str().trim();
        // The lines may be in the deck or in a netlist it includes (not in the models).
        let excerpt: String = std::iter::once((deck, text))
            .chain(
                files
                    .iter()
                    .map(|(name, body)| (name.as_str(), body.as_str())),
            )
            .filter(|(name, _)| !name.starts_with("models/"))
            .map(|(name, t)| deck_excerpt(name, t, message))
            .collect();
        return Err(fail(format!("reported `{message}`{excerpt}")));
    }
    match output.status.code() {
        Some(0) => {}
        Some(3) => {
            return Err(fail(
                "the transient produced no data (exit 3 from the deck's guard)".into(),
            ));
        }
        _ => return Err(fail(format!("exited with {}", output.status))),
    }
    let data = std::fs::read_to_string(work.path().join(data_file))
        .map_err(|e| fail(format!("no data file {data_file}: {e}")))?;
    Waveforms::parse(&data).map_err(|m| fail(format!("{data_file}: {m}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deck_takes_along_only_the_netlists_beside_it() {
        let deck = ".include chip0.cir\n.INC \"models/x.lib\"\n.include /abs/a.cir\n\
                    .include ../up.cir\n* .include comment.cir\n.include sub/b.cir\n";
        let names: Vec<&str> = included(deck).collect();
        assert_eq!(
            names,
            [
                "chip0.cir",
                "models/x.lib",
                "/abs/a.cir",
                "../up.cir",
                "sub/b.cir"
            ]
        );
        let copied: Vec<&str> = names.into_iter().filter(|n| beside(n)).collect();
        assert_eq!(copied, ["chip0.cir", "models/x.lib", "sub/b.cir"]);
    }
}
