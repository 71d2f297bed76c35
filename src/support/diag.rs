//! Diagnostics for bad input: every problem names the file, line, column and field,
//! and a design reports all of its problems at once.

use super::text::quoted;
use std::fmt;

/// Characters of user text a message quotes at most.
const MAX_QUOTE: usize = 400;
/// Characters of a source line shown under a message.
const LINE_WINDOW: usize = 120;

/// The part of `line` around 1-based column `col` that is shown, and the caret's offset in
/// it: short lines whole, long ones cut to a window (marked `...`) around the column.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let at = col.saturating_sub(1).min(chars.len());
    if chars.len() <= LINE_WINDOW {
        return (quoted(line, LINE_WINDOW), at);
    }
    let start = at.saturating_sub(LINE_WINDOW / 2);
    let end = (start + LINE_WINDOW).min(chars.len());
    let window: String = chars[start..end].iter().collect();
    let lead = if start > 0 { "..." } else { "" };
    let tail = if end < chars.len() { "..." } else { "" };
    (
        format!("{lead}{}{tail}", quoted(&window, LINE_WINDOW)),
        at - start + lead.len(),
    )
}

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
    /// Problems found beyond the ones listed (a file with thousands of them lists the first
    /// `MAX_LISTED`).
    pub omitted: usize,
}

/// Problems one file lists at most; the rest are counted.
pub const MAX_LISTED: usize = 100;

impl Diagnostics {
    /// One problem with the whole file (it cannot be read, or parsed).
    pub fn single(file: &str, text: &str, d: Diagnostic) -> Diagnostics {
        Diagnostics {
            file: file.to_string(),
            text: text.to_string(),
            items: vec![d],
            omitted: 0,
        }
    }
}

impl Diagnostics {
    /// The problems as JSON (`--json`): each with its code, message, file, line, column
    /// (when the field was found in the file), field and help.
    pub fn to_json(&self) -> serde_json::Value {
        let items: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|d| {
                serde_json::json!({
                    "code": d.code,
                    "message": d.message,
                    "file": self.file,
                    "line": d.position.map(|p| p.0),
                    "column": d.position.map(|p| p.1),
                    "field": d.field,
                    "help": d.help,
                })
            })
            .collect();
        serde_json::json!({
            "file": self.file,
            "problems": items.len() + self.omitted,
            "omitted": self.omitted,
            "diagnostics": items,
        })
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages quote the user's text: control characters are escaped, so a name cannot
        // drive the terminal, and long quotes are cut.
        let file = quoted(&self.file, MAX_QUOTE);
        for d in &self.items {
            writeln!(f, "error[{}]: {}", d.code, quoted(&d.message, MAX_QUOTE))?;
            match d.position {
                Some((line, col)) if self.text.is_empty() => {
                    writeln!(f, "  --> {file}:{line}:{col}")?;
                }
                Some((line, col)) => {
                    writeln!(f, "  --> {file}:{line}:{col}")?;
                    let text = self.text.lines().nth(line.saturating_sub(1)).unwrap_or("");
                    let (shown, caret) = excerpt(text, col);
                    let gutter = " ".repeat(line.to_string().len());
                    writeln!(f, "{gutter} |")?;
                    writeln!(f, "{line} | {shown}")?;
                    writeln!(f, "{gutter} | {}^", " ".repeat(caret))?;
                }
                None => writeln!(f, "  --> {file}")?,
            }
            if !d.field.is_empty() {
                writeln!(f, "  = field: {}", quoted(&d.field, MAX_QUOTE))?;
            }
            if let Some(help) = &d.help {
                writeln!(f, "  = help: {}", quoted(help, MAX_QUOTE))?;
            }
            writeln!(f)?;
        }
        if self.omitted > 0 {
            writeln!(
                f,
                "... and {} more problem{} not listed\n",
                self.omitted,
                if self.omitted == 1 { "" } else { "s" }
            )?;
        }
        let n = self.items.len() + self.omitted;
        write!(
            f,
            "{} problem{} in {}",
            n,
            if n == 1 { "" } else { "s" },
            self.file
        )
    }
}
