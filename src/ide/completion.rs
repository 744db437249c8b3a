//! Completion: keys from the schema table (with snippets that include the
//! required children), values (enums, booleans, versions, extensions, step
//! names), and inside expressions exactly the variables the scope table
//! says are visible there, plus functions and properties.

use openjd_expr::{ExprProfile, FunctionLibrary, HostContext};

use crate::analysis::scope::{Origin, Var, variables};
use crate::analysis::{Analysis, ExtSet};
use crate::model::{Template, TemplateKind};
use crate::schema::lookup::fields_of;
use crate::schema::{self, Extension, Field, Req, ScopeClass, Ty};
use crate::syntax::Span;

use super::context::{Context, context_at, cursor_doc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Variable,
    Namespace,
    Function,
    Property,
    Key,
    Value,
    Keyword,
    Snippet,
    Reference,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// The document range the item replaces, and its text.
    pub replace: Span,
    pub insert: String,
    pub snippet: bool,
    pub sort: String,
}

impl Item {
    fn new(label: impl Into<String>, kind: ItemKind, replace: Span) -> Item {
        let label = label.into();
        Item {
            insert: label.clone(),
            label,
            kind,
            detail: None,
            documentation: None,
            replace,
            snippet: false,
            sort: String::new(),
        }
    }
    fn detail(mut self, d: impl Into<String>) -> Item {
        self.detail = Some(d.into());
        self
    }
    fn doc(mut self, d: impl Into<String>) -> Item {
        self.documentation = Some(d.into());
        self
    }
}

pub fn library(class: ScopeClass) -> std::sync::Arc<FunctionLibrary> {
    let profile = ExprProfile::current();
    match class {
        ScopeClass::Host | ScopeClass::EnvVariables => {
            FunctionLibrary::for_profile(&profile.with_host_context(HostContext::Unresolved))
        }
        _ => FunctionLibrary::for_profile(&profile),
    }
}

/// Where a variable comes from, for the completion list and hover.
pub fn describe_origin(var: &Var, template: &Template) -> String {
    match &var.origin {
        Origin::Parameter(i) => template.parameters.get(*i).map_or_else(String::new, |p| {
            let mut s = format!(
                "Job parameter `{}` ({})",
                p.name.value,
                p.type_name.as_ref().map_or("?", |t| t.value.as_str())
            );
            if let Some(d) = &p.description {
                s.push_str(&format!("\n\n{d}"));
            }
            if let Some(d) = &p.default {
                s.push_str(&format!("\n\nDefault: `{d}`"));
            }
            s
        }),
        Origin::TaskParameter { step, index } => template
            .steps
            .get(*step)
            .and_then(|s| s.task_parameters.get(*index).map(|p| (s, p)))
            .map_or_else(String::new, |(s, p)| {
                format!(
                    "Task parameter `{}` of step `{}`",
                    p.name.value,
                    s.display_name()
                )
            }),
        Origin::EmbeddedFile { .. } => "Embedded file".into(),
        Origin::Let { .. } => "Let binding".into(),
        Origin::Builtin => "Built-in".into(),
    }
}

