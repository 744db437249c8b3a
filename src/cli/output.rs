//! Human (rustc-style) and JSON renderings of `check` results.

use std::io::Write;

use serde_json::json;

use crate::analysis::{Diagnostic, Severity};
use crate::text::PositionEncoding;

use super::Checked;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn write(
    out: &mut dyn Write,
    format: Format,
    files: &[&Checked],
    problems: &[String],
    notes: &[String],
) -> std::io::Result<()> {
    match format {
        Format::Human => human(out, files, problems, notes),
        Format::Json => json_out(out, files, problems, notes),
    }
}

/// A job bundle's values or asset references file (not a template).
fn is_bundle_file(c: &Checked) -> bool {
    !c.analysis.is_template() && crate::analysis::bundle::BundleFile::of_path(&c.path).is_some()
}

fn diagnostics(c: &Checked) -> impl Iterator<Item = &Diagnostic> {
    c.diagnostics.iter()
}

fn human(
    out: &mut dyn Write,
    files: &[&Checked],
    problems: &[String],
    notes: &[String],
) -> std::io::Result<()> {
    let (mut errors, mut warnings) = (0, 0);
    for c in files {
        let text = &c.analysis.text;
        let index = &c.analysis.line_index;
        for d in diagnostics(c) {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => {}
            }
            let start = index.position(text, d.span.start, PositionEncoding::Utf8);
            let line_no = start.line as usize;
            let line_range = index.line_range(text, line_no);
            let line = &text[line_range.clone()];
            let col_chars = text
                [line_range.start..d.span.start.clamp(line_range.start, line_range.end)]
                .chars()
                .count();
            let end = d
                .span
                .end
                .clamp(d.span.start, line_range.end.max(d.span.start));
            let width = text
                .get(d.span.start.min(text.len())..end.min(text.len()))
                .map_or(1, |s| s.chars().count())
                .max(1);
            let gutter = (line_no + 1).to_string().len();
            let pad = " ".repeat(gutter);
            writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message)?;
            writeln!(
                out,
                "{pad}--> {}:{}:{}",
                c.path.display(),
                line_no + 1,
                col_chars + 1
            )?;
            writeln!(out, "{pad} |")?;
            writeln!(out, "{} | {}", line_no + 1, line.replace('\t', " "))?;
            writeln!(
                out,
                "{pad} | {}{}",
                " ".repeat(col_chars),
                "^".repeat(width)
            )?;
            for r in &d.related {
                let (file, pos) = match &r.file {
                    Some(f) if *f != c.path => {
                        (f.display().to_string(), related_position(f, &r.span))
                    }
                    _ => {
                        let p = index.position(text, r.span.start, PositionEncoding::Utf8);
                        (c.path.display().to_string(), Some((p.line + 1, p.col + 1)))
                    }
                };
                match pos {
                    Some((l, col)) => {
                        writeln!(out, "{pad} = note: {} ({file}:{l}:{col})", r.message)?
                    }
                    None => writeln!(out, "{pad} = note: {} ({file})", r.message)?,
                }
            }
            writeln!(out)?;
        }
    }
    for n in notes {
        writeln!(out, "note: {n}")?;
    }
    for p in problems {
        writeln!(out, "error: {p}")?;
    }
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let bundle_files = files.iter().filter(|c| is_bundle_file(c)).count();
    let checked = if bundle_files == 0 {
        plural(files.len(), "template")
    } else {
        format!(
            "{} and {}",
            plural(files.len() - bundle_files, "template"),
            plural(bundle_files, "bundle file")
        )
    };
    writeln!(
        out,
        "checked {checked}: {}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
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

fn json_out(
    out: &mut dyn Write,
    files: &[&Checked],
    problems: &[String],
    notes: &[String],
) -> std::io::Result<()> {
    let mut list = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for c in files {
        let text = &c.analysis.text;
        let index = &c.analysis.line_index;
        for d in diagnostics(c) {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => {}
            }
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
            list.push(json!({
                "file": c.path.display().to_string(),
                "range": range_json(text, index, &d.span),
                "byteRange": {"start": d.span.start, "end": d.span.end},
                "severity": d.severity.as_str(),
                "code": d.code.as_str(),
                "message": d.message,
                "related": related,
            }));
        }
    }
    let doc = json!({
        "diagnostics": list,
        "summary": {"templates": files.len(), "errors": errors, "warnings": warnings},
        "problems": problems,
        "notes": notes,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
