//! Conversions between what `ide` and `workspace` produce (byte ranges,
//! plain structs) and LSP types: the only place that builds LSP values from
//! them. Positions are in the negotiated encoding.

use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use crate::analysis::{Analysis, Diagnostic, Severity};
use crate::syntax::Span;
use crate::text::{LineCol, LineIndex, PositionEncoding};

pub fn position(a: &Analysis, offset: usize, enc: PositionEncoding) -> lsp::Position {
    let p = a.line_index.position(&a.text, offset, enc);
    lsp::Position::new(p.line, p.col)
}

pub fn range(a: &Analysis, span: &Span, enc: PositionEncoding) -> lsp::Range {
    lsp::Range::new(position(a, span.start, enc), position(a, span.end, enc))
}

pub fn offset(a: &Analysis, pos: lsp::Position, enc: PositionEncoding) -> usize {
    a.line_index.offset(
        &a.text,
        LineCol {
            line: pos.line,
            col: pos.character,
        },
        enc,
    )
}

/// A range in another file, read from disk.
pub(crate) fn range_in_file(
    path: &std::path::Path,
    span: &Span,
    enc: PositionEncoding,
) -> Option<lsp::Range> {
    let text = crate::workspace::files::read_text(path).ok()?;
    let index = LineIndex::new(&text);
    let s = index.position(&text, span.start, enc);
    let e = index.position(&text, span.end, enc);
    Some(lsp::Range::new(
        lsp::Position::new(s.line, s.col),
        lsp::Position::new(e.line, e.col),
    ))
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(
    a: &Analysis,
    uri: &Uri,
    d: &Diagnostic,
    enc: PositionEncoding,
) -> lsp::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let (uri, range) = match &r.file {
                None => (uri.clone(), range(a, &r.span, enc)),
                Some(path) => (
                    Uri::from_file_path(path)?,
                    range_in_file(path, &r.span, enc)?,
                ),
            };
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range },
                message: r.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: range(a, &d.span, enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("openjd".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        data: d
            .suggestion
            .as_ref()
            .map(|s| serde_json::json!({ "replacement": s })),
        ..Default::default()
    }
}

pub fn diagnostics(a: &Analysis, uri: &Uri, enc: PositionEncoding) -> Vec<lsp::Diagnostic> {
    a.diagnostics
        .iter()
        .map(|d| diagnostic(a, uri, d, enc))
        .collect()
}

pub(crate) fn completion_item(
    a: &Analysis,
    item: &crate::ide::completion::Item,
    enc: PositionEncoding,
) -> lsp::CompletionItem {
    use crate::ide::completion::ItemKind;
    let kind = match item.kind {
        ItemKind::Variable => lsp::CompletionItemKind::VARIABLE,
        ItemKind::Namespace => lsp::CompletionItemKind::MODULE,
        ItemKind::Function => lsp::CompletionItemKind::FUNCTION,
        ItemKind::Property => lsp::CompletionItemKind::PROPERTY,
        ItemKind::Key => lsp::CompletionItemKind::FIELD,
        ItemKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        ItemKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        ItemKind::Snippet => lsp::CompletionItemKind::SNIPPET,
        ItemKind::Reference => lsp::CompletionItemKind::REFERENCE,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        documentation: item.documentation.as_ref().map(|d| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: d.clone(),
            })
        }),
        sort_text: (!item.sort.is_empty()).then(|| item.sort.clone()),
        // Clients filter by the text in the replaced range, which for a
        // dotted name includes its namespace.
        filter_text: Some(
            item.insert
                .split('$')
                .next()
                .unwrap_or(&item.insert)
                .to_string(),
        ),
        insert_text_format: Some(if item.snippet {
            lsp::InsertTextFormat::SNIPPET
        } else {
            lsp::InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: range(a, &item.replace, enc),
            new_text: item.insert.clone(),
        })),
        additional_text_edits: (!item.additional_edits.is_empty()).then(|| {
            item.additional_edits
                .iter()
                .map(|(span, text)| lsp::TextEdit {
                    range: range(a, span, enc),
                    new_text: text.clone(),
                })
                .collect()
        }),
        ..Default::default()
    }
}

