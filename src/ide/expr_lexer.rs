//! A small, tolerant lexer for the text of one `{{ }}` expression or `let`
//! binding (the EXPR language, a Python subset), and the dotted-name chains
//! in it. It is not a parser (openjd-expr does the parsing); it only finds
//! where names, literals and operators are, so that editor features can
//! point at them. Every input gives tokens: an unterminated string runs to
//! the end of its line (or of the text, when triple-quoted), and a character
//! the language does not know becomes an `Unknown` token.
//!
//! All ranges are byte ranges relative to the lexed text.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier (also a keyword written after a `.`, as in `Param.if`).
    Name,
    /// `and or not in if else for` and the constants
    /// `True False None true false null`.
    Keyword,
    Number,
    /// A string literal with its prefix and quotes; see [`Token::terminated`].
    String,
    /// `+ - * / // % ** == != < <= > >= =` and the other operator characters.
    Operator,
    Dot,
    Comma,
    Colon,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    OpenBrace,
    CloseBrace,
    /// A character that starts no token of the language.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub range: Range<usize>,
    /// False only for a string literal with no closing quote.
    pub terminated: bool,
}

/// The words that are keywords when they do not follow a `.`.
pub(crate) const KEYWORDS: [&str; 13] = [
    "and", "or", "not", "in", "if", "else", "for", "True", "False", "None", "true", "false", "null",
];

pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn is_string_prefix(p: &str) -> bool {
    matches!(
        p.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "rb" | "br" | "fr" | "rf"
    )
}

const TWO_CHAR_OPS: [&str; 10] = ["**", "//", "==", "!=", "<=", ">=", "<<", ">>", ":=", "->"];

/// Splits `text` into tokens; whitespace (including line breaks) separates
/// tokens and produces none.
pub(crate) fn lex(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while let Some(c) = text.get(pos..).and_then(|r| r.chars().next()) {
        let start = pos;
        let push = |out: &mut Vec<Token>, kind: TokenKind, end: usize| {
            out.push(Token {
                kind,
                range: start..end,
                terminated: true,
            });
        };
        if c.is_whitespace() {
            pos += c.len_utf8();
            continue;
        }
        if is_name_start(c) {
            let end = text[start..]
                .char_indices()
                .find(|&(_, ch)| !is_name_char(ch))
                .map_or(text.len(), |(i, _)| start + i);
            let word = &text[start..end];
            if matches!(bytes.get(end), Some(b'\'' | b'"')) && is_string_prefix(word) {
                let (str_end, terminated) = string_end(text, end);
                out.push(Token {
                    kind: TokenKind::String,
                    range: start..str_end,
                    terminated,
                });
                pos = str_end;
                continue;
            }
            let after_dot = out.last().is_some_and(|t| t.kind == TokenKind::Dot);
            let kind = if is_keyword(word) && !after_dot {
                TokenKind::Keyword
            } else {
                TokenKind::Name
            };
            push(&mut out, kind, end);
            pos = end;
            continue;
        }
        if c == '\'' || c == '"' {
            let (end, terminated) = string_end(text, start);
            out.push(Token {
                kind: TokenKind::String,
                range: start..end,
                terminated,
            });
            pos = end;
            continue;
        }
        let next_is_digit = bytes.get(start + 1).is_some_and(u8::is_ascii_digit);
        if c.is_ascii_digit() || (c == '.' && next_is_digit) {
            let end = number_end(text, start);
            push(&mut out, TokenKind::Number, end);
            pos = end;
            continue;
        }
        let rest = &text[start..];
        if let Some(op) = TWO_CHAR_OPS.iter().find(|op| rest.starts_with(**op)) {
            push(&mut out, TokenKind::Operator, start + op.len());
            pos = start + op.len();
            continue;
        }
        let kind = match c {
            '.' => TokenKind::Dot,
            ',' => TokenKind::Comma,
            ':' => TokenKind::Colon,
            '(' => TokenKind::OpenParen,
            ')' => TokenKind::CloseParen,
            '[' => TokenKind::OpenBracket,
            ']' => TokenKind::CloseBracket,
            '{' => TokenKind::OpenBrace,
            '}' => TokenKind::CloseBrace,
            '+' | '-' | '*' | '/' | '%' | '<' | '>' | '=' | '~' | '&' | '|' | '^' | '@' | '!' => {
                TokenKind::Operator
            }
            _ => TokenKind::Unknown,
        };
        push(&mut out, kind, start + c.len_utf8());
        pos = start + c.len_utf8();
    }
    out
}

