//! One handler per LSP request: snapshot and document in, one `ide` (or
//! `workspace`) call, conversion out through `convert`. Handlers are run by
//! `Backend::on_document` (see `dispatch`), never directly; they do not
//! touch the server state, the client or the disk.
//!
//! To add a request: write its handler here in the same shape, announce it
//! in `capabilities`, and route its `LanguageServer` method in `mod.rs`
//! with one `on_document` call.

use std::collections::HashMap;
use std::path::PathBuf;

use tower_lsp_server::jsonrpc::{Error as RpcError, Result as RpcResult};
use tower_lsp_server::ls_types::*;

use crate::ide;
use crate::workspace::diagnostics::{file_diagnostics, own_only};

use super::convert;
use super::snapshot::{Doc, Snapshot};

/// Every diagnostic of the document, as push and pull report them: its
/// own and the workspace's (`workspace::diagnostics`), converted.
pub(crate) fn document_diagnostics(s: &Snapshot, d: &Doc) -> Vec<Diagnostic> {
    let a = &d.analysis;
    let all = match &d.path {
        Some(path) => file_diagnostics(&s.workspace, path, a),
        None => own_only(a),
    };
    all.iter()
        .map(|x| convert::diagnostic(a, &d.uri, x, s.encoding))
        .collect()
}

pub fn diagnostic(
    s: &Snapshot,
    d: &Doc,
    _: DocumentDiagnosticParams,
) -> RpcResult<Option<Vec<Diagnostic>>> {
    Ok(Some(document_diagnostics(s, d)))
}

pub fn completion(
    s: &Snapshot,
    d: &Doc,
    p: CompletionParams,
) -> RpcResult<Option<CompletionResponse>> {
    let offset = s.offset(d, p.text_document_position.position);
    let list = match d.path.as_deref() {
        Some(path) if ide::bundle::is_values_file(Some(path), &d.analysis) => {
            ide::bundle::complete(&s.workspace, path, &d.analysis.text, offset)
        }
        _ if ide::embedded::is_host(&d.analysis) => ide::embedded::complete(&d.analysis, offset),
        _ => ide::completion::complete_list(&d.analysis, offset),
    };
    let items = list
        .items
        .iter()
        .map(|i| convert::completion_item(&d.analysis, i, s.encoding))
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: list.incomplete,
        items,
    })))
}

pub fn hover(s: &Snapshot, d: &Doc, p: HoverParams) -> RpcResult<Option<Hover>> {
    let offset = s.offset(d, p.text_document_position_params.position);
    let here = d.path.as_deref();
    let h = match here {
        Some(path) if ide::bundle::is_values_file(here, &d.analysis) => {
            ide::bundle::hover(&s.workspace, path, &d.analysis.text, offset)
        }
        _ if ide::embedded::is_host(&d.analysis) => {
            ide::embedded::hover(&d.analysis, here, &s.workspace, offset)
        }
        _ => ide::hover::full_hover(&d.analysis, here, &s.workspace, offset),
    };
    Ok(h.map(|h| convert::hover(&d.analysis, &h, s.encoding)))
}

pub fn definition(
    s: &Snapshot,
    d: &Doc,
    p: GotoDefinitionParams,
) -> RpcResult<Option<GotoDefinitionResponse>> {
    let offset = s.offset(d, p.text_document_position_params.position);
    let target = match d.path.as_deref() {
        Some(path) if ide::bundle::is_values_file(Some(path), &d.analysis) => {
            ide::bundle::definition(&s.workspace, path, &d.analysis.text, offset)
        }
        here => ide::symbols::goto_definition(&d.analysis, here, &s.workspace, offset),
    };
    Ok(target
        .and_then(|l| convert::location(&d.analysis, &d.uri, &l, s.encoding))
        .map(GotoDefinitionResponse::Scalar))
}

pub(crate) fn inlay_hint(
    s: &Snapshot,
    d: &Doc,
    _: InlayHintParams,
) -> RpcResult<Option<Vec<InlayHint>>> {
    if !s.config.hints.wrapped_actions {
        return Ok(Some(Vec::new()));
    }
    let hints = ide::wrap::inlay_hints(&d.analysis, d.path.as_deref(), &s.workspace)
        .into_iter()
        .map(|(offset, label)| convert::inlay_hint(&d.analysis, offset, label, s.encoding))
        .collect();
    Ok(Some(hints))
}

