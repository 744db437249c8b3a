//! Completion: keys from the schema table (with snippets that include the
//! required children), values (enums, booleans, versions, extensions, step
//! names), and inside expressions exactly the variables the scope table
//! says are visible there, plus functions and properties.

use crate::analysis::scope::{Origin, Var, library, variables};
use crate::analysis::{Analysis, ExtSet};
use crate::model::Template;
use crate::schema::lookup::fields_of;
use crate::schema::{self, Extension, Field, Req, ScopeClass, Ty};
use crate::syntax::Span;

use super::context::{Context, CursorDoc, context_at, cursor_doc};
use super::layout::Style;

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
    /// Other edits made when the item is accepted (adding an extension).
    pub additional_edits: Vec<(Span, String)>,
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
            additional_edits: Vec::new(),
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

/// Where a variable comes from, for the completion list and hover.
pub(crate) fn describe_origin(var: &Var, template: &Template) -> String {
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

/// Completion items at `offset`, best first.
pub fn complete(analysis: &Analysis, offset: usize) -> Vec<Item> {
    complete_list(analysis, offset).items
}

/// A completion list and whether it depends on more typing (the client
/// must ask again rather than filter it).
pub struct Completions {
    pub items: Vec<Item>,
    pub incomplete: bool,
}

pub fn complete_list(analysis: &Analysis, offset: usize) -> Completions {
    let offset = crate::text::floor_char_boundary(&analysis.text, offset);
    let doc = cursor_doc(analysis, offset);
    let ctx = context_at(analysis, &doc, offset);
    // Narrowed by a typed namespace (`Task.Pa`): erasing the dot changes the
    // list. Nothing to offer yet inside a word: more typing may change that.
    let incomplete = match &ctx {
        Context::Expression { chain, .. } => chain.contains('.'),
        Context::Nothing => offset
            .checked_sub(1)
            .and_then(|i| analysis.text.as_bytes().get(i))
            .is_some_and(|b| b.is_ascii_alphanumeric()),
        _ => false,
    };
    let mut items = items_for(analysis, &doc, ctx, offset);
    items.sort_by(|a, b| a.sort.cmp(&b.sort));
    Completions { items, incomplete }
}

fn items_for(analysis: &Analysis, doc: &CursorDoc<'_>, ctx: Context, offset: usize) -> Vec<Item> {
    let exts = analysis.exts();
    match ctx {
        Context::Expression {
            site,
            chain,
            replace,
            before,
            ..
        } => {
            let empty = Template::default();
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
            container,
            has_value,
            style,
        } => {
            let resolved = match &container {
                Some(c) => Some(c),
                None => doc.root.as_ref().and_then(|r| {
                    let n = path.resolve(r).0;
                    n.entries().map(|_| n)
                }),
            };
            let expr = exts.has(Extension::Expr);
            let place = KeyPlace {
                replace,
                column,
                has_value,
                style,
            };
            fields_of(ty, resolved, expr)
                .into_iter()
                .enumerate()
                .filter(|(_, f)| !present.iter().any(|p| p == f.key))
                .map(|(i, f)| key_item(analysis, f, exts, &place, i))
                .collect()
        }
        Context::Value {
            found,
            path,
            replace,
            style,
            quoted,
        } => {
            let key = path.last_key().unwrap_or("");
            let mut values: Vec<Choice> = Vec::new();
            let mut plain = |v: &str, doc: Option<&str>| {
                values.push(Choice {
                    text: v.to_string(),
                    doc: doc.map(str::to_string),
                    kind: ItemKind::Value,
                    string: true,
                    detail: None,
                })
            };
            match found.ty {
                Ty::Enum(vs) => vs.iter().for_each(|v| plain(v, None)),
                Ty::Mode => ["TERMINATE", "NOTIFY_THEN_TERMINATE"]
                    .iter()
                    .for_each(|v| plain(v, None)),
                Ty::Bool | Ty::LooseBool => {
                    for v in ["true", "false"] {
                        values.push(Choice {
                            text: v.into(),
                            doc: None,
                            kind: ItemKind::Value,
                            string: false,
                            detail: None,
                        });
                    }
                }
                Ty::SpecVersion => {
                    plain(schema::JOB_TEMPLATE_VERSION, Some("A job template"));
                    plain(
                        schema::ENVIRONMENT_TEMPLATE_VERSION,
                        Some("An environment template"),
                    );
                }
                Ty::Any if key == "type" => {
                    let tagged = if path.contains_key("taskParameterDefinitions") {
                        &schema::TASK_PARAMETER
                    } else {
                        &schema::JOB_PARAMETER
                    };
                    for v in tagged.variants {
                        for t in v.tags {
                            let gate = v
                                .gate
                                .filter(|g| !exts.has(*g))
                                .map(|g| format!("requires {g}"));
                            values.push(Choice {
                                text: t.to_string(),
                                doc: Some(v.object.doc.to_string()),
                                kind: ItemKind::Value,
                                string: true,
                                detail: gate,
                            });
                        }
                    }
                }
                Ty::Str(_) if path.contains_key("extensions") => {
                    let listed: Vec<Extension> = analysis
                        .declared
                        .spans
                        .iter()
                        .filter(|(_, s)| s.end < replace.start || s.start > replace.end)
                        .map(|(e, _)| *e)
                        .collect();
                    for e in Extension::ALL.iter().filter(|e| !listed.contains(e)) {
                        plain(e.name(), Some(e.doc()));
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
                                values.push(Choice {
                                    text: n.value.to_string(),
                                    doc: None,
                                    kind: ItemKind::Reference,
                                    string: true,
                                    detail: Some("step".into()),
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
            values
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let gated = c
                        .detail
                        .as_deref()
                        .is_some_and(|d| d.starts_with("requires"));
                    let mut item = Item::new(c.text.clone(), c.kind, replace.clone());
                    item.documentation = c.doc;
                    item.sort = format!("{}{i:03}", if gated { 3 } else { 0 });
                    item.detail = c.detail;
                    if c.string && style == Style::Json && !quoted {
                        item.insert = format!("\"{}\"", c.text);
                    }
                    item
                })
                .collect()
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
    if let Some(names) = names_compared(before, template) {
        for (name, what) in names {
            items.push(Item::new(name, ItemKind::Reference, replace.clone()).detail(what));
        }
        return items;
    }
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

/// Inside a string literal compared with a name (`WrappedEnv.Name == '`,
/// `Step.Name != "`): the step or environment names of the template.
fn names_compared(before: &str, template: &Template) -> Option<Vec<(String, &'static str)>> {
    let typed = before.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '-');
    let rest = typed.strip_suffix(['\'', '"'])?.trim_end();
    let rest = rest
        .strip_suffix("==")
        .or_else(|| rest.strip_suffix("!="))?
        .trim_end();
    let text = |t: &Option<crate::model::Text>| t.as_ref().map(|n| n.value.to_string());
    if rest.ends_with("Env.Name") {
        let mut names: Vec<(String, &'static str)> = Vec::new();
        let envs = template
            .job_environments
            .iter()
            .chain(template.steps.iter().flat_map(|s| s.environments.iter()))
            .chain(template.environment.iter());
        for e in envs {
            if let Some(n) = text(&e.name)
                && !names.iter().any(|(x, _)| *x == n)
            {
                names.push((n, "environment"));
            }
        }
        return Some(names);
    }
    if rest.ends_with("Step.Name") {
        return Some(
            template
                .steps
                .iter()
                .filter_map(|s| text(&s.name))
                .map(|n| (n, "step"))
                .collect(),
        );
    }
    None
}

/// A value offered for a field.
struct Choice {
    text: String,
    doc: Option<String>,
    kind: ItemKind,
    /// Quoted in JSON.
    string: bool,
    detail: Option<String>,
}

/// Where a key is being written.
struct KeyPlace {
    replace: Span,
    column: usize,
    has_value: bool,
    style: Style,
}

/// A key item: a snippet for `f` that writes its required children too
/// (just the name when the key already has its value). A key gated by an
/// extension the template lacks says so and adds the extension.
fn key_item(analysis: &Analysis, f: &'static Field, exts: ExtSet, at: &KeyPlace, i: usize) -> Item {
    let mut item = Item::new(f.key, ItemKind::Key, at.replace.clone()).doc(f.doc);
    let quote = |k: &str| match at.style {
        Style::Json => format!("\"{k}\""),
        _ => k.to_string(),
    };
    if at.has_value {
        item.insert = quote(f.key);
    } else {
        let mut n = 0;
        item.insert = match at.style {
            Style::Block => snippet_for(f.key, f.ty, at.column, &mut n, 0),
            Style::Flow | Style::Json => format!(
                "{}: {}",
                quote(f.key),
                flow_snippet(f.ty, at.style == Style::Json, &mut n, 0)
            ),
        };
        item.snippet = true;
    }
    let missing: Vec<Extension> = match f.gate {
        Some(g) if !exts.has(g) => {
            let mut m = vec![g];
            m.extend(g.requires().iter().filter(|r| !exts.has(**r)));
            m
        }
        _ => Vec::new(),
    };
    item.detail = Some(match f.gate {
        Some(g) if !missing.is_empty() => format!("requires {g}"),
        Some(g) => format!("{} ({g})", describe_ty(f.ty)),
        None => describe_ty(f.ty),
    });
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|e| e.name()).collect();
        item.documentation = Some(format!(
            "{}\n\nNeeds the {} extension{}: accepting adds {} to `extensions`.",
            f.doc,
            names.join(" and "),
            if names.len() > 1 { "s" } else { "" },
            if names.len() > 1 { "them" } else { "it" },
        ));
        item.additional_edits =
            super::code_actions::add_extensions(analysis, &missing).unwrap_or_default();
    }
    let class = match (f.req, !missing.is_empty()) {
        (_, true) => 3,
        (Req::Required, _) => 0,
        (Req::Optional, _) => 1,
    };
    item.sort = format!("{class}{i:02}");
    item
}

/// A value for a key written on one line (a YAML flow mapping or JSON):
/// objects with their required children, placeholders elsewhere.
fn flow_snippet(ty: Ty, json: bool, n: &mut usize, depth: usize) -> String {
    let q = |k: &str| {
        if json {
            format!("\"{k}\"")
        } else {
            k.to_string()
        }
    };
    let string = |n: &mut usize| {
        if json {
            format!("\"${}\"", next(n))
        } else {
            format!("${}", next(n))
        }
    };
    match ty {
        Ty::Object(o) if depth < 4 => {
            let body: Vec<String> = o
                .fields
                .iter()
                .filter(|f| f.req == Req::Required && f.gate.is_none())
                .map(|f| format!("{}: {}", q(f.key), flow_snippet(f.ty, json, n, depth + 1)))
                .collect();
            if body.is_empty() {
                format!("{{${}}}", next(n))
            } else {
                format!("{{{}}}", body.join(", "))
            }
        }
        Ty::Tagged(t) => {
            let tags: Vec<&str> = t.all_tags().collect();
            let name = string(n);
            let choice = format!("${{{}|{}|}}", next(n), tags.join(","));
            format!(
                "{{{}: {name}, {}: {}}}",
                q("name"),
                q(t.tag),
                if json {
                    format!("\"{choice}\"")
                } else {
                    choice
                }
            )
        }
        Ty::Object(_) | Ty::EnvVars => format!("{{${}}}", next(n)),
        Ty::List(l) => format!("[{}]", flow_snippet(l.item, json, n, depth + 1)),
        Ty::Enum(vs) => {
            let choice = format!("${{{}|{}|}}", next(n), vs.join(","));
            if json {
                format!("\"{choice}\"")
            } else {
                choice
            }
        }
        Ty::Mode => {
            let choice = format!("${{{}|TERMINATE,NOTIFY_THEN_TERMINATE|}}", next(n));
            if json {
                format!("\"{choice}\"")
            } else {
                choice
            }
        }
        Ty::Bool | Ty::LooseBool => format!("${{{}|true,false|}}", next(n)),
        Ty::Num(_) => format!("${}", next(n)),
        _ => string(n),
    }
}

pub(crate) fn describe_ty(ty: Ty) -> String {
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
