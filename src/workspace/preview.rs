//! The files a session preview needs: the environment templates of the
//! session (given, or the job's queues' from the configuration), the job
//! bundle's `parameter_values.yaml|json` beside the template, and a values
//! file given explicitly. Reading them is this layer's job; the preview
//! itself is `analysis::preview`, and its text `ide::preview`.

use std::path::{Path, PathBuf};

use crate::analysis::preview::{self, Given};
use crate::analysis::session::External;
use crate::analysis::{Options, analyze};
use crate::model::Template;

use super::Workspace;

/// The names of a job bundle's parameter values file, in the order looked for.
pub(crate) const VALUES_FILES: [&str; 3] = [
    "parameter_values.yaml",
    "parameter_values.yml",
    "parameter_values.json",
];

/// One session to show: which queue (if any), its environments, and the
/// preview or why there is none.
#[derive(Clone, Debug)]
pub struct Session {
    pub queue: Option<String>,
    pub environments: Vec<PathBuf>,
    pub preview: Result<preview::Preview, String>,
}

/// What to preview.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Environment templates applied outside the job, outermost first.
    /// When empty, the queues of the configuration that apply to the job.
    pub environments: Vec<PathBuf>,
    /// `-p NAME=VALUE`, applied last.
    pub params: Vec<(String, String)>,
    /// A parameter values file (instead of the bundle's own).
    pub params_file: Option<PathBuf>,
    /// Steps to run (all when empty).
    pub steps: Vec<String>,
    /// At most this many tasks per step.
    pub tasks: usize,
    /// Texts of files open in the editor, which win over the files on disk
    /// (environment templates, the values file).
    pub texts: std::collections::HashMap<PathBuf, String>,
}

