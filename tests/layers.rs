//! The layers point one way (docs/ARCHITECTURE.md):
//!
//! ```text
//! text, syntax → schema, model → analysis → workspace → ide → server, cli
//! ```
//!
//! A module may name only modules of lower layers, so `workspace/` never
//! names `cli` or `server`, and nothing below `server/` knows LSP. Only
//! `workspace/` and the entry points (`server/`, `cli/`) touch the disk: the
//! analysis and the editor features are pure functions of the text they
//! are given. Test code (`#[cfg(test)]` items and `tests.rs` files) is left
//! out. The sources are read as tokens, so comments and strings do not count.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Each top-level module and its layer; a module may name the modules of
/// lower layers only.
const LAYERS: &[(&str, usize)] = &[
    ("text", 0),
    ("syntax", 0),
    ("schema", 1),
    ("model", 1),
    ("analysis", 2),
    ("workspace", 3),
    ("ide", 4),
    ("server", 5),
    ("cli", 5),
];

/// Modules that may read or write files.
const DISK: &[&str] = &["workspace", "server", "cli"];

/// Modules that may know the protocol.
const LSP: &[&str] = &["server"];

/// Path methods and `std::fs` functions that ask the file system; they
/// count after a `.` (a method call) or `::` (a path).
const DISK_CALLS: &[&str] = &[
    "read_dir",
    "canonicalize",
    "metadata",
    "symlink_metadata",
    "exists",
    "try_exists",
    "is_file",
    "is_dir",
    "is_symlink",
];

const LSP_NAMES: &[&str] = &["tower_lsp_server", "lsp_types"];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// One token with where it is.
#[derive(Debug)]
struct Token {
    text: String,
    line: usize,
    /// A `::` path separator.
    colons: bool,
}

/// The tokens of `stream`, flattened, without `#[cfg(test)]` items.
fn flatten(stream: TokenStream, out: &mut Vec<Token>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        if is_cfg_test(&trees, i) {
            // Skip the attribute and the item it is on: up to its body
            // (a brace group) or its `;`.
            i += 2;
            while i < trees.len() {
                match &trees[i] {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                    TokenTree::Punct(p) if p.as_char() == ';' => break,
                    _ => i += 1,
                }
            }
            i += 1;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                push(out, open, g.span_open().start().line);
                flatten(g.stream(), out);
                push(out, close, g.span_close().start().line);
            }
            TokenTree::Ident(ident) => out.push(Token {
                text: ident.to_string(),
                line: ident.span().start().line,
                colons: false,
            }),
            TokenTree::Punct(p) => {
                let joint_colons = p.as_char() == ':'
                    && p.spacing() == Spacing::Joint
                    && matches!(trees.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == ':');
                out.push(Token {
                    text: p.as_char().to_string(),
                    line: p.span().start().line,
                    colons: joint_colons,
                });
                if joint_colons {
                    i += 1;
                }
            }
            TokenTree::Literal(_) => {}
        }
        i += 1;
    }
}

/// A group's delimiter as a token.
fn push(out: &mut Vec<Token>, text: &str, line: usize) {
    if !text.is_empty() {
        out.push(Token {
            text: text.to_string(),
            line,
            colons: false,
        });
    }
}

/// Does the token at `i` touch the disk: `std::fs` or `fs::…`, `File::` or
/// `fs::File`, `OpenOptions`, or one of [`DISK_CALLS`] called?
fn touches_disk(tokens: &[Token], i: usize) -> bool {
    let text = tokens[i].text.as_str();
    let prev = |n: usize| i.checked_sub(n).map(|j| &tokens[j]);
    let after_colons = prev(1).is_some_and(|t| t.colons);
    let before_colons = tokens.get(i + 1).is_some_and(|t| t.colons);
    match text {
        "fs" => before_colons || (after_colons && prev(2).is_some_and(|t| t.text == "std")),
        "File" => before_colons || after_colons,
        "OpenOptions" => true,
        _ => DISK_CALLS.contains(&text) && (after_colons || prev(1).is_some_and(|t| t.text == ".")),
    }
}

/// `#` `[cfg(test)]` at `i`.
fn is_cfg_test(trees: &[TokenTree], i: usize) -> bool {
    let (Some(TokenTree::Punct(hash)), Some(TokenTree::Group(attr))) =
        (trees.get(i), trees.get(i + 1))
    else {
        return false;
    };
    hash.as_char() == '#'
        && attr.delimiter() == Delimiter::Bracket
        && attr.stream().to_string().replace(' ', "") == "cfg(test)"
}

