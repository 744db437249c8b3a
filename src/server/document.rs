//! An open document: its text, its version, and the conversion of LSP
//! positions (UTF-8 or UTF-16) to byte offsets in it. Edits whose range
//! lies outside the document are clamped, never a panic.
//!
//! The text is shared with the analyses of its versions, so a large
//! document is held once; an edit writes a new text (a copy, which costs a
//! millisecond on a 10 MiB document, next to the hundreds its analysis
//! takes).

use std::sync::Arc;

use ropey::Rope;

use crate::analysis::Format;
use crate::text::{PositionEncoding, column_offset, find_line};

#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub text: Arc<str>,
    pub version: i32,
    /// YAML or JSON, by the file's extension, else by the client's
    /// languageId (untitled buffers); `None`: by content.
    pub format: Option<Format>,
}

/// A position as the client sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClientPosition {
    pub line: u32,
    pub character: u32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Document {
            text: Arc::from(text),
            version,
            format: None,
        }
    }

    /// The document's format from its path (`.yaml`, `.yml`, `.json`) or,
    /// without one, from the languageId the client opened it with.
    pub(crate) fn with_format(self, path: Option<&std::path::Path>, language_id: &str) -> Self {
        let by_language = match language_id {
            "json" | "jsonc" => Some(Format::Json),
            "yaml" => Some(Format::Yaml),
            _ => None,
        };
        Document {
            format: path.and_then(Format::from_path).or(by_language),
            ..self
        }
    }

    /// Byte offset of a client position, and whether it had to be clamped
    /// (a line past the end, or a column past its line's end).
    pub fn offset(&self, pos: ClientPosition, encoding: PositionEncoding) -> (usize, bool) {
        match find_line(&self.text, pos.line as usize) {
            Some(line) => column_offset(&self.text, line, pos.character, encoding),
            None => (self.text.len(), true),
        }
    }

    /// Apply one content change: a range edit, or the whole text when `range`
    /// is `None`. Returns true when the range had to be clamped.
    pub fn apply(
        &mut self,
        range: Option<(ClientPosition, ClientPosition)>,
        text: &str,
        encoding: PositionEncoding,
    ) -> bool {
        let Some((start, end)) = range else {
            self.text = Arc::from(text);
            return false;
        };
        let (mut a, clamped_a) = self.offset(start, encoding);
        let (mut b, clamped_b) = self.offset(end, encoding);
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        let old = &self.text;
        let mut edited = String::with_capacity(old.len() - (b - a) + text.len());
        edited.push_str(&old[..a]);
        edited.push_str(text);
        edited.push_str(&old[b..]);
        self.text = Arc::from(edited);
        clamped_a || clamped_b
    }

    /// Apply a didChange's content changes in order. A few are applied one
    /// by one; many (a client may send thousands in one message) go through
    /// a rope, so that each costs O(log n) rather than a copy of the whole
    /// text. Returns true when some range had to be clamped.
    pub fn apply_all(
        &mut self,
        changes: &[(Option<(ClientPosition, ClientPosition)>, &str)],
        encoding: PositionEncoding,
    ) -> bool {
        if changes.len() <= EDITS_APPLIED_ONE_BY_ONE {
            let mut clamped = false;
            for (range, text) in changes {
                clamped |= self.apply(*range, text, encoding);
            }
            return clamped;
        }
        let mut rope = Rope::from_str(&self.text);
        let mut clamped = false;
        for (range, text) in changes {
            let Some((start, end)) = range else {
                rope = Rope::from_str(text);
                continue;
            };
            let (a, clamped_a) = rope_offset(&rope, *start, encoding);
            let (b, clamped_b) = rope_offset(&rope, *end, encoding);
            let (a, b) = (a.min(b), a.max(b));
            rope.remove(a..b);
            rope.insert(a, text);
            clamped |= clamped_a || clamped_b;
        }
        self.text = Arc::from(String::from(rope));
        clamped
    }

    pub fn text(&self) -> String {
        self.text.to_string()
    }
}

/// Content changes of one didChange applied to the text one by one (each a
/// copy of the text); past this many, through a rope.
const EDITS_APPLIED_ONE_BY_ONE: usize = 4;

