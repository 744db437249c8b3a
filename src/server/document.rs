//! An open document: its text as a rope, its version, and the conversion of
//! LSP positions (UTF-8 or UTF-16) to places in the rope. Edits whose range
//! lies outside the document are clamped, never a panic.

use ropey::Rope;

use crate::analysis::Format;
use crate::text::PositionEncoding;

#[derive(Clone, Debug)]
pub(crate) struct Document {
    pub rope: Rope,
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
            rope: Rope::from_str(text),
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

    /// Char index of a client position, and whether it had to be clamped.
    pub fn char_index(&self, pos: ClientPosition, encoding: PositionEncoding) -> (usize, bool) {
        let rope = &self.rope;
        let lines = rope.len_lines();
        let line = pos.line as usize;
        if line >= lines {
            return (rope.len_chars(), true);
        }
        let start = rope.line_to_char(line);
        let mut end = if line + 1 < lines {
            rope.line_to_char(line + 1)
        } else {
            rope.len_chars()
        };
        // The line's content ends before its line break.
        while end > start && matches!(rope.char(end - 1), '\n' | '\r') {
            end -= 1;
        }
        let wanted = pos.character as usize;
        match encoding {
            PositionEncoding::Utf16 => {
                let base = rope.char_to_utf16_cu(start);
                let limit = rope.char_to_utf16_cu(end);
                let target = base + wanted;
                if target > limit {
                    return (end, true);
                }
                (rope.utf16_cu_to_char(target), false)
            }
            PositionEncoding::Utf8 => {
                let base = rope.char_to_byte(start);
                let limit = rope.char_to_byte(end);
                let target = base + wanted;
                if target > limit {
                    return (end, true);
                }
                (rope.byte_to_char(target), false)
            }
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
            self.rope = Rope::from_str(text);
            return false;
        };
        let (mut a, clamped_a) = self.char_index(start, encoding);
        let (mut b, clamped_b) = self.char_index(end, encoding);
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        self.rope.remove(a..b);
        self.rope.insert(a, text);
        clamped_a || clamped_b
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
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
    fn out_of_range_edits_are_clamped() {
        let mut d = Document::new("ab\ncd", 1);
        assert!(d.apply(Some((pos(0, 50), pos(7, 3))), "X", PositionEncoding::Utf16));
        assert_eq!(d.text(), "abX");
        assert!(d.apply(Some((pos(9, 0), pos(9, 0))), "!", PositionEncoding::Utf16));
        assert_eq!(d.text(), "abX!");
    }
}
