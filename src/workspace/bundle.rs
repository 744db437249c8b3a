//! Job bundles on disk: a values file's template is the `template.yaml`
//! (or `.yml`, `.json`) beside it, as the Deadline Cloud submitter reads it.

use std::path::{Path, PathBuf};

use crate::analysis::Diagnostic;
use crate::analysis::bundle::{
    Against, BundleFile, ParamDef, ParameterValues, check_asset_references, check_values,
    definitions,
};
use crate::syntax::{self, Node};

pub const TEMPLATE_NAMES: [&str; 3] = ["template.yaml", "template.yml", "template.json"];
pub const VALUES_NAMES: [&str; 3] = [
    "parameter_values.yaml",
    "parameter_values.yml",
    "parameter_values.json",
];

/// The template beside a bundle file, if there is one on disk.
pub fn template_beside(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    TEMPLATE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// The values file beside a template, if there is one on disk.
pub fn values_beside(template: &Path) -> Option<PathBuf> {
    let dir = template.parent()?;
    VALUES_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// A bundle's job template, read for its parameter definitions.
pub struct BundleTemplate {
    pub path: PathBuf,
    pub root: Option<Node>,
}

impl BundleTemplate {
    pub fn parse(path: &Path, text: &str) -> BundleTemplate {
        BundleTemplate {
            path: path.to_path_buf(),
            root: syntax::parse(text).root,
        }
    }

    pub fn definitions(&self) -> Vec<ParamDef<'_>> {
        self.root
            .as_ref()
            .map(|r| definitions(r, None))
            .unwrap_or_default()
    }
}

/// Every diagnostic of a bundle file. `template` is the bundle's job
/// template; `queue_params` the parameters of the queue environments the
/// job runs under, when a queue configuration names them (`None` when
/// unknown).
pub fn diagnostics(
    kind: BundleFile,
    text: &str,
    template: Option<&BundleTemplate>,
    queue_params: Option<Vec<ParamDef<'_>>>,
) -> Vec<Diagnostic> {
    match kind {
        BundleFile::AssetReferences => check_asset_references(text),
        BundleFile::ParameterValues => {
            let values = ParameterValues::parse(text);
            let mut diags = values.diagnostics.clone();
            let Some(t) = template else {
                diags.push(Diagnostic::warning(
                    "bundle-no-template",
                    0..0,
                    "No template.yaml or template.json beside this parameter values file; its values are checked for shape only",
                ));
                return diags;
            };
            let queues_known = queue_params.is_some();
            let mut params = t.definitions();
            params.extend(queue_params.unwrap_or_default());
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
