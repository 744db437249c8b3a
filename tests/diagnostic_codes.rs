//! The diagnostic-code registry (`src/analysis/codes.rs`) is the one list of
//! codes: the README shows exactly it, and every code has an annotated
//! fixture under `tests/fixtures/diagnostics/` that shows where it is
//! reported.
//!
//! A fixture is a template whose comment lines mark each expected diagnostic
//! under the line it is on, with carets under the exact range and the code:
//!
//! ```yaml
//! steps:
//!   - name: Frames
//!     dependencies:
//!       - dependsOn: Setup
//! #                  ^^^^^ unknown-step
//! ```
//!
//! - Carets start at the range's first column (in characters). When a range
//!   starts in the first columns, the comment marker itself counts as a
//!   caret: `#^^^` under `nmae` marks the four characters.
//! - `|` marks an empty range, before the column it stands in.
//! - A caret one column past the end of a line marks its line break.
//! - A range over several lines is marked twice: `code ...` under its first
//!   line (carets to the end of that line), `... code` under its last line
//!   (carets up to where it ends).
//! - JSON has no comments: in `.json` fixtures the annotation lines start
//!   with `//`. In both, annotation lines are removed before the analysis.
//!
//! A fixture is the diagnostics the editor and `check` show, all of them
//! (`workspace::diagnostics`): the test renders them as annotations and
//! compares the whole file, so a missing, extra or moved diagnostic fails
//! it. A file of the folder is a workspace alone; a subfolder is one
//! workspace with its queue configuration (`openjd-lsp.yaml`), queue
//! environments and jobs. `UPDATE_EXPECT=1` rewrites
//! the fixtures from what the analysis reports (review the diff).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use openjd_lsp::analysis::{Code, Diagnostic, Options, analyze};
use openjd_lsp::workspace::Workspace;
use openjd_lsp::workspace::diagnostics::file_diagnostics;

const START: &str = "<!-- diagnostic-codes:start -->\n";
const END: &str = "<!-- diagnostic-codes:end -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// The README lists exactly the registry. `UPDATE_EXPECT=1` rewrites its list.
#[test]
fn readme_lists_every_code() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme
        .find(START)
        .expect("README has the codes start marker")
        + START.len();
    let end = readme[start..]
        .find(END)
        .expect("README has the codes end marker")
        + start;
    let want = Code::markdown_table();
    if readme[start..end] == want {
        return;
    }
    if update() {
        let updated = format!("{}{want}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    panic!(
        "README.md's list of diagnostic codes differs from the registry in src/analysis/codes.rs; \
         run `UPDATE_EXPECT=1 cargo test --test diagnostic_codes` to rewrite it.\n\
         want:\n{want}\nhave:\n{}",
        &readme[start..end]
    );
}

/// The comment marker that starts annotation lines in this fixture.
fn comment(path: &Path) -> &'static str {
    if path.extension().is_some_and(|e| e == "json") {
        "//"
    } else {
        "#"
    }
}

fn is_annotation(line: &str, comment: &str) -> bool {
    line.trim_start()
        .strip_prefix(comment)
        .map(|rest| rest.trim_start_matches(' '))
        .is_some_and(|rest| rest.starts_with('^') || rest.starts_with('|'))
}

/// The fixture without its annotation lines: the text that is analysed.
fn strip(text: &str, comment: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !is_annotation(l, comment))
        .collect()
}

/// One annotation line: a run of `marks` from column `from` to `to`.
fn mark(comment: &str, from: usize, to: usize, marks: char, label: &str) -> Result<String, String> {
    let p = comment.chars().count();
    let run = |n: usize| marks.to_string().repeat(n);
    if from > p {
        Ok(format!(
            "{comment}{}{} {label}",
            " ".repeat(from - p),
            run(to - from)
        ))
    } else if marks == '^' && to - from > p {
        // The marker stands in for the first carets.
        Ok(format!(
            "{}{comment}{} {label}",
            " ".repeat(from),
            run(to - from - p)
        ))
    } else {
        Err(format!(
            "cannot mark columns {from}..{to} for `{label}` below `{comment}`; \
             move the token to the right (indent, longer names)"
        ))
    }
}

