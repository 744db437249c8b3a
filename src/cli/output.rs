//! Human (rustc-style) and JSON renderings of `check` results, written as
//! each file is checked: nothing of a file is kept once it is printed but
//! the counts of the summary.

use std::io::Write;

use serde_json::json;

use crate::analysis::Severity;
use crate::text::PositionEncoding;

use super::Checked;
use super::terminal::{snippet, visible};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The report being written: its format and the counts of its summary.
pub(crate) struct Report<'w> {
    out: &'w mut dyn Write,
    format: Format,
    templates: usize,
    bundle_files: usize,
    errors: usize,
    warnings: usize,
    /// Diagnostics written so far (of every severity).
    listed: usize,
}

impl<'w> Report<'w> {
    pub fn start(out: &'w mut dyn Write, format: Format) -> std::io::Result<Report<'w>> {
        if format == Format::Json {
            // The document's other members follow the diagnostics (see
            // `finish`), in the order serde_json writes a whole object.
            write!(out, "{{\n  \"diagnostics\": [")?;
        }
        Ok(Report {
            out,
            format,
            templates: 0,
            bundle_files: 0,
            errors: 0,
            warnings: 0,
            listed: 0,
        })
    }

    /// Whether an error was reported so far.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// Write the diagnostics of one checked file.
    pub fn file(&mut self, c: &Checked) -> std::io::Result<()> {
        if is_bundle_file(c) {
            self.bundle_files += 1;
        } else {
            self.templates += 1;
        }
        for d in &c.diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                _ => {}
            }
            match self.format {
                Format::Human => human(self.out, c, d)?,
                Format::Json => {
                    let comma = if self.listed == 0 { "" } else { "," };
                    write!(self.out, "{comma}\n    ")?;
                    write_indented(self.out, &diagnostic_json(c, d), 4)?;
                }
            }
            self.listed += 1;
        }
        Ok(())
    }

    /// The notes, the problems and the summary; ends the report.
    pub fn finish(self, problems: &[String], notes: &[String]) -> std::io::Result<()> {
        match self.format {
            Format::Human => {
                for n in notes {
                    writeln!(self.out, "note: {}", visible(n))?;
                }
                for p in problems {
                    writeln!(self.out, "error: {}", visible(p))?;
                }
                let checked = if self.bundle_files == 0 {
                    plural(self.templates, "template")
                } else {
                    format!(
                        "{} and {}",
                        plural(self.templates, "template"),
                        plural(self.bundle_files, "bundle file")
                    )
                };
                writeln!(
                    self.out,
                    "checked {checked}: {}, {}",
                    plural(self.errors, "error"),
                    plural(self.warnings, "warning")
                )
            }
            Format::Json => {
                write!(self.out, "{}]", if self.listed > 0 { "\n  " } else { "" })?;
                let rest = json!({
                    "summary": {
                        "templates": self.templates + self.bundle_files,
                        "errors": self.errors,
                        "warnings": self.warnings,
                    },
                    "problems": problems,
                    "notes": notes,
                });
                let text = serde_json::to_string_pretty(&rest).map_err(std::io::Error::other)?;
                // `{\n  "notes": …}` goes on after the diagnostics.
                let members = text.strip_prefix('{').unwrap_or(&text);
                writeln!(self.out, ",{members}")
            }
        }
    }
}

fn plural(n: usize, w: &str) -> String {
    if n == 1 {
        format!("{n} {w}")
    } else {
        format!("{n} {w}s")
    }
}

/// A job bundle's values or asset references file (not a template).
fn is_bundle_file(c: &Checked) -> bool {
    !c.analysis.is_template() && crate::analysis::bundle::BundleFile::of_path(&c.path).is_some()
}

fn human(out: &mut dyn Write, c: &Checked, d: &crate::analysis::Diagnostic) -> std::io::Result<()> {
    let text = &c.analysis.text;
    let index = &c.analysis.line_index;
    let start = index.position(text, d.span.start, PositionEncoding::Utf8);
    let line_no = start.line as usize;
    let line_range = index.line_range(text, line_no);
    let line = &text[line_range.clone()];
    let at = d.span.start.clamp(line_range.start, line_range.end);
    let col_chars = text[line_range.start..at].chars().count();
    let end = d.span.end.clamp(at, line_range.end);
    let shown = snippet(line, at - line_range.start, end - line_range.start);
    let gutter = (line_no + 1).to_string().len();
    let pad = " ".repeat(gutter);
    let path = c.path.display().to_string();
    let path = visible(&path);
    writeln!(
        out,
        "{}[{}]: {}",
        d.severity.as_str(),
        d.code,
        visible(&d.message)
    )?;
    writeln!(out, "{pad}--> {path}:{}:{}", line_no + 1, col_chars + 1)?;
    writeln!(out, "{pad} |")?;
    writeln!(out, "{} | {}", line_no + 1, shown.text)?;
    writeln!(
        out,
        "{pad} | {}{}",
        " ".repeat(shown.caret_at),
        "^".repeat(shown.carets)
    )?;
    for r in &d.related {
        let (file, pos) = match &r.file {
            Some(f) if *f != c.path => (f.display().to_string(), related_position(f, &r.span)),
            _ => {
                let p = index.position(text, r.span.start, PositionEncoding::Utf8);
                (c.path.display().to_string(), Some((p.line + 1, p.col + 1)))
            }
        };
        let (message, file) = (visible(&r.message), visible(&file));
        match pos {
            Some((l, col)) => writeln!(out, "{pad} = note: {message} ({file}:{l}:{col})")?,
            None => writeln!(out, "{pad} = note: {message} ({file})")?,
        }
    }
    writeln!(out)
}

fn related_position(file: &std::path::Path, span: &crate::syntax::Span) -> Option<(u32, u32)> {
    let text = crate::workspace::files::read_text(file).ok()?;
    let index = crate::text::LineIndex::new(&text);
    let p = index.position(&text, span.start, PositionEncoding::Utf8);
    Some((p.line + 1, p.col + 1))
}

fn range_json(
    text: &str,
    index: &crate::text::LineIndex,
    span: &crate::syntax::Span,
) -> serde_json::Value {
    let s = index.position(text, span.start, PositionEncoding::Utf16);
    let e = index.position(text, span.end, PositionEncoding::Utf16);
    json!({
        "start": {"line": s.line, "character": s.col},
        "end": {"line": e.line, "character": e.col},
    })
}

fn diagnostic_json(c: &Checked, d: &crate::analysis::Diagnostic) -> serde_json::Value {
    let related: Vec<serde_json::Value> = d
        .related
        .iter()
        .map(|r| {
            json!({
                "file": r.file.as_ref().unwrap_or(&c.path).display().to_string(),
                "byteRange": {"start": r.span.start, "end": r.span.end},
                "message": r.message,
            })
        })
        .collect();
    json!({
        "file": c.path.display().to_string(),
        "range": range_json(&c.analysis.text, &c.analysis.line_index, &d.span),
        "byteRange": {"start": d.span.start, "end": d.span.end},
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
        "related": related,
    })
}

/// `value` pretty-printed, its lines after the first indented by `by`
/// spaces (JSON escapes the newlines inside strings, so every line break
/// is the printer's).
fn write_indented(
    out: &mut dyn Write,
    value: &serde_json::Value,
    by: usize,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    let pad = format!("\n{}", " ".repeat(by));
    write!(out, "{}", text.replace('\n', &pad))
}
