//! The `extensions` list: which optional features a template turns on.

use crate::schema::Extension;
use crate::syntax::{Node, Span};

use super::codes::Code;
use super::diagnostic::{Diagnostic, did_you_mean};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtSet(u8);

impl ExtSet {
    pub fn all() -> ExtSet {
        let mut s = ExtSet::default();
        for e in Extension::ALL {
            s.insert(e);
        }
        s
    }
    pub fn has(self, e: Extension) -> bool {
        self.0 & (1 << e as u8) != 0
    }
    pub fn insert(&mut self, e: Extension) {
        self.0 |= 1 << e as u8;
    }
    pub fn iter(self) -> impl Iterator<Item = Extension> {
        Extension::ALL.into_iter().filter(move |e| self.has(*e))
    }
}

/// Extensions as declared, with where each is written.
#[derive(Clone, Debug, Default)]
pub struct Declared {
    pub set: ExtSet,
    pub spans: Vec<(Extension, Span)>,
    /// The span of the `extensions` key, if present.
    pub key: Option<Span>,
}

pub fn read(root: &Node, diags: &mut Vec<Diagnostic>) -> Declared {
    let mut declared = Declared::default();
    let Some(entry) = root.entry("extensions") else {
        return declared;
    };
    declared.key = Some(entry.key.span.clone());
    let Some(items) = entry.value.items() else {
        return declared;
    };
    for item in items {
        let Some(name) = item.as_str() else { continue };
        match Extension::from_name(name) {
            Some(ext) => {
                if let Some((_, first)) = declared.spans.iter().find(|(e, _)| *e == ext) {
                    diags.push(
                        Diagnostic::new(
                            Code::DuplicateExtension,
                            item.span.clone(),
                            format!("Extension {ext} is listed twice"),
                        )
                        .with_related(first.clone(), "first listed here"),
                    );
                } else {
                    declared.set.insert(ext);
                    declared.spans.push((ext, item.span.clone()));
                }
            }
            None => {
                let names = Extension::ALL.map(Extension::name);
                let mut d = Diagnostic::new(
                    Code::UnknownExtension,
                    item.span.clone(),
                    format!(
                        "Unknown extension `{name}`; supported: {}",
                        names.join(", ")
                    ),
                );
                if let Some(best) = did_you_mean(name, names) {
                    d.message.push_str(&format!("; did you mean `{best}`?"));
                    d = d.with_suggestion(best);
                }
                diags.push(d);
            }
        }
    }
    // WRAP_ACTIONS → EXPR is the one requirement there is, and has its code.
    let mut unmet = Vec::new();
    for (e, span) in &declared.spans {
        for r in e.requires() {
            if !declared.set.has(*r) && !unmet.iter().any(|(u, _, _)| u == e) {
                unmet.push((*e, *r, span.clone()));
            }
        }
    }
    for (e, r, span) in unmet {
        diags.push(
            Diagnostic::new(
                Code::WrapRequiresExpr,
                span,
                format!("{e} requires the {r} extension; list {r} in `extensions` as well"),
            )
            .with_fix(super::diagnostic::Fix::AddExtension(r)),
        );
    }
    declared
}
