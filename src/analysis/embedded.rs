//! Environment templates embedded in CloudFormation: each is analysed as a
//! template of its own, and its diagnostics are mapped to the host file.
//! A `${Name}` substitution is opaque: nothing that touches one is
//! reported. Nothing else in the host file is judged.

use crate::syntax::cfn::{self, Embedded};
use crate::syntax::{self, Span};

use super::{Analysis, Code, Diagnostic, DocKind, Format, Options, analyze};

/// One embedded template and its analysis (in the embedded text's offsets).
pub struct Hosted {
    pub embedded: Embedded,
    pub analysis: Analysis,
}

impl Hosted {
    /// The analysis's diagnostics, in the host file's offsets.
    pub(crate) fn host_diagnostics(&self) -> Vec<Diagnostic> {
        let e = &self.embedded;
        let mut out = Vec::new();
        match self.analysis.kind {
            DocKind::Environment => {}
            DocKind::Job => out.push(Diagnostic::new(Code::CfnNotEnvironment,
                e.span.clone(),
                format!(
                    "`{}` holds a job template; a queue environment's Template is an environment template (specificationVersion: environment-2023-09)",
                    e.logical_id
                ),
            )),
            DocKind::NotTemplate => out.push(Diagnostic::new(Code::CfnNotEnvironment,
                e.span.clone(),
                format!(
                    "`{}`'s Template is not an OpenJD environment template (no specificationVersion: environment-2023-09)",
                    e.logical_id
                ),
            )),
            DocKind::UnknownVersion => {}
        }
        for d in &self.analysis.diagnostics {
            if e.touches_substitution(&d.span) {
                continue;
            }
            let mut d = d.clone();
            d.span = self.to_host(&d.span);
            for r in &mut d.related {
                if r.file.is_none() {
                    r.span = self.to_host(&r.span);
                }
            }
            // A fix computed for the embedded text does not apply as is.
            d.fix = None;
            out.push(d);
        }
        out
    }

    pub(crate) fn to_host(&self, span: &Span) -> Span {
        self.embedded.range_to_host(span.clone())
    }

    /// The offset in the embedded text of a host offset inside it.
    pub fn from_host(&self, host_offset: usize) -> Option<usize> {
        self.embedded.from_host(host_offset)
    }
}

/// The queue environments of a CloudFormation template, analysed; empty
/// when the text is not such a template.
pub(crate) fn analyze_host(text: &str, options: &Options) -> Vec<Hosted> {
    if !cfn::might_hold(text) {
        return Vec::new();
    }
    let parsed = syntax::parse(text);
    let Some(root) = parsed.root.as_ref().filter(|r| cfn::is_cloudformation(r)) else {
        return Vec::new();
    };
    cfn::find(text, root)
        .into_iter()
        .map(|embedded| {
            let format = match embedded.template_type.as_deref() {
                Some(t) if t.eq_ignore_ascii_case("json") => Some(Format::Json),
                Some(t) if t.eq_ignore_ascii_case("yaml") => Some(Format::Yaml),
                _ => None,
            };
            let analysis = analyze(&embedded.text, &options.with_format(format));
            Hosted { embedded, analysis }
        })
        .collect()
}

/// The embedded template whose string holds `host_offset`.
pub fn at(hosted: &[Hosted], host_offset: usize) -> Option<&Hosted> {
    hosted
        .iter()
        .find(|h| h.embedded.span.start <= host_offset && host_offset <= h.embedded.span.end)
}

#[cfg(test)]
mod tests;
