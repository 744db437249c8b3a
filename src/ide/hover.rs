//! Hover: documentation of keys (type, constraints, gate), of variables
//! (type, where defined, default, description), of functions (signatures)
//! and of extension names.

use std::path::Path;

use crate::analysis::Analysis;
use crate::analysis::scope::{library, variables};
use crate::model::Template;
use crate::schema::{Extension, Field, Limit, Req, Ty};
use crate::syntax::{PathStep, Span};
use crate::workspace::Workspace;

use super::completion::{describe_origin, describe_ty};
use super::context::{Context, context_at, cursor_doc};

#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    /// Markdown.
    pub contents: String,
    pub range: Span,
}

fn limit_text(l: Option<Limit>) -> String {
    match l {
        Some(l) if l.fb1 != l.base => format!("{} ({} with FEATURE_BUNDLE_1)", l.base, l.fb1),
        Some(l) => l.base.to_string(),
        None => "no limit".into(),
    }
}

fn constraints(ty: Ty) -> Option<String> {
    match ty {
        Ty::Str(r) | Ty::Fmt(r, _) if r.max.is_some() => Some(format!(
            "Length: {} to {} characters",
            r.min,
            limit_text(r.max)
        )),
        Ty::List(l) => Some(format!(
            "Items: at least {}, at most {}",
            l.min,
            limit_text(l.max)
        )),
        Ty::Num(n) => {
            let mut parts = Vec::new();
            if n.positive {
                parts.push("greater than 0".to_string());
            }
            if let Some(m) = n.min {
                parts.push(format!("at least {m}"));
            }
            if let Some(m) = n.max {
                parts.push(format!("at most {m}"));
            }
            if n.fmt_fb1.is_some() {
                parts.push("a format string with FEATURE_BUNDLE_1".into());
            }
            (!parts.is_empty()).then(|| format!("Value: {}", parts.join(", ")))
        }
        _ => None,
    }
}

pub(crate) fn key_doc(f: &Field) -> String {
    let mut s = format!("**{}**: {}", f.key, describe_ty(f.ty));
    if f.req == Req::Required {
        s.push_str(" (required)");
    }
    s.push_str(&format!("\n\n{}", f.doc));
    if let Some(c) = constraints(f.ty) {
        s.push_str(&format!("\n\n{c}"));
    }
    if let Some(g) = f.gate {
        s.push_str(&format!("\n\nRequires the `{g}` extension."));
    }
    s
}

fn word_end(text: &str, offset: usize) -> usize {
    let mut end = offset.min(text.len());
    while let Some(c) = text[end..].chars().next() {
        if c.is_alphanumeric() || c == '_' {
            end += c.len_utf8();
        } else {
            break;
        }
    }
    end
}

/// What the editor shows on hover at `offset` of a document at `here` in
/// workspace `ws`: for an action or a wrap hook, what runs instead of it
/// and where (`wrap::hover`), then the documentation of the key, variable,
/// function or extension under the cursor ([`hover`]), separated by a rule.
pub(crate) fn full_hover(
    analysis: &Analysis,
    here: Option<&Path>,
    ws: &Workspace,
    offset: usize,
) -> Option<Hover> {
    let wrap = super::wrap::hover(analysis, here, ws, offset);
    let key = hover(analysis, offset);
    match (wrap, key) {
        (Some(w), Some(k)) => Some(Hover {
            contents: format!("{}\n\n---\n\n{}", w.contents, k.contents),
            range: w.range,
        }),
        (w, k) => w.or(k),
    }
}

/// Documentation of the key, variable, function or extension at `offset`.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let text = &*analysis.text;
    let offset = crate::text::floor_char_boundary(text, offset);
    let doc = cursor_doc(analysis, offset);
    // Hover names the whole word under the cursor: look from its end.
    let end = word_end(&doc.text, offset);
    match context_at(analysis, &doc, end) {
        Context::Expression {
            site,
            chain,
            replace,
            ..
        } => {
            let empty = Template::default();
            let template = doc.template.as_deref().unwrap_or(&empty);
            let vars = variables(template, &site, analysis.exts(), &analysis.let_types);
            // Only the part of the chain up to the word under the cursor.
            let chain_start = replace.start;
            if let Some(v) = vars.iter().find(|v| v.name == chain) {
                return Some(Hover {
                    contents: format!(
                        "```\n{}: {}\n```\n{}\n\n{}",
                        v.name,
                        v.ty,
                        v.doc,
                        describe_origin(v, template)
                    )
                    .trim_end()
                    .to_string(),
                    range: chain_start..end,
                });
            }
            let lib = library(site.class);
            let sigs = lib.get_signatures(&chain);
            if !chain.starts_with("__") && !sigs.is_empty() {
                let lines: Vec<String> = sigs
                    .iter()
                    .map(|e| format!("{chain}{}", e.signature))
                    .collect();
                return Some(Hover {
                    contents: format!("```\n{}\n```", lines.join("\n")),
                    range: chain_start..end,
                });
            }
            // A namespace such as `Param` or `Task.File`: list its members.
            let members: Vec<String> = vars
                .iter()
                .filter(|v| v.name.starts_with(&format!("{chain}.")))
                .map(|v| format!("- `{}`: {}", v.name, v.ty))
                .collect();
            (!members.is_empty()).then(|| Hover {
                contents: format!("**{chain}**\n\n{}", members.join("\n")),
                range: chain_start..end,
            })
        }
        _ => key_or_value_hover(analysis, &doc, offset),
    }
}

fn key_or_value_hover(
    analysis: &Analysis,
    doc: &super::context::CursorDoc<'_>,
    offset: usize,
) -> Option<Hover> {
    let root = doc.root.as_ref()?;
    let steps = root.path_to(offset);
    let last = steps.last()?;
    let path_keys: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            PathStep::Key(e) | PathStep::Value(e) => e.key.as_str(),
            PathStep::Item(..) => None,
        })
        .collect();
    if let PathStep::Item(_, node) = last
        && path_keys.last() == Some(&"extensions")
    {
        let ext = Extension::from_name(node.as_str()?)?;
        return Some(Hover {
            contents: format!("**{ext}**\n\n{}", ext.doc()),
            range: node.span.clone(),
        });
    }
    let PathStep::Key(entry) = last else {
        return None;
    };
    // The field the key names: look it up by the path to its mapping.
    let ctx = context_at(analysis, doc, entry.key.span.start);
    let Context::Key { ty, path, .. } = ctx else {
        return None;
    };
    let node = path.resolve(root).0;
    let key = entry.key.as_str()?;
    let expr = analysis.exts().has(Extension::Expr);
    let field = crate::schema::lookup::fields_of(ty, Some(node), expr)
        .into_iter()
        .find(|f| f.key == key)?;
    Some(Hover {
        contents: key_doc(field),
        range: entry.key.span.clone(),
    })
}
