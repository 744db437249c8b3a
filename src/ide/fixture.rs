//! Fixtures for the editor features' tests, shared by the unit tests and
//! `tests/`: a template as text, with `$0` marking the cursor.
//!
//! ```
//! use openjd_lsp::ide::{fixture::fixture, hover::hover};
//! let (analysis, offset) = fixture("specificationVersion: jobtemplate-2023-09\nna$0me: J\n");
//! assert!(hover(&analysis, offset).is_some());
//! ```

use crate::analysis::{Analysis, Code, Options, analyze};
#[cfg(test)]
use crate::syntax::Span;

/// The cursor marker.
pub(crate) const CURSOR: &str = "$0";

/// Analyses `text_with_cursor` without its `$0` marker, as the editor
/// features see it (the reference validator off), and returns the analysis
/// and the marker's byte offset. Panics, at the caller, unless there is
/// exactly one marker.
#[track_caller]
pub fn fixture(text_with_cursor: &str) -> (Analysis, usize) {
    let (text, offset) = split_cursor(text_with_cursor);
    (analysis(&text), offset)
}

/// `text_with_cursor` without its `$0` marker, and the marker's offset.
/// Panics, at the caller, unless there is exactly one marker.
#[track_caller]
pub(crate) fn split_cursor(text_with_cursor: &str) -> (String, usize) {
    let Some(offset) = text_with_cursor.find(CURSOR) else {
        panic!("the fixture has no `{CURSOR}` cursor marker:\n{text_with_cursor}");
    };
    let text = text_with_cursor.replacen(CURSOR, "", 1);
    assert!(
        !text.contains(CURSOR),
        "the fixture has more than one `{CURSOR}` cursor marker:\n{text_with_cursor}"
    );
    (text, offset)
}

/// The analysis of a text without a cursor, as the editor features see it.
pub fn analysis(text: &str) -> Analysis {
    analyze(text, &Options::own())
}

/// `text_with_cursor` with a `$0` inserted before the `nth` (0-based)
/// occurrence of `needle`. Panics, at the caller, when there is none.
#[cfg(test)]
#[track_caller]
pub(crate) fn cursor_before(text: &str, needle: &str, nth: usize) -> String {
    let Some((i, _)) = text.match_indices(needle).nth(nth) else {
        panic!("no occurrence {nth} of `{needle}` in:\n{text}");
    };
    format!("{}{CURSOR}{}", &text[..i], &text[i..])
}

/// Applies non-overlapping edits to `text`.
#[cfg(test)]
pub(crate) fn apply_edits(text: &str, edits: &[(Span, String)]) -> String {
    let mut sorted: Vec<_> = edits.to_vec();
    sorted.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = text.to_string();
    for (span, new) in sorted {
        out.replace_range(span, &new);
    }
    out
}

/// The diagnostic codes of a text's analysis, for "no new errors" checks.
pub fn codes(text: &str) -> Vec<Code> {
    analysis(text).diagnostics.iter().map(|d| d.code).collect()
}
