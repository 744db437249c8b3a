//! Editor features inside the environment templates a CloudFormation file
//! holds (`AWS::Deadline::QueueEnvironment` resources, see
//! `analysis::embedded`): completion, hover (with wrap hover), semantic
//! tokens and document symbols answer for the embedded template, with
//! every offset mapped between the host file and the embedded text.
//! Nothing else in the host file gets any of them. A `${Name}`
//! substitution is opaque: no token, hover or completion inside one.

use std::path::Path;

use crate::analysis::embedded::{Hosted, analyze_host};
use crate::analysis::{Analysis, DocKind, Options};
use crate::syntax::{ScalarStyle, Span, cfn};
use crate::workspace::{Workspace, embedded_path};

use super::completion::Completions;
use super::hover::Hover;
use super::outline::{OutlineKind, OutlineSymbol};
use super::semantic_tokens::SemanticToken;

/// Whether the document is a CloudFormation template that holds queue
/// environments (then only these features answer in it).
pub(crate) fn is_host(a: &Analysis) -> bool {
    a.kind == DocKind::NotTemplate
        && cfn::might_hold(&a.text)
        && a.root.as_ref().is_some_and(cfn::is_cloudformation)
}

/// The document's embedded templates, analysed.
pub(crate) fn hosted(a: &Analysis) -> Vec<Hosted> {
    analyze_host(&a.text, &Options::default())
}

/// The embedded template at a host offset, and the offset in its text;
/// `None` outside every embedded template and inside a substitution.
fn inner(hosted: &[Hosted], offset: usize) -> Option<(&Hosted, usize)> {
    let h = crate::analysis::embedded::at(hosted, offset)?;
    let at = h.from_host(offset)?;
    if h.embedded
        .substitutions
        .iter()
        .any(|s| s.start < at && at < s.end)
    {
        return None;
    }
    Some((h, at))
}

/// The workspace name of an embedded template (`host#LogicalId`), which
/// the queue configuration and the wrap hover know it by.
fn name_of(here: Option<&Path>, h: &Hosted) -> Option<std::path::PathBuf> {
    here.map(|p| embedded_path(p, &h.embedded.logical_id))
}

/// Text to insert into the host string in place of `text` written for
/// the embedded template: a block scalar's following lines get its
/// indentation; a double-quoted string gets its escapes.
fn host_text(h: &Hosted, host: &str, text: &str) -> String {
    let e = &h.embedded;
    match e.style {
        ScalarStyle::Literal | ScalarStyle::Folded => {
            // The indentation of the block's content: the column of the
            // host offset of the embedded text's first character.
            let first = e.to_host(0);
            let line_start = host[..first].rfind('\n').map_or(0, |i| i + 1);
            let indent = " ".repeat(first - line_start);
            text.replace('\n', &format!("\n{indent}"))
        }
        ScalarStyle::DoubleQuoted => text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\t', "\\t"),
        ScalarStyle::SingleQuoted => text.replace('\'', "''"),
        ScalarStyle::Plain => text.to_string(),
    }
}

/// Completion at a host offset: the embedded template's, mapped.
pub fn complete(a: &Analysis, offset: usize) -> Completions {
    let hosted = hosted(a);
    let Some((h, at)) = inner(&hosted, offset) else {
        return Completions {
            items: Vec::new(),
            incomplete: false,
        };
    };
    let mut list = super::completion::complete_list(&h.analysis, at);
    for item in &mut list.items {
        item.replace = h.to_host(&item.replace);
        item.insert = host_text(h, &a.text, &item.insert);
        for (span, text) in &mut item.additional_edits {
            *span = h.to_host(span);
            *text = host_text(h, &a.text, text);
        }
    }
    list
}

/// Hover at a host offset: the embedded template's (its wrap hover
/// included), its range mapped.
pub fn hover(a: &Analysis, here: Option<&Path>, ws: &Workspace, offset: usize) -> Option<Hover> {
    let hosted = hosted(a);
    let (h, at) = inner(&hosted, offset)?;
    let name = name_of(here, h);
    let mut hover = super::hover::full_hover(&h.analysis, name.as_deref(), ws, at)?;
    hover.range = h.to_host(&hover.range);
    Some(hover)
}

/// Semantic tokens of every embedded template, in host offsets, sorted;
/// none that touches a substitution.
pub(crate) fn semantic_tokens(a: &Analysis) -> Vec<SemanticToken> {
    let mut out = Vec::new();
    for h in hosted(a) {
        for t in super::semantic_tokens::semantic_tokens(&h.analysis) {
            if h.embedded.touches_substitution(&t.span) {
                continue;
            }
            out.push(SemanticToken {
                span: h.to_host(&t.span),
                ..t
            });
        }
    }
    out.sort_by_key(|t| (t.span.start, t.span.end));
    out
}

/// The semantic tokens that start in `range`.
pub(crate) fn semantic_tokens_in(a: &Analysis, range: Span) -> Vec<SemanticToken> {
    semantic_tokens(a)
        .into_iter()
        .filter(|t| t.span.end > range.start && t.span.start < range.end)
        .collect()
}

fn map_symbol(h: &Hosted, s: OutlineSymbol) -> OutlineSymbol {
    OutlineSymbol {
        span: h.to_host(&s.span),
        selection_span: h.to_host(&s.selection_span),
        children: s.children.into_iter().map(|c| map_symbol(h, c)).collect(),
        ..s
    }
}

/// Document symbols: one per queue environment resource (its logical id),
/// holding the outline of its template.
pub(crate) fn document_symbols(a: &Analysis) -> Vec<OutlineSymbol> {
    hosted(a)
        .into_iter()
        .map(|h| {
            let children = super::outline::document_symbols(&h.analysis)
                .into_iter()
                .map(|s| map_symbol(&h, s))
                .collect();
            let e = &h.embedded;
            OutlineSymbol {
                name: e.logical_id.clone(),
                detail: Some(cfn::QUEUE_ENVIRONMENT_TYPE.to_string()),
                kind: OutlineKind::Environment,
                span: e.logical_id_span.start..e.span.end,
                selection_span: e.logical_id_span.clone(),
                children,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
