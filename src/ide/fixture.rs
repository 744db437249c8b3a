//! Test fixtures: a template with a `$0` cursor marker.
#![cfg(test)]

use crate::analysis::{Analysis, Options, analyze};

/// Analyses `text` with its `$0` marker removed; the offset is where the
/// marker was (0 when there is none).
pub fn fixture(text_with_marker: &str) -> (Analysis, usize) {
    let offset = text_with_marker.find("$0").unwrap_or(0);
    let text = text_with_marker.replacen("$0", "", 1);
    (analyze(&text, &Options { reference: false }), offset)
}

/// Applies non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[(crate::syntax::Span, String)]) -> String {
    let mut sorted: Vec<_> = edits.to_vec();
    sorted.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = text.to_string();
    for (span, new) in sorted {
        out.replace_range(span, &new);
    }
    out
}

/// The diagnostic codes of a text's analysis, for "no new errors" checks.
pub fn codes(text: &str) -> Vec<String> {
    analyze(text, &Options { reference: false })
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}