pub fn complete(analysis: &Analysis, offset: usize) -> Vec<Item> {
    let doc = cursor_doc(analysis, offset);
    let exts = analysis.exts();
    match context_at(analysis, &doc, offset) {
        Context::Expression {
            site,
            chain,
            replace,
            before,
            ..
        } => {
            let empty = Template {
                kind: TemplateKind::Job,
                name: None,
                parameters: Vec::new(),
                job_environments: Vec::new(),
                steps: Vec::new(),
                environment: None,
            };
            let template = doc.template.as_deref().unwrap_or(&empty);
            let vars = variables(template, &site, exts, &analysis.let_types);
            expression_items(&vars, template, &chain, &before, replace, exts, site.class)
        }
        Context::Key {
            ty,
            present,
            replace,
            column,
            path,
        } => {
            let node = doc
                .root
                .as_ref()
                .and_then(|r| path.resolve(r).0.entries().map(|_| path.resolve(r).0));
            let expr = exts.has(Extension::Expr);
            let fields = fields_of(ty, node, expr);
            fields
                .into_iter()
                .filter(|f| !present.iter().any(|p| p == f.key))
                .map(|f| key_item(f, exts, replace.clone(), column))
                .collect()
        }
        Context::Value {
            found,
            path,
            replace,
        } => {
            let key = path.last_key().unwrap_or("");
            let mut items: Vec<Item> = Vec::new();
            let mut values = |vals: &mut dyn Iterator<Item = (String, Option<String>)>| {
                for (v, d) in vals {
                    let mut item = Item::new(v, ItemKind::Value, replace.clone());
                    item.documentation = d;
                    items.push(item);
                }
            };
            match found.ty {
                Ty::Enum(vs) => values(&mut vs.iter().map(|v| (v.to_string(), None))),
                Ty::Mode => values(
                    &mut ["TERMINATE", "NOTIFY_THEN_TERMINATE"]
                        .iter()
                        .map(|v| (v.to_string(), None)),
                ),
                Ty::Bool | Ty::LooseBool => {
                    values(&mut ["true", "false"].iter().map(|v| (v.to_string(), None)))
                }
                Ty::SpecVersion => values(
                    &mut [
                        (schema::JOB_TEMPLATE_VERSION, "A job template"),
                        (
                            schema::ENVIRONMENT_TEMPLATE_VERSION,
                            "An environment template",
                        ),
                    ]
                    .iter()
                    .map(|(v, d)| (v.to_string(), Some(d.to_string()))),
                ),
                Ty::Any if key == "type" => {
                    let tagged = if path.contains_key("taskParameterDefinitions") {
                        &schema::TASK_PARAMETER
                    } else {
                        &schema::JOB_PARAMETER
                    };
                    for v in tagged.variants {
                        for t in v.tags {
                            let mut item =
                                Item::new(*t, ItemKind::Value, replace.clone()).doc(v.object.doc);
                            if let Some(g) = v.gate.filter(|g| !exts.has(*g)) {
                                item.detail = Some(format!("requires {g}"));
                                item.sort = format!("z{t}");
                            }
                            items.push(item);
                        }
                    }
                }
                Ty::Str(_) if path.contains_key("extensions") => {
                    let listed: Vec<Extension> =
                        analysis.declared.spans.iter().map(|(e, _)| *e).collect();
                    for e in Extension::ALL.iter().filter(|e| !listed.contains(e)) {
                        items.push(
                            Item::new(e.name(), ItemKind::Value, replace.clone()).doc(e.doc()),
                        );
                    }
                }
                Ty::Str(_) if key == "dependsOn" => {
                    let own = path.index(1);
                    if let Some(t) = doc.template.as_deref() {
                        for s in &t.steps {
                            if Some(s.index) == own {
                                continue;
                            }
                            if let Some(n) = &s.name {
                                items.push(
                                    Item::new(
                                        n.value.clone(),
                                        ItemKind::Reference,
                                        replace.clone(),
                                    )
                                    .detail("step"),
                                );
                            }
                        }
                    }
                }
                _ => {}
            }
            items
        }
        Context::EmptyDocument => template_skeletons(offset),
        Context::Nothing => Vec::new(),
    }
}

const KEYWORDS: [&str; 10] = [
    "and", "or", "not", "in", "if", "else", "for", "True", "False", "None",
];