pub fn references(s: &Snapshot, d: &Doc, p: ReferenceParams) -> RpcResult<Option<Vec<Location>>> {
    let offset = s.offset(d, p.text_document_position.position);
    let include = p.context.include_declaration;
    let here = d.path.as_deref();
    let locations = match here {
        Some(path) if ide::bundle::is_values_file(here, &d.analysis) => {
            ide::bundle::references(&s.workspace, path, &d.analysis.text, offset, include)
        }
        _ => {
            let mut l: Vec<ide::symbols::Location> =
                ide::symbols::references(&d.analysis, offset, include)
                    .into_iter()
                    .map(|span| ide::symbols::Location { file: None, span })
                    .collect();
            l.extend(ide::bundle::values_references(&d.analysis, here, offset));
            l
        }
    };
    Ok(Some(
        locations
            .iter()
            .filter_map(|l| convert::location(&d.analysis, &d.uri, l, s.encoding))
            .collect(),
    ))
}

pub(crate) fn prepare_rename(
    s: &Snapshot,
    d: &Doc,
    p: TextDocumentPositionParams,
) -> RpcResult<Option<PrepareRenameResponse>> {
    let offset = s.offset(d, p.position);
    let span = match d.path.as_deref() {
        Some(path) if ide::bundle::is_values_file(Some(path), &d.analysis) => {
            ide::bundle::prepare_rename(&s.workspace, path, &d.analysis.text, offset)
        }
        _ => ide::symbols::prepare_rename(&d.analysis, offset),
    };
    Ok(span
        .map(|span| PrepareRenameResponse::Range(convert::range(&d.analysis, &span, s.encoding))))
}

pub fn rename(s: &Snapshot, d: &Doc, p: RenameParams) -> RpcResult<Option<WorkspaceEdit>> {
    let offset = s.offset(d, p.text_document_position.position);
    let here = d.path.as_deref();
    let edits = match here {
        Some(path) if ide::bundle::is_values_file(here, &d.analysis) => {
            ide::bundle::rename(&s.workspace, path, &d.analysis.text, offset, &p.new_name)
        }
        _ => ide::symbols::rename(&d.analysis, offset, &p.new_name).map(|own| {
            // The bundle's values file names the template's parameters too.
            let mut all = vec![(None, own)];
            all.extend(ide::bundle::values_rename(
                &d.analysis,
                here,
                offset,
                &p.new_name,
            ));
            all
        }),
    };
    match edits {
        Ok(edits) => Ok(Some(convert::workspace_edit_files(
            &d.analysis,
            &d.uri,
            &edits,
            s.encoding,
        ))),
        Err(message) => Err(RpcError::invalid_params(message)),
    }
}

pub(crate) fn document_symbol(
    s: &Snapshot,
    d: &Doc,
    _: DocumentSymbolParams,
) -> RpcResult<Option<DocumentSymbolResponse>> {
    let symbols = if ide::embedded::is_host(&d.analysis) {
        ide::embedded::document_symbols(&d.analysis)
    } else {
        ide::outline::document_symbols(&d.analysis)
    };
    let symbols = symbols
        .iter()
        .map(|x| convert::document_symbol(&d.analysis, x, s.encoding))
        .collect();
    Ok(Some(DocumentSymbolResponse::Nested(symbols)))
}

pub(crate) fn folding_range(
    _: &Snapshot,
    d: &Doc,
    _: FoldingRangeParams,
) -> RpcResult<Option<Vec<FoldingRange>>> {
    Ok(Some(
        ide::outline::folding_ranges(&d.analysis)
            .into_iter()
            .map(convert::folding_range)
            .collect(),
    ))
}

pub(crate) fn selection_range(
    s: &Snapshot,
    d: &Doc,
    p: SelectionRangeParams,
) -> RpcResult<Option<Vec<SelectionRange>>> {
    Ok(Some(
        p.positions
            .iter()
            .map(|at| {
                let spans = ide::outline::selection_ranges(&d.analysis, s.offset(d, *at));
                convert::selection_range(&d.analysis, &spans, *at, s.encoding)
            })
            .collect(),
    ))
}

pub(crate) fn document_highlight(
    s: &Snapshot,
    d: &Doc,
    p: DocumentHighlightParams,
) -> RpcResult<Option<Vec<DocumentHighlight>>> {
    let offset = s.offset(d, p.text_document_position_params.position);
    Ok(Some(
        ide::symbols::document_highlight(&d.analysis, offset)
            .iter()
            .map(|(span, write)| convert::document_highlight(&d.analysis, span, *write, s.encoding))
            .collect(),
    ))
}

