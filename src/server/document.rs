//! An open document: its text, its version, and the conversion of LSP
//! positions (UTF-8 or UTF-16) to byte offsets in it. Edits whose range
//! lies outside the document are clamped, never a panic.
//!
//! The text is shared with the analyses of its versions, so a large
//! document is held once; an edit writes a new text (a copy, which costs a
//! millisecond on a 10 MiB document, next to the hundreds its analysis
//! takes).

use std::sync::Arc;

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

    pub fn text(&self) -> String {
        self.text.to_string()
    }
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

    #[test]
    fn out_of_range_edits_are_clamped() {
        let mut d = Document::new("ab\ncd", 1);
        assert!(d.apply(Some((pos(0, 50), pos(7, 3))), "X", PositionEncoding::Utf16));
        assert_eq!(d.text(), "abX");
        assert!(d.apply(Some((pos(9, 0), pos(9, 0))), "!", PositionEncoding::Utf16));
        assert_eq!(d.text(), "abX!");
    }
}