/// The end of the string literal whose opening quote is at `quote_at`, and
/// whether it is closed. A backslash always protects the next character
/// (also in raw strings, as in Python).
fn string_end(text: &str, quote_at: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let Some(&q) = bytes.get(quote_at) else {
        return (text.len(), false);
    };
    let triple = bytes.get(quote_at + 1) == Some(&q) && bytes.get(quote_at + 2) == Some(&q);
    let mut i = quote_at + if triple { 3 } else { 1 };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            i += 2;
            continue;
        }
        if triple {
            if b == q && bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q) {
                return (i + 3, true);
            }
        } else if b == q {
            return (i + 1, true);
        } else if b == b'\n' || b == b'\r' {
            return (i, false);
        }
        i += 1;
    }
    (text.len(), false)
}

/// The end of a numeric literal starting at `start`: digits, letters
/// (radix prefixes, hex digits, exponents, and any suffix the parser will
/// reject), `_`, one fractional point and a signed exponent.
fn number_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let radix = bytes.get(start) == Some(&b'0')
        && matches!(
            bytes.get(start + 1),
            Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        );
    let mut i = start;
    let mut seen_dot = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' {
            let exponent = !radix && (b == b'e' || b == b'E');
            i += 1;
            if exponent && matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
        } else if b == b'.' && !seen_dot && !radix {
            // `1.` and `1.5` are floats; `1..` is not our problem.
            seen_dot = true;
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// A dotted name as written: `Param.Frame`, `Task.File.Run.name`,
/// `frames` (a bare name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    /// Each name with its range; the dots (and any spaces around them) lie
    /// between.
    pub parts: Vec<(String, Range<usize>)>,
    /// The chain is immediately followed by `(`: its last part is called
    /// (a function, or a method on the rest of the chain).
    pub call: bool,
}

impl Chain {
    /// From the first part's start to the last part's end.
    pub fn range(&self) -> Range<usize> {
        match (self.parts.first(), self.parts.last()) {
            (Some(f), Some(l)) => f.1.start..l.1.end,
            _ => 0..0,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|(n, _)| n.as_str())
    }

    /// The parts joined with `.`.
    pub fn dotted(&self) -> String {
        self.names().collect::<Vec<_>>().join(".")
    }

    pub fn first(&self) -> &str {
        self.parts.first().map_or("", |(n, _)| n.as_str())
    }
}

/// The tokens of an expression with its dotted-name chains and the names its
/// comprehensions bind.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    /// Chains that start a primary expression: a name not written after a
    /// `.` (so `x` in `(a).x` or `'s'.upper` starts none).
    pub chains: Vec<Chain>,
    /// Names bound by `for <name>` (comprehension locals), with the range of
    /// each binding occurrence.
    pub locals: Vec<(String, Range<usize>)>,
}

impl Lexed {
    pub(crate) fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|(n, _)| n == name)
    }
}

