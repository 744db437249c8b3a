//! Rules of a step's `parameterSpace` beyond the shape the schema table
//! checks (§3.2): the `combination` expression, read with the grammar of the
//! specification and held to naming each task parameter exactly once, and
//! at most one CHUNK[INT] task parameter per step, which may not be paired
//! in an associative group `( , )`.
//!
//! ```text
//! Expr := Elem ('*' Elem)*
//! Elem := Identifier | '(' Expr (',' Expr)* ')'
//! ```

use std::ops::Range;

use crate::syntax::{Node, ScalarKind, ScalarMap, nesting};

use super::codes::Code;
use super::diagnostic::{Diagnostic, did_you_mean};
use super::structure::pattern_problem;
use crate::schema::Pattern;

pub fn check(text: &str, root: &Node, diags: &mut Vec<Diagnostic>) {
    let steps = root.get("steps").and_then(Node::items).unwrap_or(&[]);
    for step in steps {
        let Some(space) = step.get("parameterSpace") else {
            continue;
        };
        let params: Vec<Param> = space
            .get("taskParameterDefinitions")
            .and_then(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|p| {
                Some(Param {
                    name: p.get("name")?.as_str()?,
                    chunked: p
                        .get("type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.eq_ignore_ascii_case("CHUNK[INT]")),
                    type_node: p.get("type")?,
                })
            })
            .collect();
        chunk_count(&params, diags);
        if let Some(comb) = space.get("combination") {
            combination(text, comb, &params, diags);
        }
    }
}

struct Param<'a> {
    name: &'a str,
    chunked: bool,
    type_node: &'a Node,
}

fn chunk_count(params: &[Param], diags: &mut Vec<Diagnostic>) {
    let mut chunked = params.iter().filter(|p| p.chunked);
    let Some(first) = chunked.next() else { return };
    for other in chunked {
        diags.push(
            Diagnostic::new(
                Code::MultipleChunkParameters,
                other.type_node.span.clone(),
                format!(
                    "A step may have only one CHUNK[INT] task parameter, and `{}` already is one; make `{}` an INT parameter or move it to a step of its own",
                    first.name, other.name
                ),
            )
            .with_related(first.type_node.span.clone(), "the step's CHUNK[INT] parameter"),
        );
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Name,
    Star,
    Open,
    Close,
    Comma,
}

/// A name of the expression, with its place and its group depth.
struct Use<'a> {
    name: &'a str,
    at: Range<usize>,
    grouped: bool,
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    depth: usize,
    uses: Vec<Use<'a>>,
}

type Problem = (Range<usize>, String);

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let mut toks = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let tok = match b {
                b'*' => Some(Tok::Star),
                b'(' => Some(Tok::Open),
                b')' => Some(Tok::Close),
                b',' => Some(Tok::Comma),
                _ => None,
            };
            if let Some(t) = tok {
                toks.push((t, i..i + 1));
                i += 1;
            } else if b.is_ascii_alphanumeric() || b == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                toks.push((Tok::Name, start..i));
            } else {
                // Spaces (other characters are refused by the schema's pattern).
                i += 1;
            }
        }
        Parser {
            text,
            toks,
            pos: 0,
            depth: 0,
            uses: Vec::new(),
        }
    }

    fn peek(&self) -> Option<&(Tok, Range<usize>)> {
        self.toks.get(self.pos)
    }

    /// Where a missing token belongs: the next token, or the end.
    fn here(&self) -> Range<usize> {
        self.peek()
            .map_or(self.text.len()..self.text.len(), |(_, r)| r.clone())
    }

    fn expr(&mut self) -> Result<(), Problem> {
        self.elem()?;
        while let Some((Tok::Star, _)) = self.peek() {
            self.pos += 1;
            self.elem()?;
        }
        Ok(())
    }

    fn elem(&mut self) -> Result<(), Problem> {
        match self.peek().cloned() {
            Some((Tok::Name, r)) => {
                self.pos += 1;
                self.uses.push(Use {
                    name: &self.text[r.clone()],
                    at: r,
                    grouped: self.depth > 0,
                });
                Ok(())
            }
            Some((Tok::Open, open)) => {
                self.pos += 1;
                self.depth += 1;
                self.expr()?;
                while let Some((Tok::Comma, _)) = self.peek() {
                    self.pos += 1;
                    self.expr()?;
                }
                match self.peek() {
                    Some((Tok::Close, _)) => {
                        self.pos += 1;
                        self.depth -= 1;
                        Ok(())
                    }
                    Some((Tok::Name, r)) => Err((
                        r.clone(),
                        "Expected `*`, `,` or `)` before this parameter; write `A * B` for every pair of values, `(A, B)` to pair them in order".into(),
                    )),
                    _ => Err((
                        open,
                        "This `(` is not closed; add `)` after the group".into(),
                    )),
                }
            }
            Some((_, r)) => Err((
                r,
                "Expected a task parameter name or `(` here".into(),
            )),
            None => Err((
                self.here(),
                "Expected a task parameter name or `(` at the end; remove the trailing operator or add a parameter".into(),
            )),
        }
    }

    fn parse(mut self) -> Result<Vec<Use<'a>>, Problem> {
        self.expr()?;
        match self.peek() {
            None => Ok(self.uses),
            Some((Tok::Name, r)) => Err((
                r.clone(),
                "Missing operator before this parameter; join parameters with `*` (every pair of values) or group them as `(A, B)` (values paired in order)".into(),
            )),
            Some((Tok::Close, r)) => Err((
                r.clone(),
                "This `)` has no matching `(`; remove it or open the group".into(),
            )),
            Some((_, r)) => Err((
                r.clone(),
                "Expected `*` between parameters here".into(),
            )),
        }
    }
}

