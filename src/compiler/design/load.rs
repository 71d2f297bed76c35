//! The one place that parses YAML. serde-saphyr gives the typed design; its own parser
//! (granit-parser, re-exported by it) gives a `SourceMap` from field paths to positions so
//! that later, semantic errors can point at the offending line. One parser for both means the
//! two cannot disagree on what the text says.

use super::Design;
use crate::compiler::codes;
use crate::support::diag::{Diagnostic, Diagnostics};
use crate::support::fs::read_text;
use regex::Regex;
use serde::de::DeserializeOwned;
use serde_saphyr::granit_parser::{Event, Parser, Span, SpannedEventReceiver};
use serde_saphyr::{Error, MessageFormatter, UserMessageFormatter};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

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

    pub fn build(text: &str) -> SourceMap {
        let mut positions = BTreeMap::new();
        for node in record_nodes(text) {
            // A key's position stands for its field until a scalar value refines it.
            match node.kind {
                NodeKind::Value(_) => {
                    positions.insert(node.path, node.at);
                }
                NodeKind::Key | NodeKind::Collection => {
                    positions.entry(node.path).or_insert(node.at);
                }
            }
        }
        SourceMap { positions }
    }
}

/// Where one key, scalar value or collection starts, and the field path it belongs to.
struct Node {
    at: (usize, usize),
    path: String,
    kind: NodeKind,
}

enum NodeKind {
    Key,
    /// A scalar or alias value, with its text (empty for an alias).
    Value(String),
    Collection,
}

/// Every node of the document in order. Syntax errors are reported by serde-saphyr, which
/// runs the same parser first; nodes that stop early (at the error) are what came before it.
fn record_nodes(text: &str) -> Vec<Node> {
    let mut recorder = PathRecorder::default();
    let _ = Parser::new_from_str(text).load(&mut recorder, false);
    recorder.nodes
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct PathRecorder {
    stack: Vec<Frame>,
    nodes: Vec<Node>,
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

    fn push(&mut self, path: String, span: Span, kind: NodeKind) {
        let at = (span.start.line(), span.start.col() + 1);
        self.nodes.push(Node { at, path, kind });
    }
}

impl SpannedEventReceiver<'_> for PathRecorder {
    fn on_event(&mut self, ev: Event, span: Span) {
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    *key = Some(value.into_owned());
                    let path = self.next_value_path();
                    self.push(path, span, NodeKind::Key);
                    return;
                }
                let path = self.next_value_path();
                self.push(path, span, NodeKind::Value(value.into_owned()));
                self.value_done();
            }
            Event::Alias(_) => {
                let path = self.next_value_path();
                self.push(path, span, NodeKind::Value(String::new()));
                self.value_done();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.next_value_path();
                self.push(path.clone(), span, NodeKind::Collection);
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
                d.position = self.source_map.position(&d.field);
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

/// Reads and parses a design file. Errors name the file, line, column and field.
pub fn load_design(path: &Path) -> Result<LoadedDesign, Diagnostics> {
    let (file, text) = read_yaml_text(path, "design file")?;
    load_design_str(&file, &text)
}

/// The file name (for messages) and text of a YAML file snngen reads (`what` it is, for
/// the message when it cannot be read), or a diagnostic.
fn read_yaml_text(path: &Path, what: &str) -> Result<(String, String), Diagnostics> {
    let file = path.display().to_string();
    let text = read_text(path, MAX_DESIGN_BYTES).map_err(|message| {
        let mut d = Diagnostic::new(
            codes::UNREADABLE.id,
            "",
            format!("cannot read {what}: {message}"),
        );
        d.position = line_col(&message);
        Diagnostics::single(&file, "", d)
    })?;
    Ok((file, text))
}

/// A YAML file of another snngen schema (a device card, a spintronic network), parsed and
/// located exactly as designs are: the value, the file name, its text and its source map.
pub fn load_yaml<T: DeserializeOwned>(
    path: &Path,
    what: &str,
) -> Result<(T, String, String, SourceMap), Diagnostics> {
    let (file, text) = read_yaml_text(path, what)?;
    let value = parse_yaml(&file, &text)?;
    let map = SourceMap::build(&text);
    Ok((value, file, text, map))
}

/// Whether YAML text has a top-level `network` section (a spintronic network design).
pub fn is_network_design(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        network: Option<serde::de::IgnoredAny>,
    }
    parse_yaml::<Probe>("", text).is_ok_and(|p| p.network.is_some())
}

/// YAML text of any schema parsed as designs are (`file` is only used in messages).
pub fn parse_yaml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_saphyr::from_str_with_options::<T>(text, parse_options())
        .map_err(|e| Diagnostics::single(file, text, syntax_diagnostic(&e, text)))
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