/// Lexes `text` and groups its names into chains.
pub fn analyze(text: &str) -> Lexed {
    let tokens = lex(text);
    let word = |t: &Token| text.get(t.range.clone()).unwrap_or("").to_string();
    let mut chains = Vec::new();
    let mut locals = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.kind == TokenKind::Keyword
            && text.get(t.range.clone()) == Some("for")
            && let Some(n) = tokens.get(i + 1).filter(|n| n.kind == TokenKind::Name)
        {
            locals.push((word(n), n.range.clone()));
        }
        let starts_chain =
            t.kind == TokenKind::Name && !(i > 0 && tokens[i - 1].kind == TokenKind::Dot);
        if !starts_chain {
            i += 1;
            continue;
        }
        let mut parts = vec![(word(t), t.range.clone())];
        let mut j = i + 1;
        while j + 1 < tokens.len()
            && tokens[j].kind == TokenKind::Dot
            && tokens[j + 1].kind == TokenKind::Name
        {
            parts.push((word(&tokens[j + 1]), tokens[j + 1].range.clone()));
            j += 2;
        }
        let call = tokens
            .get(j)
            .is_some_and(|n| n.kind == TokenKind::OpenParen);
        chains.push(Chain { parts, call });
        i = j;
    }
    Lexed {
        tokens,
        chains,
        locals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.range]))
            .collect()
    }

    #[test]
    fn names_operators_and_literals() {
        use TokenKind::*;
        assert_eq!(
            kinds("repr_sh(Param.Frame) + 1.5e-3 // 0x1F"),
            vec![
                (Name, "repr_sh"),
                (OpenParen, "("),
                (Name, "Param"),
                (Dot, "."),
                (Name, "Frame"),
                (CloseParen, ")"),
                (Operator, "+"),
                (Number, "1.5e-3"),
                (Operator, "//"),
                (Number, "0x1F"),
            ]
        );
        assert_eq!(
            kinds("x if not y else None"),
            vec![
                (Name, "x"),
                (Keyword, "if"),
                (Keyword, "not"),
                (Name, "y"),
                (Keyword, "else"),
                (Keyword, "None"),
            ]
        );
        // Keywords are names after a dot.
        assert_eq!(kinds("Param.if")[2], (Name, "if"));
        assert_eq!(
            kinds(r#"'a\'b' "c" r'\d' '''x'y''' .5 a[1:2]"#),
            vec![
                (String, r"'a\'b'"),
                (String, "\"c\""),
                (String, r"r'\d'"),
                (String, "'''x'y'''"),
                (Number, ".5"),
                (Name, "a"),
                (OpenBracket, "["),
                (Number, "1"),
                (Colon, ":"),
                (Number, "2"),
                (CloseBracket, "]"),
            ]
        );
    }

    #[test]
    fn unterminated_and_unknown_input() {
        let t = lex("'abc");
        assert_eq!(t.len(), 1);
        assert!(!t[0].terminated);
        let t = lex("'ab\nc'");
        assert_eq!(t[0].range, 0..3);
        assert!(!t[0].terminated);
        let t = lex("\"\"\"never");
        assert_eq!(t[0].range, 0..8);
        assert_eq!(lex("$ é ?")[0].kind, TokenKind::Unknown);
        assert_eq!(lex("é")[0].kind, TokenKind::Name);
        // Every prefix of a tricky text lexes without panicking.
        let tricky = "r'\\é\"'''\\ 1e+ 0x. é.5 'ü";
        for (i, _) in tricky.char_indices() {
            let _ = analyze(&tricky[..i]);
            let _ = analyze(&tricky[i..]);
        }
    }

    #[test]
    fn chains_and_locals() {
        let l = analyze("repr_sh(Param.Frame) + Task.File.Run.name");
        let dotted: Vec<String> = l.chains.iter().map(Chain::dotted).collect();
        assert_eq!(dotted, ["repr_sh", "Param.Frame", "Task.File.Run.name"]);
        assert!(l.chains[0].call);
        assert!(!l.chains[1].call);
        assert_eq!(l.chains[1].parts[1].1, 14..19);
        let l = analyze("[f.stem for f in Param.Files if f.suffix == '.exr']");
        assert!(l.is_local("f"));
        assert_eq!(l.locals[0].1, 12..13);
        let dotted: Vec<String> = l.chains.iter().map(Chain::dotted).collect();
        assert_eq!(dotted, ["f.stem", "f", "Param.Files", "f.suffix"]);
        // A member of a non-name expression starts no chain.
        let l = analyze("'a'.upper() + (x).y + Param . X.lower()");
        let dotted: Vec<String> = l.chains.iter().map(Chain::dotted).collect();
        assert_eq!(dotted, ["x", "Param.X.lower"]);
        assert!(l.chains[1].call);
    }
}
