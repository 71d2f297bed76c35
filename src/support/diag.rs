//! Diagnostics for bad input: every problem names the file, line, column and field,
//! and a design reports all of its problems at once.

use std::fmt;

/// One problem in a design file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable code of the kind of problem, e.g. `E005` (`snngen explain E005`).
    pub code: &'static str,
    /// Dotted field path, e.g. `chips[1].populations[0].count` (empty for the whole file).
    pub field: String,
    pub message: String,
    pub help: Option<String>,
    /// 1-based line and column, when the field could be found in the file.
    pub position: Option<(usize, usize)>,
}

impl Diagnostic {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            field: field.into(),
            message: message.into(),
            help: None,
            position: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// All problems found in one file, with the file's text to quote from.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    pub file: String,
    pub text: String,
    pub items: Vec<Diagnostic>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "error[{}]: {}", d.code, d.message)?;
            match d.position {
                Some((line, col)) => {
                    writeln!(f, "  --> {}:{}:{}", self.file, line, col)?;
                    let quoted = self.text.lines().nth(line - 1).unwrap_or("");
                    let gutter = " ".repeat(line.to_string().len());
                    writeln!(f, "{gutter} |")?;
                    writeln!(f, "{line} | {quoted}")?;
                    writeln!(f, "{gutter} | {}^", " ".repeat(col.saturating_sub(1)))?;
                }
                None => writeln!(f, "  --> {}", self.file)?,
            }
            if !d.field.is_empty() {
                writeln!(f, "  = field: {}", d.field)?;
            }
            if let Some(help) = &d.help {
                writeln!(f, "  = help: {help}")?;
            }
            writeln!(f)?;
        }
        let n = self.items.len();
        write!(
            f,
            "{} problem{} in {}",
            n,
            if n == 1 { "" } else { "s" },
            self.file
        )
    }
}