pub(crate) fn semantic_tokens_full(
    s: &Snapshot,
    d: &Doc,
    _: SemanticTokensParams,
) -> RpcResult<Option<SemanticTokensResult>> {
    let tokens = if ide::embedded::is_host(&d.analysis) {
        ide::embedded::semantic_tokens(&d.analysis)
    } else {
        let everything = 0..d.analysis.text.len();
        ide::semantic_tokens::semantic_tokens_until(&d.analysis, everything, &|| s.unwanted.now())
            .ok_or_else(|| s.unwanted.error())?
    };
    Ok(Some(SemanticTokensResult::Tokens(
        convert::semantic_tokens(&d.analysis, &tokens, s.encoding),
    )))
}

pub(crate) fn semantic_tokens_range(
    s: &Snapshot,
    d: &Doc,
    p: SemanticTokensRangeParams,
) -> RpcResult<Option<SemanticTokensRangeResult>> {
    let range = s.span(d, p.range);
    let tokens = if ide::embedded::is_host(&d.analysis) {
        ide::embedded::semantic_tokens_in(&d.analysis, range)
    } else {
        ide::semantic_tokens::semantic_tokens_until(&d.analysis, range, &|| s.unwanted.now())
            .ok_or_else(|| s.unwanted.error())?
    };
    Ok(Some(SemanticTokensRangeResult::Tokens(
        convert::semantic_tokens(&d.analysis, &tokens, s.encoding),
    )))
}

pub(crate) fn code_action(
    s: &Snapshot,
    d: &Doc,
    p: CodeActionParams,
) -> RpcResult<Option<CodeActionResponse>> {
    let actions = ide::code_actions::code_actions(&d.analysis, s.span(d, p.range));
    Ok(Some(
        actions
            .iter()
            .map(|c| convert::code_action(&d.analysis, &d.uri, c, s.encoding))
            .collect(),
    ))
}

pub fn signature_help(
    s: &Snapshot,
    d: &Doc,
    p: SignatureHelpParams,
) -> RpcResult<Option<SignatureHelp>> {
    let offset = s.offset(d, p.text_document_position_params.position);
    Ok(ide::signature::signature_help(&d.analysis, offset).map(|h| convert::signature_help(&h)))
}

pub(crate) fn code_lens(
    s: &Snapshot,
    d: &Doc,
    _: CodeLensParams,
) -> RpcResult<Option<Vec<CodeLens>>> {
    Ok(Some(
        ide::preview::lenses(&d.analysis)
            .iter()
            .map(|l| convert::code_lens(&d.analysis, &d.uri, l, s.encoding))
            .collect(),
    ))
}

/// `openjd.previewSession` for the job `d`, or one of its steps: the
/// preview of the buffer's current text, as `{title, text}`. `open`: the
/// texts of the other open documents (environment templates, the values
/// file), which win over the files on disk.
pub(crate) fn preview_session(
    s: &Snapshot,
    d: &Doc,
    (step, open): (Option<String>, HashMap<PathBuf, String>),
) -> RpcResult<Option<serde_json::Value>> {
    let Some(path) = &d.path else {
        return Err(RpcError::invalid_params(
            "a session preview needs a job template saved as a file",
        ));
    };
    let shown = ide::preview::show(&s.workspace, path, &d.analysis.text, step.as_deref(), open)
        .map_err(RpcError::invalid_params)?;
    serde_json::to_value(shown)
        .map(Some)
        .map_err(|e| RpcError::invalid_params(e.to_string()))
}

/// The arguments of `openjd.previewSession`: the job's URI and a step name
/// or null (or nothing). Anything else is an `InvalidParams` error; an
/// unknown command too.
pub(crate) fn preview_arguments(p: &ExecuteCommandParams) -> RpcResult<(Uri, Option<String>)> {
    if p.command != ide::preview::EXECUTE_COMMAND {
        return Err(RpcError::invalid_params(format!(
            "unknown command `{}`; this server has `{}`",
            p.command,
            ide::preview::EXECUTE_COMMAND
        )));
    }
    let usage = || {
        RpcError::invalid_params(format!(
            "`{}` takes the job's URI and a step name or null",
            ide::preview::EXECUTE_COMMAND
        ))
    };
    let uri = match p.arguments.first() {
        Some(serde_json::Value::String(u)) => u.parse::<Uri>().map_err(|_| usage())?,
        _ => return Err(usage()),
    };
    let step = match p.arguments.get(1) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(usage()),
    };
    if p.arguments.len() > 2 {
        return Err(usage());
    }
    Ok((uri, step))
}