fn expression_items(
    vars: &[Var],
    template: &Template,
    chain: &str,
    before: &str,
    replace: Span,
    exts: ExtSet,
    class: ScopeClass,
) -> Vec<Item> {
    let mut items = Vec::new();
    let expr_on = exts.has(Extension::Expr);
    // After `x.` where x is a value, offer its properties.
    if let Some((base, _)) = chain.rsplit_once('.')
        && let Some(var) = vars.iter().find(|v| v.name == base)
    {
        let ty = crate::analysis::expressions::parse_type(&var.ty);
        let lib = library(class);
        for name in lib.function_names() {
            let Some(prop) = name
                .strip_prefix("__property_")
                .and_then(|p| p.strip_suffix("__"))
            else {
                continue;
            };
            if let Some(pt) = lib.get_property_type(&ty, prop) {
                let full = format!("{base}.{prop}");
                let mut item =
                    Item::new(full, ItemKind::Property, replace.clone()).detail(pt.to_string());
                item.label = prop.to_string();
                items.push(item);
            }
        }
        return items;
    }
    let prefix = chain.rsplit_once('.').map_or("", |(p, _)| p);
    for v in vars {
        if !prefix.is_empty() && !v.name.starts_with(&format!("{prefix}.")) {
            continue;
        }
        let mut item = Item::new(v.name.clone(), ItemKind::Variable, replace.clone())
            .detail(v.ty.clone())
            .doc(
                format!("{}\n\n{}", v.doc, describe_origin(v, template))
                    .trim()
                    .to_string(),
            );
        // Let names first, then the namespaces in scope-table order.
        item.sort = format!("{:04}", items.len());
        items.push(item);
    }
    if prefix.is_empty() && expr_on {
        let lib = library(class);
        let mut names: Vec<&str> = lib
            .function_names()
            .filter(|n| !n.starts_with("__"))
            .collect();
        names.sort_unstable();
        for name in names {
            let sigs: Vec<String> = lib
                .get_signatures(name)
                .iter()
                .map(|e| format!("{name}{}", e.signature))
                .collect();
            let mut item = Item::new(name, ItemKind::Function, replace.clone())
                .detail(sigs.first().cloned().unwrap_or_default())
                .doc(sigs.join("\n"));
            item.insert = format!("{name}($0)");
            item.snippet = true;
            item.sort = format!("5{name}");
            items.push(item);
        }
        if !before.trim().is_empty() {
            for k in KEYWORDS {
                let mut item = Item::new(k, ItemKind::Keyword, replace.clone());
                item.sort = format!("9{k}");
                items.push(item);
            }
        }
    }
    items
}

/// A snippet for `field` that writes its required children too.
fn key_item(f: &'static Field, exts: ExtSet, replace: Span, column: usize) -> Item {
    let mut n = 0;
    let body = snippet_for(f.key, f.ty, column, &mut n, 0);
    let mut item = Item::new(f.key, ItemKind::Key, replace).doc(f.doc);
    item.insert = body;
    item.snippet = true;
    item.detail = Some(match f.gate {
        Some(g) if !exts.has(g) => format!("requires {g}"),
        Some(g) => format!("{} ({g})", describe_ty(f.ty)),
        None => describe_ty(f.ty),
    });
    item.sort = match (f.req, f.gate.is_some_and(|g| !exts.has(g))) {
        (_, true) => format!("3{}", f.key),
        (Req::Required, _) => format!("0{}", f.key),
        (Req::Optional, _) => format!("1{}", f.key),
    };
    item
}

pub fn describe_ty(ty: Ty) -> String {
    match ty {
        Ty::Object(o) => o.name.to_string(),
        Ty::Tagged(t) => t.name.to_string(),
        Ty::List(l) => format!("list of {}", describe_ty(l.item)),
        Ty::Str(_) => "string".into(),
        Ty::Fmt(..) => "format string".into(),
        Ty::Enum(vs) => vs.join(" | "),
        Ty::Mode => "TERMINATE | NOTIFY_THEN_TERMINATE".into(),
        Ty::Bool => "boolean".into(),
        Ty::LooseBool => "boolean".into(),
        Ty::Num(n) if n.integer => "integer".into(),
        Ty::Num(_) => "number".into(),
        Ty::Let => "let binding".into(),
        Ty::EnvVars => "mapping of variable names to values".into(),
        Ty::SpecVersion => "specification version".into(),
        Ty::Range(_) => "list of values or range expression".into(),
        Ty::Any => "value".into(),
    }
}

