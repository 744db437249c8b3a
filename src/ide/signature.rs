//! Signature help inside EXPR function calls.

use crate::analysis::Analysis;
use crate::analysis::scope::library;
use crate::schema::Extension;

use super::context::{Context, context_at, cursor_doc};

#[derive(Clone, Debug, PartialEq)]
pub struct SignatureHelp {
    pub function: String,
    /// Each overload, e.g. `join(list[string], string) -> string`.
    pub signatures: Vec<String>,
    pub active_parameter: usize,
}

/// The innermost call the text `before` is inside: the function name and
/// how many arguments come before the cursor.
fn open_call(before: &str) -> Option<(String, usize)> {
    let mut depth_commas: Vec<(usize, usize)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut chars = before.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(_) if c == '\\' => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' => depth_commas.push((i, 0)),
                ')' | ']' => {
                    depth_commas.pop();
                }
                ',' => {
                    if let Some(top) = depth_commas.last_mut() {
                        top.1 += 1;
                    }
                }
                _ => {}
            },
        }
    }
    let &(open, commas) = depth_commas.last()?;
    if before.as_bytes().get(open) != Some(&b'(') {
        return None;
    }
    let head = before[..open].trim_end();
    let name_len = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let name = &head[head.len() - name_len..];
    (!name.is_empty()).then(|| (name.to_string(), commas))
}

pub fn signature_help(analysis: &Analysis, offset: usize) -> Option<SignatureHelp> {
    if !analysis.exts().has(Extension::Expr) {
        return None;
    }
    let doc = cursor_doc(analysis, offset);
    let Context::Expression { site, before, .. } = context_at(analysis, &doc, offset) else {
        return None;
    };
    let (function, active_parameter) = open_call(&before)?;
    let lib = library(site.class);
    let signatures: Vec<String> = lib
        .get_signatures(&function)
        .iter()
        .map(|e| format!("{function}{}", e.signature))
        .collect();
    (!signatures.is_empty()).then_some(SignatureHelp {
        function,
        signatures,
        active_parameter,
    })
}

#[cfg(test)]
mod tests {
    use super::open_call;

    #[test]
    fn finds_the_innermost_open_call() {
        assert_eq!(open_call("join(Param.X, "), Some(("join".into(), 1)));
        assert_eq!(
            open_call("upper(repr_sh('a,b'"),
            Some(("repr_sh".into(), 0))
        );
        assert_eq!(open_call("f(g(1), [1, 2], "), Some(("f".into(), 2)));
        assert_eq!(open_call("[1, 2"), None);
        assert_eq!(open_call("x"), None);
    }
}
