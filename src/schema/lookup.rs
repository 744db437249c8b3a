//! Finding the schema entry for a place in a document, by its path.

use crate::syntax::Node;

use super::types::*;

/// What the schema says about the value at a path.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    pub ty: Ty,
    /// The field (key) holding the value, when the last step is a key.
    pub field: Option<&'static Field>,
    /// The object the field belongs to.
    pub owner: Option<&'static Object>,
}

/// The object schema of a mapping node of type `ty` (for a tagged object,
/// the variant its tag selects, if any).
pub(crate) fn object_of(ty: Ty, node: Option<&Node>, expr: bool) -> Option<&'static Object> {
    match ty {
        Ty::Object(o) => Some(o),
        Ty::Tagged(t) => {
            let tag = node.and_then(|n| n.get(t.tag)).and_then(Node::as_str)?;
            t.variant(tag, expr).map(|v| v.object)
        }
        _ => None,
    }
}

/// Every field a mapping of type `ty` may have (all variants of a tagged
/// object when its tag is not known yet).
pub fn fields_of(ty: Ty, node: Option<&Node>, expr: bool) -> Vec<&'static Field> {
    if let Some(o) = object_of(ty, node, expr) {
        return o.fields.iter().collect();
    }
    match ty {
        Ty::Tagged(t) => {
            let mut out: Vec<&'static Field> = Vec::new();
            for v in t.variants {
                for f in v.object.fields {
                    if !out.iter().any(|o| o.key == f.key) {
                        out.push(f);
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

pub enum Step<'a> {
    Key(&'a str),
    Index,
}

/// Walk the schema from `root_ty` along `steps`, reading tags from the
/// document nodes `nodes` (the node at each step, where it exists).
pub fn lookup(
    root_ty: Ty,
    steps: &[Step<'_>],
    nodes: &[Option<&Node>],
    expr: bool,
) -> Option<Found> {
    let mut found = Found {
        ty: root_ty,
        field: None,
        owner: None,
    };
    for (i, step) in steps.iter().enumerate() {
        let node = nodes.get(i).copied().flatten();
        match step {
            Step::Key(k) => {
                if found.ty_is_env_vars() {
                    found = Found {
                        ty: Ty::Fmt(super::table::ENV_VAR_VALUE, ScopeClass::EnvVariables),
                        field: None,
                        owner: None,
                    };
                    continue;
                }
                let owner = object_of(found.ty, node, expr);
                let field = match owner {
                    Some(o) => o.field(k),
                    None => fields_of(found.ty, node, expr)
                        .into_iter()
                        .find(|f| f.key == *k),
                }?;
                found = Found {
                    ty: field.ty,
                    field: Some(field),
                    owner,
                };
            }
            Step::Index => {
                let item = match found.ty {
                    Ty::List(l) | Ty::Range(l) => l.item,
                    _ => return None,
                };
                found = Found {
                    ty: item,
                    field: None,
                    owner: None,
                };
            }
        }
    }
    Some(found)
}

impl Found {
    fn ty_is_env_vars(&self) -> bool {
        matches!(self.ty, Ty::EnvVars)
    }
}