/// Groups past which a combination is not parsed.
const MAX_GROUP_NESTING: usize = 64;

fn combination(text: &str, node: &Node, params: &[Param], diags: &mut Vec<Diagnostic>) {
    let Some(s) = node.scalar().filter(|s| s.kind() == ScalarKind::Str) else {
        return;
    };
    let value = s.value.as_str();
    // An empty expression, or one with characters outside the grammar, is
    // the schema's to report.
    if value.trim().is_empty() || pattern_problem(Pattern::Combination, value).is_some() {
        return;
    }
    let map = ScalarMap::new(text, &node.span, s.style, value);
    // The parser below, and the runtime's when it creates the job, descend
    // once per group: past this the stack, not the grammar, would decide.
    let depth = nesting::bracket_depth(value);
    if depth > MAX_GROUP_NESTING {
        diags.push(Diagnostic::new(
            Code::ExpressionTooLarge,
            node.span.clone(),
            format!(
                "This combination nests {depth} groups deep; past {MAX_GROUP_NESTING} it is not checked. A step has at most 16 task parameters, so no combination needs more than a few levels: remove the redundant parentheses (the runtime reads combinations with a parser that descends once per group)"
            ),
        ));
        return;
    }
    let uses = match Parser::new(value).parse() {
        Ok(uses) => uses,
        Err((at, message)) => {
            diags.push(Diagnostic::new(
                Code::InvalidCombination,
                map.range_to_source(at),
                message,
            ));
            return;
        }
    };
    let names: Vec<&str> = params.iter().map(|p| p.name).collect();
    let mut seen: Vec<&Use> = Vec::new();
    for u in &uses {
        let span = map.range_to_source(u.at.clone());
        if let Some(first) = seen.iter().find(|s| s.name == u.name) {
            diags.push(
                Diagnostic::new(
                    Code::InvalidCombination,
                    span,
                    format!("`{}` appears twice; each task parameter appears exactly once, so remove this one", u.name),
                )
                .with_related(map.range_to_source(first.at.clone()), "first used here"),
            );
            continue;
        }
        seen.push(u);
        match params.iter().find(|p| p.name == u.name) {
            None => {
                let mut d = Diagnostic::new(
                    Code::InvalidCombination,
                    span,
                    format!(
                        "No task parameter of this step is named `{}`; the step defines {}",
                        u.name,
                        list(&names)
                    ),
                );
                if let Some(best) = did_you_mean(u.name, names.iter().copied()) {
                    d.message.push_str(&format!("; did you mean `{best}`?"));
                    d = d.with_suggestion(best);
                }
                diags.push(d);
            }
            Some(p) if p.chunked && u.grouped => diags.push(Diagnostic::new(
                Code::InvalidCombination,
                span,
                format!(
                    "`{}` is a CHUNK[INT] parameter and cannot be in an associative group `( , )`; combine it with `*` instead",
                    u.name
                ),
            )),
            Some(_) => {}
        }
    }
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !uses.iter().any(|u| u.name == *n))
        .collect();
    if !missing.is_empty() {
        let (what, fix) = if missing.len() == 1 {
            ("task parameter", format!("add `* {}`", missing[0]))
        } else {
            ("task parameters", "add each of them".to_string())
        };
        diags.push(Diagnostic::new(
            Code::InvalidCombination,
            node.span.clone(),
            format!(
                "The combination leaves out the {what} {}; every task parameter appears exactly once, so {fix}",
                list(&missing)
            ),
        ));
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The combination's problems: (the text each is on, its message).
    fn problems(combination: &str) -> Vec<(String, String)> {
        let params = [("A", "INT"), ("B", "INT"), ("C", "CHUNK[INT]")]
            .iter()
            .map(|(n, t)| format!("        - {{name: {n}, type: \"{t}\", range: \"1-2\"}}\n"))
            .collect::<String>();
        let text = format!(
            "steps:\n  - parameterSpace:\n      taskParameterDefinitions:\n{params}      combination: \"{combination}\"\n"
        );
        let root = crate::syntax::parse(&text).root.expect("parses");
        let mut diags = Vec::new();
        check(&text, &root, &mut diags);
        diags
            .into_iter()
            .map(|d| (text[d.span.clone()].to_string(), d.message))
            .collect()
    }

    #[test]
    fn every_form_of_the_grammar_is_accepted() {
        for ok in [
            "A * B * C",
            "(A, B) * C",
            "C * (A, B)",
            "((A, B)) * C",
            "A*B*C",
            " ( A , B ) * C ",
        ] {
            assert_eq!(problems(ok), vec![], "{ok}");
        }
    }

    #[test]
    fn each_problem_is_on_its_token() {
        let on = |c: &str| problems(c).into_iter().map(|(t, _)| t).collect::<Vec<_>>();
        assert_eq!(on("A B * C"), ["B"]);
        // A missing operand at the end: an empty range where it belongs.
        assert_eq!(on("A * B * C *"), [""]);
        assert_eq!(on("(A, B * C"), ["("]);
        assert_eq!(on("A * B) * C"), [")"]);
        assert_eq!(on("A * B * D * C"), ["D"]);
        assert_eq!(on("A * B * C * A"), ["A"]);
        assert_eq!(on("(A, C) * B"), ["C"]);
        assert_eq!(on("A * C"), ["\"A * C\""]);
    }
}