/// Parses design text; `file` is only used in messages. A UTF-8 byte-order mark (what
/// some editors write first) is dropped, so that positions count from the first character.
pub fn load_design_str(file: &str, text: &str) -> Result<LoadedDesign, Diagnostics> {
    let design = parse_yaml::<Design>(file, text).map_err(|mut d| {
        if is_network_design(text) {
            for item in &mut d.items {
                item.help = Some(
                    "this is a spintronic network design (it has a `network` section): `snngen \
                     check`, `snngen build` and `snngen spin learn` take it"
                        .into(),
                );
            }
        }
        d
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(LoadedDesign {
        design,
        file: file.to_string(),
        text: text.to_string(),
        source_map: SourceMap::build(text),
    })
}

/// YAML 1.2 as designs are written: `yes` is a string, not a boolean; a key given twice is
/// an error; snippets are left to snngen's own renderer; any design up to the file limit.
fn parse_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    // Every node takes at least two bytes, so no design within the file limit hits these;
    // the alias budgets (billion laughs) stay at their defaults.
    if let Some(budget) = options.budget.as_mut() {
        budget.max_nodes = MAX_DESIGN_BYTES as usize;
        budget.max_events = 2 * MAX_DESIGN_BYTES as usize;
    }
    options.with_snippet = false;
    options
}

/// A parse or type error, located and named by the node the parser stopped at.
fn syntax_diagnostic(e: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let e = e.without_snippet();
    let at = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| (l.line() as usize, l.column() as usize));
    let nodes = at.map(|_| record_nodes(text)).unwrap_or_default();
    // The last node that starts at or before the error, the outermost of several there.
    let node = at.and_then(|at| {
        let starts_before = nodes.partition_point(|n| n.at <= at);
        let last = nodes[..starts_before].last()?;
        nodes[..starts_before].iter().find(|n| n.at == last.at)
    });
    let path = node.map_or("", |n| n.path.as_str());
    let (field, message, position) = match (e, node.map(|n| &n.kind)) {
        // Reported at the mapping's last key: name and point at the mapping.
        (Error::SerdeMissingField { field, .. }, kind) => {
            let mapping = match kind {
                Some(NodeKind::Key) => parent(path),
                _ => path,
            };
            let position = SourceMap::build(text).position(mapping).or(at);
            (mapping, format!("missing field `{field}`"), position)
        }
        (
            Error::SerdeUnknownField {
                field, expected, ..
            },
            kind,
        ) => {
            // At the unknown key, or at its mapping when the key is the mapping's first.
            let mapping = match kind {
                Some(NodeKind::Key) => parent(path),
                _ => path,
            };
            let expected: Vec<String> = expected.iter().map(|f| format!("`{f}`")).collect();
            let message = format!(
                "unknown field `{field}`, expected one of {}",
                expected.join(", ")
            );
            (mapping, message, at)
        }
        (Error::InvalidScalar { ty, .. }, Some(NodeKind::Value(scalar))) => {
            let message = format!("invalid type: {}, expected {ty}", describe(scalar));
            (path, message, at)
        }
        // Located at its first node; the second document starts at its `---`.
        (Error::MultipleDocuments { .. }, _) => {
            let message = "a design file holds one YAML document; a second starts here";
            ("", message.to_string(), second_document(text).or(at))
        }
        (e, _) => (path, UserMessageFormatter.format_message(e).to_string(), at),
    };
    let mut d = Diagnostic::new(codes::SYNTAX.id, field, message);
    d.position = position;
    d
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

/// The field a path's last key belongs to (`a.b[0].c` → `a.b[0]`, `a` → the root, ``).
fn parent(path: &str) -> &str {
    path.rfind('.').map_or("", |cut| &path[..cut])
}

/// A plain scalar as the YAML 1.2 core schema reads it, in serde's words.
fn describe(scalar: &str) -> String {
    if scalar.parse::<i64>().is_ok() {
        format!("integer `{scalar}`")
    } else if scalar.parse::<f64>().is_ok() {
        format!("floating point `{scalar}`")
    } else if matches!(scalar, "true" | "false") {
        format!("boolean `{scalar}`")
    } else {
        format!("string {scalar:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::load_design_str;

    fn field_of_error(from: &str, to: &str) -> String {
        let text = std::fs::read_to_string("designs/single_lif.yaml").unwrap();
        assert!(text.contains(from));
        let e = load_design_str("x.yaml", &text.replace(from, to)).unwrap_err();
        e.items[0].field.clone()
    }

    #[test]
    fn an_unknown_key_names_its_mapping_whether_first_or_not() {
        let first = field_of_error("      - name: lif", "      - nme: lif");
        assert_eq!(first, "chips[0].populations[0]");
        let later = field_of_error("        count: 1", "        cout: 1");
        assert_eq!(later, "chips[0].populations[0]");
    }
}