/// The fixture as it should read: `clean` with an annotation line for each
/// diagnostic under the line it is on.
fn render(clean: &str, diags: &[Diagnostic], comment: &str) -> Result<String, String> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in clean.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches('\n').trim_end_matches('\r')));
        offset += line.len();
    }
    // (line index, from, to, marks, label)
    let mut marks: Vec<(usize, usize, usize, char, String)> = Vec::new();
    let locate = |at: usize| -> (usize, usize) {
        let i = lines
            .partition_point(|(start, _)| *start <= at)
            .saturating_sub(1);
        let (start, content) = lines.get(i).copied().unwrap_or((0, ""));
        let col = content
            .get(..at.saturating_sub(start).min(content.len()))
            .map_or(0, |s| s.chars().count());
        (i, col)
    };
    for d in diags {
        let code = d.code.as_str();
        let eol = |l: usize| lines.get(l).map_or(0, |(_, c)| c.chars().count());
        let (l1, c1) = locate(d.span.start);
        let (mut l2, mut c2) = locate(d.span.end);
        if c2 == 0 && l2 > l1 {
            // The range takes the line break: one caret past the end.
            l2 -= 1;
            c2 = eol(l2) + 1;
        }
        if l2 > l1 {
            marks.push((l1, c1, eol(l1), '^', format!("{code} ...")));
            let content = lines.get(l2).map_or("", |(_, c)| *c);
            let indent = content.len() - content.trim_start().len();
            let from = indent.max(comment.len() + 1).min(c2);
            marks.push((l2, from, c2, '^', format!("... {code}")));
        } else if d.span.is_empty() {
            marks.push((l1, c1, c1, '|', code.to_string()));
        } else {
            marks.push((l1, c1, c2, '^', code.to_string()));
        }
    }
    marks.sort();
    let mut out = String::new();
    for (i, (_, content)) in lines.iter().enumerate() {
        out.push_str(content);
        out.push('\n');
        for (_, from, to, m, label) in marks.iter().filter(|m| m.0 == i) {
            if *m == '|' {
                out.push_str(&mark(comment, *from, *from + 1, '|', label)?);
            } else if from == to {
                return Err(format!("`{label}` marks nothing on line {}", i + 1));
            } else {
                out.push_str(&mark(comment, *from, *to, '^', label)?);
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// The fixture files under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("fixture directory")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The fixtures, each a workspace: a file of `tests/fixtures/diagnostics/`
/// alone, or a folder of it with all its files (queue configuration,
/// queue environments, jobs).
fn workspaces() -> Vec<(PathBuf, Vec<PathBuf>)> {
    let dir = root().join("tests/fixtures/diagnostics");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .expect("fixture directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            out.push((path.clone(), files_under(&path)));
        } else if files_under(&dir).contains(&path) {
            out.push((dir.clone(), vec![path]));
        }
    }
    out.sort();
    out
}

/// Every diagnostic of each file of a fixture workspace, as the editor and
/// `check` compute them; the files' texts are without their annotations.
fn diagnose(root: &Path, files: &[PathBuf]) -> Vec<(PathBuf, String, Vec<Diagnostic>)> {
    let texts: HashMap<PathBuf, String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read fixture");
            (f.clone(), strip(&text, comment(f)))
        })
        .collect();
    let mut ws = Workspace {
        roots: vec![root.to_path_buf()],
        ..Workspace::default()
    };
    for (path, text) in &texts {
        ws.update_text(path, text);
    }
    ws.load_queues(&[], &|p: &Path| texts.get(p).cloned());
    files
        .iter()
        .map(|f| {
            let clean = texts[f].clone();
            let own = analyze(&clean, &Options::default());
            let diags = file_diagnostics(&ws, f, &own).iter().cloned().collect();
            (f.clone(), clean, diags)
        })
        .collect()
}

/// Every fixture reads exactly as its diagnostics; together they show
/// every code of the registry.
#[test]
fn annotated_fixtures_show_every_code() {
    let mut failures = Vec::new();
    let mut shown: BTreeSet<Code> = BTreeSet::new();
    for (ws_root, files) in workspaces() {
        for (path, clean, diags) in diagnose(&ws_root, &files) {
            let name = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .display()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let rendered = match render(&clean, &diags, comment(&path)) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            shown.extend(diags.iter().map(|d| d.code));
            if rendered == text {
                continue;
            }
            if update() {
                std::fs::write(&path, &rendered).expect("write fixture");
            } else {
                failures.push(format!(
                    "{name} reads differently from its diagnostics \
                     (`UPDATE_EXPECT=1 cargo test --test diagnostic_codes` rewrites it):\n\
                     --- fixture\n{text}--- diagnostics\n{rendered}"
                ));
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !shown.contains(c))
        .map(|c| c.as_str())
        .collect();
    if !missing.is_empty() {
        failures.push(format!(
            "no fixture in tests/fixtures/diagnostics/ shows {}",
            missing.join(", ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