pub(crate) fn document_symbol(
    a: &Analysis,
    s: &crate::ide::outline::OutlineSymbol,
    enc: PositionEncoding,
) -> lsp::DocumentSymbol {
    use crate::ide::outline::OutlineKind;
    let kind = match s.kind {
        OutlineKind::Parameter => lsp::SymbolKind::VARIABLE,
        OutlineKind::Environment => lsp::SymbolKind::NAMESPACE,
        OutlineKind::Step => lsp::SymbolKind::CLASS,
        OutlineKind::Action => lsp::SymbolKind::FUNCTION,
        OutlineKind::TaskParameter => lsp::SymbolKind::TYPE_PARAMETER,
        OutlineKind::EmbeddedFile => lsp::SymbolKind::FILE,
        OutlineKind::Let => lsp::SymbolKind::CONSTANT,
        OutlineKind::EnvVariable => lsp::SymbolKind::PROPERTY,
    };
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "(unnamed)".into()
        } else {
            s.name.clone()
        },
        detail: s.detail.clone(),
        kind,
        tags: None,
        deprecated: None,
        range: range(a, &s.span, enc),
        selection_range: range(a, &s.selection_span, enc),
        children: Some(
            s.children
                .iter()
                .map(|c| document_symbol(a, c, enc))
                .collect(),
        ),
    }
}

/// Tokens in the protocol's relative encoding; lengths in the negotiated units.
pub(crate) fn semantic_tokens(
    a: &Analysis,
    tokens: &[crate::ide::semantic_tokens::SemanticToken],
    enc: PositionEncoding,
) -> lsp::SemanticTokens {
    let mut data = Vec::with_capacity(tokens.len());
    let (mut last_line, mut last_col) = (0u32, 0u32);
    for t in tokens {
        let start = position(a, t.span.start, enc);
        let end = position(a, t.span.end, enc);
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 {
            start.character - last_col
        } else {
            start.character
        };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: t.kind.index(),
            token_modifiers_bitset: t.modifiers,
        });
        last_line = start.line;
        last_col = start.character;
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

pub fn hover(a: &Analysis, h: &crate::ide::hover::Hover, enc: PositionEncoding) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.contents.clone(),
        }),
        range: Some(range(a, &h.range, enc)),
    }
}

/// A place in this document (`uri`) or in another file.
pub fn location(
    a: &Analysis,
    uri: &Uri,
    l: &crate::ide::symbols::Location,
    enc: PositionEncoding,
) -> Option<Location> {
    Some(match &l.file {
        None => Location {
            uri: uri.clone(),
            range: range(a, &l.span, enc),
        },
        Some(f) => Location {
            uri: Uri::from_file_path(f)?,
            range: range_in_file(f, &l.span, enc)?,
        },
    })
}

pub(crate) fn inlay_hint(
    a: &Analysis,
    offset: usize,
    label: String,
    enc: PositionEncoding,
) -> lsp::InlayHint {
    lsp::InlayHint {
        position: position(a, offset, enc),
        label: lsp::InlayHintLabel::String(label),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

pub(crate) fn text_edits(
    a: &Analysis,
    edits: &[(Span, String)],
    enc: PositionEncoding,
) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|(s, t)| lsp::TextEdit {
            range: range(a, s, enc),
            new_text: t.clone(),
        })
        .collect()
}

/// Edits of this one document.
pub(crate) fn workspace_edit(
    a: &Analysis,
    uri: &Uri,
    edits: &[(Span, String)],
    enc: PositionEncoding,
) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(
            [(uri.clone(), text_edits(a, edits, enc))]
                .into_iter()
                .collect(),
        ),
        ..Default::default()
    }
}