/// [`Document::offset`] on a rope, in chars: the same line breaks (`\n`,
/// `\r\n`, `\r`), the same clamping, and a column inside a character
/// gives that character's start.
fn rope_offset(rope: &Rope, pos: ClientPosition, encoding: PositionEncoding) -> (usize, bool) {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return (rope.len_chars(), true);
    }
    let start = rope.line_to_char(line);
    let content = rope.line(line);
    let mut len = content.len_chars();
    if len > 0 && content.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && content.char(len - 1) == '\r' {
        len -= 1;
    }
    let end = start + len;
    let wanted = pos.character as usize;
    let (line_start, line_end, to_char): (usize, usize, fn(&Rope, usize) -> usize) = match encoding
    {
        PositionEncoding::Utf8 => (
            rope.char_to_byte(start),
            rope.char_to_byte(end),
            Rope::byte_to_char,
        ),
        PositionEncoding::Utf16 => (
            rope.char_to_utf16_cu(start),
            rope.char_to_utf16_cu(end),
            Rope::utf16_cu_to_char,
        ),
    };
    let target = line_start.saturating_add(wanted);
    if target >= line_end {
        return (end, target > line_end);
    }
    (to_char(rope, target), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> ClientPosition {
        ClientPosition { line, character }
    }

    #[test]
    fn edits_in_both_encodings() {
        let mut d = Document::new("a: é😀x\r\nb: 2\n", 1);
        // Replace `x` (UTF-16 column 6, UTF-8 column 9).
        d.apply(Some((pos(0, 6), pos(0, 7))), "y", PositionEncoding::Utf16);
        assert_eq!(d.text(), "a: é😀y\r\nb: 2\n");
        d.apply(Some((pos(0, 9), pos(0, 10))), "z", PositionEncoding::Utf8);
        assert_eq!(d.text(), "a: é😀z\r\nb: 2\n");
        d.apply(Some((pos(1, 3), pos(1, 4))), "3", PositionEncoding::Utf16);
        assert_eq!(d.text(), "a: é😀z\r\nb: 3\n");
    }

    #[test]
    fn every_line_break_counts_once() {
        let mut d = Document::new("a\r\nb\rc\nd", 1);
        d.apply(Some((pos(1, 0), pos(1, 1))), "B", PositionEncoding::Utf16);
        d.apply(Some((pos(2, 0), pos(2, 1))), "C", PositionEncoding::Utf8);
        d.apply(Some((pos(3, 1), pos(3, 1))), "!", PositionEncoding::Utf16);
        assert_eq!(d.text(), "a\r\nB\rC\nd!");
        // A position inside a surrogate pair or a multi-byte character
        // falls back to the character's start.
        let mut d = Document::new("😀é", 1);
        d.apply(Some((pos(0, 1), pos(0, 1))), "x", PositionEncoding::Utf16);
        d.apply(Some((pos(0, 6), pos(0, 6))), "y", PositionEncoding::Utf8);
        assert_eq!(d.text(), "x😀yé");
    }

    /// Many changes in one didChange go through a rope: the text and the
    /// clamping are exactly those of applying them one by one, for edits
    /// in every line-break style, across multi-byte characters and
    /// surrogate pairs, inside and past lines, in both encodings.
    #[test]
    fn many_changes_give_what_one_by_one_gives() {
        let pieces = ["a", "é", "😀", "\n", "\r\n", "\r", "", "xyz", "\r😀\n"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..300 {
            let encoding = if round % 2 == 0 {
                PositionEncoding::Utf16
            } else {
                PositionEncoding::Utf8
            };
            let text: String = (0..next(30)).map(|_| pieces[next(pieces.len())]).collect();
            let edits: Vec<(Option<(ClientPosition, ClientPosition)>, &str)> = (0..5 + next(20))
                .map(|_| {
                    let range = if next(25) == 0 {
                        None
                    } else {
                        let start = pos(next(8) as u32, next(9) as u32);
                        Some((start, pos(next(8) as u32, next(9) as u32)))
                    };
                    (range, pieces[next(pieces.len())])
                })
                .collect();
            let mut one_by_one = Document::new(&text, 1);
            let clamped: Vec<bool> = edits
                .iter()
                .map(|(r, t)| one_by_one.apply(*r, t, encoding))
                .collect();
            let mut batched = Document::new(&text, 1);
            let any = batched.apply_all(&edits, encoding);
            assert_eq!(batched.text(), one_by_one.text(), "{text:?} {edits:?}");
            assert_eq!(any, clamped.contains(&true), "{text:?} {edits:?}");
        }
    }

    #[test]
    fn out_of_range_edits_are_clamped() {
        let mut d = Document::new("ab\ncd", 1);
        assert!(d.apply(Some((pos(0, 50), pos(7, 3))), "X", PositionEncoding::Utf16));
        assert_eq!(d.text(), "abX");
        assert!(d.apply(Some((pos(9, 0), pos(9, 0))), "!", PositionEncoding::Utf16));
        assert_eq!(d.text(), "abX!");
    }
}
