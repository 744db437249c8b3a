//! Document text made safe to print in the human output of `check`: a
//! key, a message or a file name is written as the document or the file
//! system gives it, and neither may drive the terminal (escape sequences
//! set its title or clear it) or start a line of its own (a file name
//! holding a newline could forge a `::error` line in a CI log). A long
//! source line is shown as a window around the range.

use std::borrow::Cow;

/// Columns of a source line shown under a diagnostic.
pub(crate) const WINDOW: usize = 120;

/// Columns kept before the range when the line is cut.
const CONTEXT_BEFORE: usize = 40;

/// Characters of a message printed; the rest is cut (a message can quote
/// a key or value of any length, once per diagnostic).
const MESSAGE_CHARS: usize = 4_000;

const CUT: char = '…';

/// Whether `c` is shown escaped: control characters, and the Unicode
/// direction overrides and isolates, which reorder what a reader sees.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How one character of a source line is shown (a tab as one space, so
/// the caret below it lines up).
fn push_shown(out: &mut String, c: char) {
    match c {
        '\t' => out.push(' '),
        c if hidden(c) => push_escaped(out, c),
        c => out.push(c),
    }
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Columns one character takes as [`push_shown`] writes it.
fn shown_width(c: char) -> usize {
    match c {
        '\t' => 1,
        c if hidden(c) => {
            let mut s = String::new();
            push_escaped(&mut s, c);
            s.len()
        }
        _ => 1,
    }
}

/// `text` with every control character escaped (`\n`, `\x1b`, `\u{202e}`),
/// and cut short past [`MESSAGE_CHARS`].
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    let long = text.len() > MESSAGE_CHARS && text.chars().nth(MESSAGE_CHARS).is_some();
    if !long && !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MESSAGE_CHARS * 4));
    for (i, c) in text.chars().enumerate() {
        if i == MESSAGE_CHARS {
            out.push(CUT);
            break;
        }
        if hidden(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A source line as shown under a diagnostic, with where its caret goes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Snippet {
    pub text: String,
    /// Columns before the first caret.
    pub caret_at: usize,
    /// Carets under the range (at least one).
    pub carets: usize,
}

/// The part of `line` to show for the range `start..end` (byte offsets in
/// `line`, on character boundaries): all of it when it fits in
/// [`WINDOW`] columns, else a window from a little before `start`, cut
/// ends marked `…`. Only the window is read, so a diagnostic on a line of
/// any length costs the same.
pub(crate) fn snippet(line: &str, start: usize, end: usize) -> Snippet {
    let start = floor_boundary(line, start.min(line.len()));
    let end = floor_boundary(line, end.clamp(start, line.len()));
    let fits = {
        let mut width = 0;
        line.chars().all(|c| {
            width += shown_width(c);
            width <= WINDOW
        })
    };
    let left = if fits {
        0
    } else {
        let mut width = 0;
        let mut left = start;
        for (i, c) in line[..start].char_indices().rev() {
            width += shown_width(c);
            if width > CONTEXT_BEFORE {
                break;
            }
            left = i;
        }
        left
    };
    let mut text = String::new();
    let mut used = 0;
    if left > 0 {
        text.push(CUT);
        used += 1;
    }
    let mut caret_at = used;
    let mut carets = 0;
    for (i, c) in line[left..].char_indices() {
        let at = left + i;
        let w = shown_width(c);
        if !fits && used + w > WINDOW - 1 {
            text.push(CUT);
            break;
        }
        if at == start {
            caret_at = used;
        }
        if at >= start && at < end {
            carets += w;
        }
        push_shown(&mut text, c);
        used += w;
    }
    if start >= line.len() {
        caret_at = used;
    }
    Snippet {
        text,
        caret_at,
        carets: carets.max(1),
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(visible("plain `key`"), "plain `key`");
        assert_eq!(
            visible("key `\u{1b}]0;title\u{7}\u{1b}[2J`\n::error x"),
            "key `\\x1b]0;title\\x07\\x1b[2J`\\n::error x"
        );
        assert_eq!(visible("a\u{202e}b"), "a\\u{202e}b");
    }

    #[test]
    fn a_short_line_is_shown_whole_with_tabs_as_spaces() {
        let s = snippet("\tkey: value", 1, 4);
        assert_eq!(s.text, " key: value");
        assert_eq!((s.caret_at, s.carets), (1, 3));
    }

    #[test]
    fn an_escaped_character_moves_the_caret_by_its_width() {
        let s = snippet("a\u{1b}b: 1", 2, 3);
        assert_eq!(s.text, "a\\x1bb: 1");
        assert_eq!((s.caret_at, s.carets), (5, 1));
    }

    #[test]
    fn a_long_line_is_a_window_around_the_range() {
        let line = format!("{}KEY{}", "x".repeat(5_000), "y".repeat(5_000));
        let s = snippet(&line, 5_000, 5_003);
        assert!(s.text.chars().count() <= WINDOW, "{}", s.text);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        let shown: String = s.text.chars().skip(s.caret_at).take(s.carets).collect();
        assert_eq!(shown, "KEY");
    }

    #[test]
    fn a_range_past_the_window_gets_carets_up_to_its_edge() {
        let line = "z".repeat(1_000);
        let s = snippet(&line, 10, 1_000);
        assert_eq!(s.caret_at, 10);
        assert_eq!(s.caret_at + s.carets, WINDOW - 1);
    }

    #[test]
    fn a_range_at_the_end_of_the_line_points_past_it() {
        let s = snippet("key:", 4, 4);
        assert_eq!((s.caret_at, s.carets), (4, 1));
    }
}
