//! The layer rule of src/lib.rs, checked on the source: every `crate::`, `super::` and
//! `self::` path in every file (test code aside) must point into the file's own layer or one
//! below it, and the files must import each other without cycles. A path through a
//! re-export (`pub use child::item` in a mod.rs) counts as a path to the file that defines
//! the item; a mod.rs's own edges to its files (declaring and re-exporting them) do not
//! count, as in ../shared/tools/modgraph.py.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers from the bottom up: a file may use its own layer and those before it.
const LAYERS: [&str; 8] = [
    "support", "device", "compiler", "model", "tools", "flows", "apps", "cli",
];

/// A module path: `flows/cosim/mod.rs` is `[flows, cosim]`, lib.rs `[]`, main.rs `[main]`.
type Module = Vec<String>;

/// Every source file under `src` by module path, with its text.
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.insert(parts, std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

/// The text that counts: comments removed, string contents blanked (a message that says
/// "use --flag" is no import), and every `#[cfg(test)]` item (a test module, a test helper)
/// cut out whole.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut chars = text.chars().peekable();
    let blank = |c: char| if c == '\n' { c } else { ' ' };
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    out.push(' ');
                    out.extend(chars.next().map(blank));
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                c => out.push(blank(c)),
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            for c in chars.by_ref() {
                if c == '\n' {
                    out.push('\n');
                    break;
                }
            }
        } else {
            in_string = c == '"';
            out.push(c);
        }
    }
    while let Some(at) = out.find("#[cfg(test)]") {
        out.replace_range(at..item_end(&out, at), "");
    }
    out
}