fn next(n: &mut usize) -> usize {
    *n += 1;
    *n
}

fn required_children(
    fields: &[&'static Field],
    column: usize,
    n: &mut usize,
    depth: usize,
) -> String {
    let pad = " ".repeat(column);
    fields
        .iter()
        .filter(|f| f.req == Req::Required && f.gate.is_none())
        .map(|f| format!("{pad}{}", snippet_for(f.key, f.ty, column, n, depth + 1)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `key: …` with placeholders, the value laid out for the key at `column`.
fn snippet_for(key: &str, ty: Ty, column: usize, n: &mut usize, depth: usize) -> String {
    let child = column + 2;
    match ty {
        Ty::Object(o) if depth < 4 => {
            let fields: Vec<&'static Field> = o.fields.iter().collect();
            let body = required_children(&fields, child, n, depth);
            if body.is_empty() {
                format!("{key}:\n{}${}", " ".repeat(child), next(n))
            } else {
                format!("{key}:\n{body}")
            }
        }
        Ty::List(l) => match l.item {
            Ty::Object(o) if depth < 4 => {
                let fields: Vec<&'static Field> = o.fields.iter().collect();
                let body = required_children(&fields, child + 2, n, depth);
                let body = body.trim_start();
                format!(
                    "{key}:\n{}- {}",
                    " ".repeat(child),
                    if body.is_empty() {
                        format!("${}", next(n))
                    } else {
                        body.to_string()
                    }
                )
            }
            Ty::Tagged(t) => {
                let tags: Vec<&str> = t.all_tags().collect();
                let pad = " ".repeat(child + 2);
                let name = next(n);
                let tag = next(n);
                format!(
                    "{key}:\n{}- name: ${name}\n{pad}{}: ${{{tag}|{}|}}",
                    " ".repeat(child),
                    t.tag,
                    tags.join(",")
                )
            }
            Ty::Fmt(..) | Ty::Str(_) => format!("{key}: [\"${}\"]", next(n)),
            _ => format!("{key}: [${}]", next(n)),
        },
        Ty::Enum(vs) => format!("{key}: ${{{}|{}|}}", next(n), vs.join(",")),
        Ty::Mode => format!("{key}: ${{{}|TERMINATE,NOTIFY_THEN_TERMINATE|}}", next(n)),
        Ty::Bool => format!("{key}: ${{{}|true,false|}}", next(n)),
        Ty::SpecVersion => format!(
            "{key}: ${{{}|jobtemplate-2023-09,environment-2023-09|}}",
            next(n)
        ),
        Ty::EnvVars => format!(
            "{key}:\n{}${{{}:NAME}}: ${}",
            " ".repeat(child),
            next(n),
            next(n)
        ),
        _ => format!("{key}: ${}", next(n)),
    }
}

fn template_skeletons(offset: usize) -> Vec<Item> {
    let job = "specificationVersion: jobtemplate-2023-09\nname: ${1:MyJob}\nsteps:\n  - name: ${2:Step}\n    script:\n      actions:\n        onRun:\n          command: ${3:echo}\n          args: [\"${4:hello}\"]\n";
    let env = "specificationVersion: environment-2023-09\nenvironment:\n  name: ${1:MyEnvironment}\n  script:\n    actions:\n      onEnter:\n        command: ${2:echo}\n";
    [
        ("OpenJD job template", job),
        ("OpenJD environment template", env),
    ]
    .into_iter()
    .map(|(label, body)| {
        let mut item = Item::new(label, ItemKind::Snippet, offset..offset);
        item.insert = body.to_string();
        item.snippet = true;
        item
    })
    .collect()
}
