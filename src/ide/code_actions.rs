//! Quick fixes for diagnostics: apply a did-you-mean or the final name of a
//! draft RFC 0008 key, list a missing extension, add the missing wrap hooks
//! as a skeleton that forwards the wrapped action.

use crate::analysis::Analysis;
use crate::analysis::diagnostic::Fix;
use crate::model::ActionKind;
use crate::schema::Extension;
use crate::syntax::{Node, NodeKind, Span};

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CodeAction {
    pub title: String,
    pub edits: Vec<(Span, String)>,
    /// Index of the diagnostic it fixes in `analysis.diagnostics`.
    pub diagnostic: usize,
    pub preferred: bool,
}

fn column(text: &str, offset: usize) -> usize {
    let start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    text[start..offset.min(text.len())].chars().count()
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset.min(text.len())..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i)
}

pub(crate) fn code_actions(a: &Analysis, range: Span) -> Vec<CodeAction> {
    let mut out = Vec::new();
    for (i, d) in a.diagnostics.iter().enumerate() {
        if d.span.end < range.start || d.span.start > range.end {
            continue;
        }
        if let Some(s) = &d.suggestion {
            let quoted = a
                .text
                .get(d.span.clone())
                .is_some_and(|t| t.starts_with('"'));
            let new = if quoted {
                format!("\"{s}\"")
            } else {
                s.clone()
            };
            out.push(CodeAction {
                title: format!("Replace with `{s}`"),
                edits: vec![(d.span.clone(), new)],
                diagnostic: i,
                preferred: true,
            });
        }
        match &d.fix {
            Some(Fix::AddExtension(ext)) => {
                let mut wanted = vec![*ext];
                wanted.extend(ext.requires());
                wanted.retain(|e| !a.exts().has(*e));
                if let Some(edits) = add_extensions(a, &wanted) {
                    let names: Vec<&str> = wanted.iter().map(|e| e.name()).collect();
                    out.push(CodeAction {
                        title: format!("Add {} to `extensions`", names.join(" and ")),
                        edits,
                        diagnostic: i,
                        preferred: true,
                    });
                }
            }
            Some(Fix::AddWrapHooks(missing)) => {
                if let Some(edits) = add_hooks(a, &d.span, missing) {
                    out.push(CodeAction {
                        title: format!(
                            "Add the missing wrap hooks ({})",
                            missing
                                .iter()
                                .map(|h| h.key())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        edits,
                        diagnostic: i,
                        preferred: true,
                    });
                }
            }
            None => {}
        }
    }
    out
}

pub(crate) fn add_extensions(a: &Analysis, wanted: &[Extension]) -> Option<Vec<(Span, String)>> {
    if wanted.is_empty() {
        return None;
    }
    let root = a.root.as_ref()?;
    let text = &*a.text;
    let quote = |e: &Extension| {
        if a.json {
            format!("\"{}\"", e.name())
        } else {
            e.name().to_string()
        }
    };
    let list: Vec<String> = wanted.iter().map(quote).collect();
    if let Some(entry) = root.entry("extensions") {
        let v = &entry.value;
        let items = v.items().unwrap_or(&[]);
        let flow = text.get(v.span.clone()).is_some_and(|t| t.starts_with('['));
        if flow {
            let close = v.span.end.saturating_sub(1);
            let sep = if items.is_empty() { "" } else { ", " };
            return Some(vec![(close..close, format!("{sep}{}", list.join(", ")))]);
        }
        let last = items.last()?;
        let indent = " ".repeat(column(text, last.span.start).saturating_sub(2));
        let at = line_end(text, last.span.end);
        let lines: String = list.iter().map(|e| format!("\n{indent}- {e}")).collect();
        return Some(vec![(at..at, lines)]);
    }
    let version = root.entry("specificationVersion")?;
    if a.json {
        let at = version.value.span.end;
        return Some(vec![(
            at..at,
            format!(", \"extensions\": [{}]", list.join(", ")),
        )]);
    }
    let at = line_end(text, version.value.span.end);
    let indent = " ".repeat(column(text, version.key.span.start));
    Some(vec![(
        at..at,
        format!("\n{indent}extensions: [{}]", list.join(", ")),
    )])
}

fn find_entry_by_key<'n>(node: &'n Node, key_span: &Span) -> Option<&'n Node> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Mapping(entries) => {
                for e in entries {
                    if e.key.span == *key_span {
                        return Some(&e.value);
                    }
                    stack.push(&e.value);
                }
            }
            NodeKind::Sequence(items) => stack.extend(items.iter()),
            NodeKind::Scalar(_) => {}
        }
    }
    None
}