impl Request {
    /// A file's text: the editor's buffer, else the file on disk.
    fn text_of(&self, path: &Path) -> Result<String, String> {
        match self.texts.get(path) {
            Some(t) => Ok(t.clone()),
            None => read(path),
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    super::files::read_text(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn is_json(path: &Path, text: &str) -> bool {
    path.extension().is_some_and(|e| e == "json")
        || text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
}

/// The values of a parameter values file (`parameterValues: [{name,
/// value}]`, the job bundle format). Deadline Cloud's own job settings
/// (`deadline:*`) are not job parameters and are left out.
pub fn read_values(path: &Path) -> Result<Vec<(String, Given)>, String> {
    parse_values(path, &read(path)?)
}

/// The values of the parameter values file `path` whose text is `text`.
pub(crate) fn parse_values(path: &Path, text: &str) -> Result<Vec<(String, Given)>, String> {
    let parsed = crate::syntax::parse(text);
    let root = parsed
        .root
        .filter(|_| parsed.errors.is_empty())
        .ok_or_else(|| format!("{}: not valid YAML or JSON", path.display()))?;
    let items = root
        .get("parameterValues")
        .and_then(crate::syntax::Node::items)
        .ok_or_else(|| format!("{}: needs a `parameterValues` list", path.display()))?;
    let mut out = Vec::new();
    for item in items {
        let Some(name) = item.get("name").and_then(crate::syntax::Node::as_str) else {
            return Err(format!("{}: an entry without a `name`", path.display()));
        };
        if name.contains(':') {
            continue;
        }
        let Some(value) = item.get("value") else {
            return Err(format!("{}: `{name}` has no `value`", path.display()));
        };
        let given = match value.as_str() {
            Some(s) => Given::Text(s.to_string()),
            None => Given::Json(
                crate::analysis::tree_value::convert(value)
                    .ok_or_else(|| format!("{}: `{name}`: unreadable value", path.display()))?,
            ),
        };
        out.push((name.to_string(), given));
    }
    Ok(out)
}

/// The bundle's values file beside the job template, if there is one.
pub fn bundle_values(job: &Path) -> Option<PathBuf> {
    let dir = job.parent()?;
    VALUES_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// The values given for a preview: the values file (the one asked for, or
/// the bundle's), then `-p` values over it.
pub(crate) fn given_values(job: &Path, req: &Request) -> Result<Vec<(String, Given)>, String> {
    let mut given = match req.params_file.clone().or_else(|| bundle_values(job)) {
        Some(f) => parse_values(&f, &req.text_of(&f)?)?,
        None => Vec::new(),
    };
    for (n, v) in &req.params {
        given.retain(|(m, _)| m != n);
        given.push((n.clone(), Given::Text(v.clone())));
    }
    Ok(given)
}

/// The values of the job bundle's parameter values file beside `job`, as
/// hover uses them (the preview's own reader): none when there is no such
/// file or it cannot be read — the file's own diagnostics say why.
pub(crate) fn bundle_given(job: &Path) -> Vec<(String, Given)> {
    given_values(job, &Request::default()).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn one_session(
    job: &Path,
    job_text: &str,
    job_tree: Option<&crate::syntax::Node>,
    job_root: Option<&crate::syntax::Node>,
    job_template: &Template,
    queue: Option<String>,
    environments: Vec<PathBuf>,
    given: &[(String, Given)],
    req: &Request,
) -> Session {
    let result = (|| {
        let texts: Vec<String> = environments
            .iter()
            .map(|p| req.text_of(p))
            .collect::<Result<_, _>>()?;
        let env_analyses: Vec<crate::analysis::Analysis> =
            texts.iter().map(|t| analyze(t, &Options::own())).collect();
        let analyses: Vec<(PathBuf, std::sync::Arc<Template>)> = environments
            .iter()
            .zip(&env_analyses)
            .map(|(p, a)| {
                a.template
                    .clone()
                    .filter(|t| t.environment.is_some())
                    .map(|t| (p.clone(), t))
                    .ok_or_else(|| format!("{}: not an environment template", p.display()))
            })
            .collect::<Result<_, _>>()?;
        let externals: Vec<External<'_>> = analyses
            .iter()
            .filter_map(|(p, t)| {
                Some(External {
                    file: Some(p.clone()),
                    env: t.environment.as_ref()?,
                })
            })
            .collect();
        let env_docs: Vec<(&str, bool)> = environments
            .iter()
            .zip(&texts)
            .map(|(p, t)| (t.as_str(), is_json(p, t)))
            .collect();
        let dir = job
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|| "/".into());
        let cwd = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|_| dir.clone());
        let env_trees: Vec<&crate::syntax::Node> = env_analyses
            .iter()
            .filter_map(|a| a.root.as_ref())
            .collect();
        if let Some(e) =
            preview::too_large_to_instantiate(job_template, job_root, &env_trees, given)
        {
            return Err(format!(
                "the expression `{}` needs {}; the runtime allows {} operations and {} bytes per expression, and evaluating that much here would take seconds and gigabytes (`openjd-lsp check` reports such expressions)",
                crate::analysis::evaluate::quoted_expression(&e),
                crate::analysis::evaluate::budget_text(),
                crate::analysis::expressions::group(openjd_expr::DEFAULT_OPERATION_LIMIT),
                crate::analysis::expressions::group(openjd_expr::DEFAULT_MEMORY_LIMIT),
            ));
        }
        let instance = preview::instantiate(
            (job_text, is_json(job, job_text)),
            job_tree,
            &env_docs,
            given,
            &dir,
            &cwd,
            req.tasks,
        )?;
        for s in &req.steps {
            if !instance.order.contains(s) {
                return Err(format!("the job has no step `{s}`"));
            }
        }
        let plan = preview::plan(&externals, job_template, &instance, &req.steps);
        Ok(preview::preview(&plan, Some(job.to_path_buf())))
    })();
    Session {
        queue,
        environments,
        preview: result,
    }
}

/// The sessions to preview for `job` (whose text is `job_text`): one with
/// the given environments, else one per queue that applies to it, else one
/// with no queue environments.
pub fn sessions(
    ws: &Workspace,
    job: &Path,
    job_text: &str,
    req: &Request,
) -> Result<Vec<Session>, String> {
    let analysis = analyze(job_text, &Options::own());
    // Our tree stands in for the reference's parse only where it is a
    // plain transcription of the text (no aliases, nothing cut short).
    let parsed = crate::syntax::parse(job_text);
    let tree = parsed
        .root
        .as_ref()
        .filter(|_| !parsed.truncated && !parsed.indirect && parsed.errors.is_empty());
    let template = analysis
        .template
        .clone()
        .filter(|t| t.kind == crate::model::TemplateKind::Job)
        .ok_or_else(|| format!("{}: not a job template", job.display()))?;
    let given = given_values(job, req)?;
    let mut out = Vec::new();
    if !req.environments.is_empty() {
        out.push(one_session(
            job,
            job_text,
            tree,
            analysis.root.as_ref(),
            &template,
            None,
            req.environments.clone(),
            &given,
            req,
        ));
        return Ok(out);
    }
    let queues = ws.queues_for(job);
    if queues.is_empty() {
        out.push(one_session(
            job,
            job_text,
            tree,
            analysis.root.as_ref(),
            &template,
            None,
            Vec::new(),
            &given,
            req,
        ));
    }
    for q in queues {
        out.push(one_session(
            job,
            job_text,
            tree,
            analysis.root.as_ref(),
            &template,
            Some(q.name.clone()),
            q.environments.clone(),
            &given,
            req,
        ));
    }
    Ok(out)
}