/// Where the item starting at `at` ends: after its `;`, or after the braces it opens.
fn item_end(text: &str, at: usize) -> usize {
    let mut depth = 0;
    for (k, c) in text[at..].char_indices() {
        match c {
            ';' if depth == 0 => return at + k + 1,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return at + k + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// Where a path head (`crate`, `self`, `super`, `super::super`) starts from in `module`.
fn base(module: &Module, head: &[&str]) -> Module {
    match head.first() {
        Some(&"crate") => Vec::new(),
        Some(&"self") => module.clone(),
        _ => {
            let mut b = module.clone();
            for _ in head.iter().filter(|h| **h == "super") {
                b.pop();
            }
            b
        }
    }
}

fn is_head(s: &str) -> bool {
    matches!(s, "crate" | "super" | "self")
}

/// A path (`super::x::Y`, `crate::a`, or `child::z` relative to the module) as an absolute
/// one from the crate root. An external crate's path (`std::fs`) lands inside the module
/// itself, where it is no edge.
fn absolute(module: &Module, parts: &[String]) -> Option<Module> {
    let heads = parts.iter().take_while(|p| is_head(p)).count();
    if heads == 0 {
        let mut target = module.clone();
        target.extend(parts.iter().cloned());
        return Some(target);
    }
    let head: Vec<&str> = parts[..heads].iter().map(String::as_str).collect();
    let mut target = base(module, &head);
    target.extend(parts[heads..].iter().cloned());
    Some(target)
}

/// One name a `use` statement brings in: the absolute path it names and the name it goes
/// by here (None for a glob).
struct Import {
    path: Module,
    name: Option<String>,
    public: bool,
}

/// Every `use` statement of `text` (trees nested to any depth), inside functions too.
fn imports(module: &Module, text: &str) -> Vec<Import> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = text[from..].find("use ") {
        let at = from + k;
        from = at + 4;
        let before = text[..at].chars().last();
        if before.is_some_and(|c| !(c.is_whitespace() || matches!(c, ';' | '{' | '}' | ']'))) {
            continue;
        }
        let public = text[..at].trim_end().ends_with("pub") || text[..at].trim_end().ends_with(')');
        let end = text[from..].find(';').map_or(text.len(), |e| from + e);
        expand_tree(module, &text[from..end], &[], public, &mut out);
        from = end;
    }
    out
}

/// Adds the names a use tree (`a::b::{c, d::{e as f}, g::*}`, after `prefix`) brings in.
fn expand_tree(
    module: &Module,
    tree: &str,
    prefix: &[String],
    public: bool,
    out: &mut Vec<Import>,
) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    let (path, group) = match tree.find('{') {
        Some(i) => (
            &tree[..i],
            Some(&tree[i + 1..tree.rfind('}').unwrap_or(tree.len())]),
        ),
        None => (tree, None),
    };
    let (path, alias) = match path.split_once(" as ") {
        Some((p, a)) => (p, Some(a.trim().to_string())),
        None => (path, None),
    };
    let mut full: Vec<String> = prefix.to_vec();
    full.extend(
        path.trim()
            .trim_end_matches("::")
            .split("::")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    );
    match group {
        Some(items) => {
            for item in split_top_level(items) {
                if item.trim() == "self" {
                    push_import(module, &full, full.last().cloned(), public, out);
                } else {
                    expand_tree(module, &item, &full, public, out);
                }
            }
        }
        None if full.last().is_some_and(|l| l == "*") => {
            full.pop();
            push_import(module, &full, None, public, out);
        }
        None => {
            let name = alias.or_else(|| full.last().cloned());
            push_import(module, &full, name, public, out);
        }
    }
}

fn push_import(
    module: &Module,
    full: &[String],
    name: Option<String>,
    public: bool,
    out: &mut Vec<Import>,
) {
    if let Some(path) = absolute(module, full) {
        out.push(Import { path, name, public });
    }
}

/// Comma-separated items of a use group, braces kept together.
fn split_top_level(s: &str) -> Vec<String> {
    let (mut items, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    items.push(cur);
    items
}

/// Paths written out in code, such as `crate::support::fs::write(..)`.
fn inline_paths(module: &Module, text: &str) -> Vec<Module> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for head in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(k) = text[from..].find(head) {
            let at = from + k;
            from = at + head.len();
            let prev = at.checked_sub(1).map(|i| bytes[i]);
            if prev.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let parts: Vec<String> = path
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            // `crate::{..}` opens a use group: `imports` reads those.
            if parts.iter().all(|p| is_head(p)) {
                continue;
            }
            out.extend(absolute(module, &parts));
        }
    }
    out
}

/// The file a path lands in: its longest prefix that is a file, followed through
/// re-exports (`pub use`) to the file that defines the item.
fn owner(
    files: &BTreeMap<Module, String>,
    reexports: &BTreeMap<(Module, String), Module>,
    path: &Module,
) -> Option<Module> {
    let mut path = path.clone();
    for _ in 0..8 {
        let file = (0..=path.len())
            .rev()
            .find(|&k| files.contains_key(&path[..k]))?;
        let o: Module = path[..file].to_vec();
        match path
            .get(file)
            .and_then(|item| reexports.get(&(o.clone(), item.clone())))
        {
            Some(target) if *target != path[..=file] => {
                let mut next = target.clone();
                next.extend(path[file + 1..].iter().cloned());
                path = next;
            }
            _ => return Some(o),
        }
    }
    None
}

fn layer(module: &Module) -> Option<usize> {
    let top = module.first()?;
    LAYERS.iter().position(|l| l == top)
}

fn is_root(module: &Module) -> bool {
    module.is_empty() || *module == ["main"]
}

fn name(m: &Module) -> String {
    match m.as_slice() {
        [] => "crate root (lib.rs)".into(),
        _ => m.join("::"),
    }
}