fn add_hooks(
    a: &Analysis,
    actions_key: &Span,
    missing: &[ActionKind],
) -> Option<Vec<(Span, String)>> {
    if a.json {
        return None;
    }
    let text = &*a.text;
    let actions = find_entry_by_key(a.root.as_ref()?, actions_key)?;
    let entries = actions.entries()?;
    let last = entries.last()?;
    if text
        .get(actions.span.clone())
        .is_some_and(|t| t.starts_with('{'))
    {
        return None;
    }
    let indent = " ".repeat(column(text, last.key.span.start));
    let at = line_end(
        text,
        last.value.span.end.saturating_sub(1).max(last.key.span.end),
    );
    let mut block = String::new();
    for hook in missing.iter().map(|h| h.key()) {
        block.push_str(&format!(
            "\n{indent}{hook}:\n{indent}  command: \"{{{{WrappedAction.Command}}}}\"\n{indent}  args: [\"{{{{WrappedAction.Args}}}}\"]"
        ));
    }
    Some(vec![(at..at, block)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};
    use crate::ide::fixture::apply_edits;

    fn fix_all(text: &str, title_part: &str) -> String {
        let a = analyze(text, &Options::own());
        let actions = code_actions(&a, 0..text.len());
        let action = actions
            .iter()
            .find(|c| c.title.contains(title_part))
            .unwrap_or_else(|| panic!("no `{title_part}` among {actions:?}"));
        apply_edits(text, &action.edits)
    }

    const WRAP: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS]
environment:
  name: E
  script:
    actions:
      onEnter: {command: a}
      onWrapTaskRun:
        command: x
";

    #[test]
    fn adds_extensions_in_flow_and_block_lists_and_when_absent() {
        let fixed = fix_all(WRAP, "Add EXPR");
        assert!(
            fixed.contains("extensions: [WRAP_ACTIONS, EXPR]"),
            "{fixed}"
        );
        let block = WRAP.replace(
            "extensions: [WRAP_ACTIONS]",
            "extensions:\n  - WRAP_ACTIONS",
        );
        let fixed = fix_all(&block, "Add EXPR");
        assert!(fixed.contains("  - WRAP_ACTIONS\n  - EXPR\n"), "{fixed}");
        let none = WRAP.replace("extensions: [WRAP_ACTIONS]\n", "");
        let fixed = fix_all(&none, "Add WRAP_ACTIONS and EXPR");
        assert!(
            fixed.starts_with(
                "specificationVersion: environment-2023-09\nextensions: [WRAP_ACTIONS, EXPR]\n"
            ),
            "{fixed}"
        );
        let again = analyze(&fixed, &Options::own());
        assert!(
            !again
                .diagnostics
                .iter()
                .any(|d| d.code == crate::analysis::Code::ExtensionRequired),
            "{:?}",
            again.diagnostics
        );
    }

    #[test]
    fn adds_the_missing_hooks_as_a_forwarding_skeleton() {
        let text = WRAP.replace(
            "extensions: [WRAP_ACTIONS]",
            "extensions: [WRAP_ACTIONS, EXPR]",
        );
        let fixed = fix_all(&text, "Add the missing wrap hooks");
        assert!(fixed.contains("      onWrapEnvEnter:\n        command: \"{{WrappedAction.Command}}\"\n        args: [\"{{WrappedAction.Args}}\"]"), "{fixed}");
        let again = analyze(&fixed, &Options::default());
        assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    }

    #[test]
    fn replaces_draft_names_and_typos() {
        let text = WRAP.replace("onWrapTaskRun:", "onWrapEnter:");
        let fixed = fix_all(&text, "Replace with `onWrapEnvEnter`");
        assert!(fixed.contains("      onWrapEnvEnter:\n"), "{fixed}");
        let json = r#"{"specificationVersion": "jobtemplate-2023-09", "nmae": "J", "steps": []}"#;
        let fixed = fix_all(json, "Replace with `name`");
        assert!(fixed.contains(r#""name": "J""#), "{fixed}");
    }
}
