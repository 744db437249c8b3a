//! Job bundles: a values file's template is the `template.yaml` (or `.yml`,
//! `.json`) beside it, as the Deadline Cloud submitter reads it, and the
//! parameters of the queue environments the job runs under count too.

use std::path::{Path, PathBuf};

use crate::analysis::bundle::{
    Against, BundleFile, ParamDef, ParameterValues, check_asset_references, check_hooks,
    check_values, definitions_of,
};
use crate::analysis::{Code, Diagnostic};

use super::{Indexed, Workspace};

pub(crate) const TEMPLATE_NAMES: [&str; 3] = ["template.yaml", "template.yml", "template.json"];
pub(crate) const VALUES_NAMES: [&str; 3] = [
    "parameter_values.yaml",
    "parameter_values.yml",
    "parameter_values.json",
];

/// The job template of the bundle `file` belongs to, if the workspace has it.
pub(crate) fn template_of<'w>(ws: &'w Workspace, file: &Path) -> Option<&'w Indexed> {
    let dir = file.parent()?;
    TEMPLATE_NAMES
        .iter()
        .find_map(|n| ws.files.get(&dir.join(n)))
        .map(|ix| ix.as_ref())
}

/// The values files a template's bundle may have beside it.
pub(crate) fn values_paths(template: &Path) -> Vec<PathBuf> {
    let Some(dir) = template.parent() else {
        return Vec::new();
    };
    let is_template = template
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| TEMPLATE_NAMES.contains(&n));
    if !is_template {
        return Vec::new();
    }
    VALUES_NAMES.iter().map(|n| dir.join(n)).collect()
}

/// The parameters a values file may name: its template's, then those of
/// the environments of the queues the job is on; and whether any queue
/// is known.
pub fn parameters<'w>(ws: &'w Workspace, template: &'w Indexed) -> (Vec<ParamDef<'w>>, bool) {
    let mut params = template
        .parameter_definitions
        .as_deref()
        .map(|list| definitions_of(list, None))
        .unwrap_or_default();
    let queues = ws.queues_for(&template.path);
    for q in &queues {
        for env in &q.environments {
            let Some(ix) = ws.files.get(env) else {
                continue;
            };
            let Some(t) = ix.template.as_ref() else {
                continue;
            };
            params.extend(
                t.parameters
                    .iter()
                    .map(|p| ParamDef::from_model(p, ix.path.as_path())),
            );
        }
    }
    (params, !queues.is_empty())
}

/// Every diagnostic of a bundle file whose current text is `text`.
pub fn diagnostics(ws: &Workspace, path: &Path, kind: BundleFile, text: &str) -> Vec<Diagnostic> {
    match kind {
        BundleFile::AssetReferences => check_asset_references(text),
        // `hooks.yaml` is a common name: only the one beside a job
        // template is a bundle's submission hooks file.
        BundleFile::Hooks if template_of(ws, path).is_some() => check_hooks(text),
        BundleFile::Hooks => Vec::new(),
        BundleFile::ParameterValues => {
            let values = ParameterValues::parse(text);
            let mut diags = values.diagnostics.clone();
            let Some(t) = template_of(ws, path) else {
                // On the `parameterValues` key, where the values start.
                diags.push(Diagnostic::new(
                    Code::BundleNoTemplate,
                    values.list_key.clone().unwrap_or(0..0),
                    "No job template (template.yaml or template.json) beside this parameter values file; its values are checked for shape only",
                ));
                return diags;
            };
            let (params, queues_known) = parameters(ws, t);
            let against = Against {
                params,
                template: Some(t.path.clone()),
                queues_known,
            };
            diags.extend(check_values(&values, &against));
            diags
        }
    }
}

/// The values files beside the job template `template` that exist on
/// disk, with their text.
pub(crate) fn values_files(template: &Path) -> Vec<(PathBuf, String)> {
    values_paths(template)
        .into_iter()
        .filter_map(|p| {
            let text = super::files::read_text(&p).ok()?;
            Some((p, text))
        })
        .collect()
}

/// A job template as it is on disk, analysed (for the uses of its
/// parameters when a values file beside it is edited).
pub(crate) fn template_analysis(template: &Path) -> Option<crate::analysis::Analysis> {
    let text = super::files::read_text(template).ok()?;
    let options = crate::analysis::Options::own().for_path(template);
    let a = crate::analysis::analyze(&text, &options);
    a.is_template().then_some(a)
}