/// The top-level modules `tokens` name: `crate::x` (also `crate::{x, y}`,
/// whose groups are flattened into `crate :: { x , y }`), and `super::…`
/// chains that climb out of `module`.
fn named_modules(tokens: &[Token], depth: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let after_colons = |j: usize| tokens.get(j).filter(|t| t.colons).is_some();
        if t.text == "crate" && after_colons(i + 1) {
            // `crate::x` or `crate::{x, y::z}`: the names right after `::`,
            // `{` or `,` up to the end of the group.
            let mut j = i + 2;
            let mut nesting = 0;
            while let Some(next) = tokens.get(j) {
                match next.text.as_str() {
                    "{" => nesting += 1,
                    "}" if nesting <= 1 => break,
                    "}" => nesting -= 1,
                    _ => {}
                }
                let starts_name = j == i + 2
                    || tokens
                        .get(j - 1)
                        .is_some_and(|p| p.text == "{" || p.text == ",");
                if starts_name
                    && nesting <= 1
                    && next.text.chars().all(|c| c.is_alphanumeric() || c == '_')
                {
                    out.push((next.text.clone(), next.line));
                }
                if j == i + 2 && next.text != "{" {
                    break;
                }
                j += 1;
            }
        }
        if t.text == "super" && (i == 0 || !tokens[i - 1].colons) {
            // `super::super::x` from a file `depth` modules below the top.
            let mut ups = 0;
            let mut j = i;
            while tokens.get(j).is_some_and(|t| t.text == "super") && after_colons(j + 1) {
                ups += 1;
                j += 2;
            }
            if ups >= depth
                && let Some(next) = tokens.get(j)
            {
                out.push((next.text.clone(), next.line));
            }
        }
    }
    out
}

/// The source files of `dir`, with their top-level module and how deep in
/// it they are (`analysis/mod.rs` 1, `ide/outline/tests.rs` 3).
fn sources(dir: &Path) -> Vec<(PathBuf, String, usize)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("read src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("tests.rs") {
                continue;
            }
            let rel = path.strip_prefix(dir).expect("under src");
            let parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            let top = parts[0].clone();
            // `a/mod.rs` is module `a` (depth 1), `a/b.rs` is `a::b` (2).
            let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod"));
            out.push((path, top, depth));
        }
    }
    out.sort();
    out
}

#[test]
fn layers_point_one_way_and_only_the_edges_touch_the_disk_or_lsp() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (path, module, depth) in sources(&src) {
        let Some(rank) = layer(&module) else {
            // lib.rs and main.rs sit above every layer.
            continue;
        };
        checked += 1;
        let text = std::fs::read_to_string(&path).expect("read source");
        let stream = TokenStream::from_str(&text).expect("tokenize");
        let mut tokens = Vec::new();
        flatten(stream, &mut tokens);
        let name = path
            .strip_prefix(&src)
            .unwrap_or(&path)
            .display()
            .to_string();
        for (other, line) in named_modules(&tokens, depth) {
            if other == module {
                continue;
            }
            if let Some(r) = layer(&other)
                && r >= rank
            {
                problems.push(format!(
                    "src/{name}:{line}: `{module}` names `{other}`, which is not below it"
                ));
            }
        }
        for (i, t) in tokens.iter().enumerate() {
            if !DISK.contains(&module.as_str()) && touches_disk(&tokens, i) {
                problems.push(format!(
                    "src/{name}:{}: `{module}` touches the disk (`{}`); only workspace/ reads files",
                    t.line, t.text
                ));
            }
            if !LSP.contains(&module.as_str()) && LSP_NAMES.contains(&t.text.as_str()) {
                problems.push(format!(
                    "src/{name}:{}: `{module}` knows LSP (`{}`); only server/ does",
                    t.line, t.text
                ));
            }
        }
    }
    assert!(checked > 50, "only {checked} source files found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself: what it must catch, and what it must not.
#[test]
fn the_layer_check_sees_through_groups_super_and_test_code() {
    let names = |text: &str, depth: usize| -> Vec<String> {
        let mut tokens = Vec::new();
        flatten(TokenStream::from_str(text).expect("tokenize"), &mut tokens);
        named_modules(&tokens, depth)
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    };
    assert_eq!(names("use crate::cli::walk_dir;", 1), ["cli"]);
    assert_eq!(
        names("use crate::{analysis::Code, server::{a, b}};", 1),
        ["analysis", "server"]
    );
    assert_eq!(
        names("fn f() { crate::server::config::load(); }", 2),
        ["server"]
    );
    assert_eq!(names("use super::super::cli;", 2), ["cli"]);
    assert!(names("use super::queues;", 2).is_empty());
    assert!(names("// use crate::cli;\nconst S: &str = \"crate::cli\";", 1).is_empty());
    assert!(names("#[cfg(test)]\nmod tests { use crate::cli; }", 1).is_empty());
    assert_eq!(
        names("#[cfg(test)]\nuse crate::cli;\nuse crate::server;", 1),
        ["server"]
    );

    let disk = |text: &str| -> Vec<String> {
        let mut tokens = Vec::new();
        flatten(TokenStream::from_str(text).expect("tokenize"), &mut tokens);
        (0..tokens.len())
            .filter(|&i| touches_disk(&tokens, i))
            .map(|i| tokens[i].text.clone())
            .collect()
    };
    assert_eq!(disk("let t = std::fs::read_to_string(p);"), ["fs"]);
    assert_eq!(disk("use std::fs;\nfs::write(p, b);"), ["fs", "fs"]);
    assert_eq!(
        disk("if path.exists() && p.is_dir() {}"),
        ["exists", "is_dir"]
    );
    assert_eq!(disk("let f = File::open(p);"), ["File"]);
    assert!(disk("fn format_string(fs: &FmtSite) { fs.value.len(); }").is_empty());
    assert!(disk("/// The node that exists.\nlet exists = true;").is_empty());
}
