//! The one place that parses YAML. serde_yaml is unmaintained: swapping it must stay a change
//! to this file alone. Besides the typed design, loading yields a `SourceMap` from field paths
//! to positions so that later, semantic errors can point at the offending line.

use super::Design;
use crate::compiler::codes;
use crate::support::diag::{Diagnostic, Diagnostics};
use crate::support::fs::read_text;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Field path (`chips[0].populations[1].count`) to 1-based (line, column) of its value.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    positions: BTreeMap<String, (usize, usize)>,
}

impl SourceMap {
    /// Position of `field`, or of its closest enclosing field that has one.
    pub fn position(&self, field: &str) -> Option<(usize, usize)> {
        let mut path = field;
        loop {
            if let Some(p) = self.positions.get(path) {
                return Some(*p);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    fn build(text: &str) -> SourceMap {
        let mut builder = PathRecorder::default();
        // Syntax errors are reported by serde_yaml with better messages; a map that stops
        // early only means fewer positions.
        let _ = Parser::new_from_str(text).load(&mut builder, false);
        SourceMap {
            positions: builder.positions,
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct PathRecorder {
    stack: Vec<Frame>,
    positions: BTreeMap<String, (usize, usize)>,
}

impl PathRecorder {
    /// Path of the value that comes next in the innermost container.
    fn next_value_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Map { path, key }) => {
                let key = key.as_deref().unwrap_or("");
                if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                }
            }
            Some(Frame::Seq { path, index }) => format!("{path}[{index}]"),
        }
    }

    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn record(&mut self, path: &str, mark: Marker) {
        self.positions
            .entry(path.to_string())
            .or_insert((mark.line(), mark.col() + 1));
    }
}

impl MarkedEventReceiver for PathRecorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    // A key: its position stands for the field until a scalar value refines it.
                    *key = Some(value);
                    let path = self.next_value_path();
                    self.record(&path, mark);
                    return;
                }
                let path = self.next_value_path();
                self.positions.insert(path, (mark.line(), mark.col() + 1));
                self.value_done();
            }
            Event::Alias(_) => {
                let path = self.next_value_path();
                self.positions.insert(path, (mark.line(), mark.col() + 1));
                self.value_done();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.next_value_path();
                self.record(&path, mark);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map { path, key: None }
                } else {
                    Frame::Seq { path, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            _ => {}
        }
    }
}

/// A parsed design with the text it came from.
#[derive(Debug, Clone)]
pub struct LoadedDesign {
    pub design: Design,
    pub file: String,
    pub text: String,
    pub source_map: SourceMap,
}

impl LoadedDesign {
    /// Wraps problems found after parsing into file-located diagnostics.
    pub fn diagnostics(&self, mut items: Vec<Diagnostic>, omitted: usize) -> Diagnostics {
        for d in &mut items {
            if d.position.is_none() {
                d.position = self
                    .source_map
                    .position(&d.field)
                    .or_else(|| key_position(&self.text, &d.field));
            }
        }
        Diagnostics {
            file: self.file.clone(),
            text: self.text.clone(),
            items,
            omitted,
        }
    }
}

/// Where the text names the field's key, or its nearest enclosing key, else line 1: for
/// the rare file that serde_yaml reads but the position parser stops early on (the two
/// disagree on some odd indentation), so that every diagnostic still points somewhere.
fn key_position(text: &str, field: &str) -> Option<(usize, usize)> {
    let keys: Vec<&str> = field
        .split('.')
        .map(|k| k.split('[').next().unwrap_or(k))
        .filter(|k| !k.is_empty())
        .collect();
    for key in keys.iter().rev() {
        let pattern = format!(r"(?m)(?:^|[\s{{,])({}\s*:)", regex::escape(key));
        if let Some(m) = Regex::new(&pattern)
            .ok()?
            .captures(text)
            .and_then(|c| c.get(1))
        {
            let line = text[..m.start()].matches('\n').count() + 1;
            let col = text[..m.start()]
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                + 1;
            return Some((line, col));
        }
    }
    Some((1, 1))
}

/// Reads and parses a design file. Errors name the file, line, column and field.
pub fn load_design(path: &Path) -> Result<LoadedDesign, Diagnostics> {
    let file = path.display().to_string();
    let text = read_text(path, MAX_DESIGN_BYTES).map_err(|message| {
        let mut d = Diagnostic::new(
            codes::UNREADABLE.id,
            "",
            format!("cannot read design file: {message}"),
        );
        d.position = line_col(&message);
        Diagnostics::single(&file, "", d)
    })?;
    load_design_str(&file, &text)
}

/// The largest design file snngen reads (designs are kilobytes; matrices go in CSV files).
pub const MAX_DESIGN_BYTES: u64 = 4 << 20;

/// The `line L, column C` a read error names, if any.
fn line_col(message: &str) -> Option<(usize, usize)> {
    let c = LINE_COL.captures(message)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

static LINE_COL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"line (\d+), column (\d+)").unwrap());

/// Deepest nesting of flow collections (`[..]`, `{..}`) a design may use.
pub const MAX_FLOW_DEPTH: usize = 32;

/// Where flow brackets first nest deeper than MAX_FLOW_DEPTH (outside quotes and comments).
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (n, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((n + 1, col + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// Where a second YAML document starts (`---` after some content), if there is one.
fn second_document(text: &str) -> Option<(usize, usize)> {
    let mut content = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("---") && content {
            return Some((n + 1, 1));
        }
        content |= !(line.trim().is_empty() || line.starts_with('#') || line.starts_with("---"));
    }
    None
}

static SERDE_LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line \d+ column \d+$").unwrap());
static SERDE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z_][A-Za-z0-9_]*(?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_]*)*): ").unwrap()
});

/// Parses design text; `file` is only used in messages. A UTF-8 byte-order mark (what
/// some editors write first) is dropped, so that positions count from the first character.
pub fn load_design_str(file: &str, text: &str) -> Result<LoadedDesign, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The parser takes time quadratic in the depth of flow nesting (`[[[[...`); designs
    // need three levels.
    if let Some(position) = too_deep(text) {
        let mut d = Diagnostic::new(
            codes::SYNTAX.id,
            "",
            format!("brackets nested more than {MAX_FLOW_DEPTH} deep"),
        );
        d.position = Some(position);
        return Err(Diagnostics::single(file, text, d));
    }
    match serde_yaml::from_str::<Design>(text) {
        Ok(design) => Ok(LoadedDesign {
            design,
            file: file.to_string(),
            text: text.to_string(),
            source_map: SourceMap::build(text),
        }),
        Err(e) => {
            let raw = e.to_string();
            let message = SERDE_LOCATION.replace(&raw, "").to_string();
            let (field, message) = match SERDE_FIELD.captures(&message) {
                Some(c) => (c[1].to_string(), message[c[0].len()..].to_string()),
                None => (String::new(), message.clone()),
            };
            let mut d = Diagnostic::new(codes::SYNTAX.id, field, message);
            // serde_yaml gives no location for a second document; it starts at its `---`.
            d.position = e
                .location()
                .map(|l| (l.line(), l.column()))
                .or_else(|| second_document(text));
            Err(Diagnostics::single(file, text, d))
        }
    }
}