/// Nested selection ranges from the innermost span outwards; the bare
/// position when there is none.
/// Edits in several files: `None` is the document `a` (at `uri`), any
/// other file's ranges are computed from its text on disk. Edits of the
/// same file are merged.
pub(crate) fn workspace_edit_files(
    a: &Analysis,
    uri: &Uri,
    edits: &crate::ide::bundle::FileEdits,
    enc: PositionEncoding,
) -> lsp::WorkspaceEdit {
    let mut changes: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> =
        std::collections::HashMap::new();
    for (file, list) in edits {
        let (target, converted) = match file {
            None => (uri.clone(), text_edits(a, list, enc)),
            Some(f) => {
                let Some(u) = Uri::from_file_path(f) else {
                    continue;
                };
                let converted = list
                    .iter()
                    .filter_map(|(span, text)| {
                        Some(lsp::TextEdit {
                            range: range_in_file(f, span, enc)?,
                            new_text: text.clone(),
                        })
                    })
                    .collect();
                (u, converted)
            }
        };
        changes.entry(target).or_default().extend(converted);
    }
    lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

pub(crate) fn selection_range(
    a: &Analysis,
    spans: &[Span],
    at: lsp::Position,
    enc: PositionEncoding,
) -> lsp::SelectionRange {
    let mut out: Option<lsp::SelectionRange> = None;
    for s in spans.iter().rev() {
        out = Some(lsp::SelectionRange {
            range: range(a, s, enc),
            parent: out.map(Box::new),
        });
    }
    out.unwrap_or(lsp::SelectionRange {
        range: lsp::Range::new(at, at),
        parent: None,
    })
}

pub(crate) fn document_highlight(
    a: &Analysis,
    span: &Span,
    write: bool,
    enc: PositionEncoding,
) -> lsp::DocumentHighlight {
    lsp::DocumentHighlight {
        range: range(a, span, enc),
        kind: Some(if write {
            lsp::DocumentHighlightKind::WRITE
        } else {
            lsp::DocumentHighlightKind::READ
        }),
    }
}

pub(crate) fn folding_range((start, end): (usize, usize)) -> lsp::FoldingRange {
    lsp::FoldingRange {
        start_line: start as u32,
        end_line: end as u32,
        ..Default::default()
    }
}

pub fn signature_help(s: &crate::ide::signature::SignatureHelp) -> lsp::SignatureHelp {
    lsp::SignatureHelp {
        signatures: s
            .signatures
            .iter()
            .map(|label| lsp::SignatureInformation {
                label: label.clone(),
                documentation: None,
                parameters: None,
                active_parameter: None,
            })
            .collect(),
        active_signature: Some(0),
        active_parameter: Some(s.active_parameter as u32),
    }
}

/// A quick fix of one of the document's own diagnostics.
pub(crate) fn code_action(
    a: &Analysis,
    uri: &Uri,
    c: &crate::ide::code_actions::CodeAction,
    enc: PositionEncoding,
) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: c.title.clone(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: a
            .diagnostics
            .get(c.diagnostic)
            .map(|d| vec![diagnostic(a, uri, d, enc)]),
        edit: Some(workspace_edit(a, uri, &c.edits, enc)),
        is_preferred: Some(c.preferred),
        ..Default::default()
    })
}

/// A "Preview session" code lens: clicking it runs the server's
/// [`crate::ide::preview::EXECUTE_COMMAND`] with the document's URI and
/// the step (or null, for the whole job).
pub(crate) fn code_lens(
    a: &Analysis,
    uri: &Uri,
    l: &crate::ide::preview::Lens,
    enc: PositionEncoding,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range: range(a, &l.span, enc),
        command: Some(lsp::Command {
            title: l.title.clone(),
            command: crate::ide::preview::EXECUTE_COMMAND.into(),
            arguments: Some(vec![
                serde_json::Value::String(uri.as_str().to_string()),
                l.step
                    .clone()
                    .map_or(serde_json::Value::Null, serde_json::Value::String),
            ]),
        }),
        data: None,
    }
}