/// The import graph of `files`: each file to the files it uses (its own children aside).
fn graph_of(files: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let code: BTreeMap<&Module, String> = files.iter().map(|(m, t)| (m, code(t))).collect();
    let mut reexports = BTreeMap::new();
    for (module, text) in &code {
        for i in imports(module, text).into_iter().filter(|i| i.public) {
            if let Some(name) = i.name {
                reexports.insert(((*module).clone(), name), i.path);
            }
        }
    }
    let mut edges = BTreeMap::new();
    for (module, text) in &code {
        let paths = imports(module, text)
            .into_iter()
            .map(|i| i.path)
            .chain(inline_paths(module, text));
        let mut to = BTreeSet::new();
        for p in paths {
            let Some(o) = owner(files, &reexports, &p) else {
                continue;
            };
            if o != **module && !o.starts_with(module) {
                to.insert(o);
            }
        }
        edges.insert((*module).clone(), to);
    }
    edges
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    graph_of(&modules(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src")))
}

fn upward_imports(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut upward = Vec::new();
    for (from, to) in g {
        let Some(own) = layer(from) else { continue };
        for t in to {
            if layer(t).is_none_or(|l| l > own) {
                upward.push(format!("{} uses {}", name(from), name(t)));
            }
        }
    }
    upward
}

/// The strongly connected components of more than one file (Tarjan).
fn cycles(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    struct State<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        found: Vec<String>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in &s.g[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(w);
                comp.push(name(w));
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.found.push(comp.join(" <-> "));
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn every_folder_is_a_known_layer() {
    for module in graph().keys() {
        assert!(
            is_root(module) || layer(module).is_some(),
            "src/{} is in no layer: add its folder to LAYERS here and to the table in src/lib.rs",
            module.join("/")
        );
    }
}

#[test]
fn no_file_imports_a_layer_above_its_own() {
    let upward = upward_imports(&graph());
    assert!(
        upward.is_empty(),
        "upward imports:\n  {}",
        upward.join("\n  ")
    );
}

#[test]
fn no_import_cycles() {
    let found = cycles(&graph());
    assert!(found.is_empty(), "import cycles:\n  {}", found.join("\n  "));
}

/// A made-up tree with the cases the checker must see: nested use trees, inline paths, a
/// cycle hidden behind re-exports, test code that does not count, and an upward import.
#[test]
fn the_checker_sees_what_it_must() {
    let m = |p: &str| -> Module {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let files: BTreeMap<Module, String> = [
        ("", "pub mod support; pub mod flows; pub mod cli;"),
        ("main", "fn main() { snngen::cli::run(); }"),
        ("support", "pub mod a; pub mod b; pub use a::Alpha; pub use b::beta;"),
        // a.rs reaches b.rs through the re-export in support/mod.rs ...
        ("support/a", "use super::beta; pub struct Alpha;"),
        // ... and b.rs reaches a.rs the same way, in code, after a comment and a test.
        (
            "support/b",
            "// use crate::cli;\n#[cfg(test)]\nmod tests { use crate::cli::x; }\npub fn beta() { let _ = crate::support::Alpha; }",
        ),
        ("flows", "use crate::{support::{self, a::Alpha}, cli as c};"),
        ("cli", "pub fn run() {}"),
    ]
    .into_iter()
    .map(|(p, t)| (m(p), t.to_string()))
    .collect();
    let g = graph_of(&files);
    assert_eq!(g[&m("support/a")], BTreeSet::from([m("support/b")]));
    assert_eq!(g[&m("support/b")], BTreeSet::from([m("support/a")]));
    assert_eq!(
        g[&m("flows")],
        BTreeSet::from([m("support"), m("support/a"), m("cli")])
    );
    assert!(
        g[&m("support")].is_empty(),
        "a mod.rs's own files are no import"
    );
    assert_eq!(cycles(&g), vec!["support::a <-> support::b".to_string()]);
    assert_eq!(upward_imports(&g), vec!["flows uses cli".to_string()]);
    // The real tree has every layer.
    let real = graph();
    for l in LAYERS {
        assert!(
            real.keys().any(|m| m.first().is_some_and(|f| f == l)),
            "{l}"
        );
    }
}
