//! Path templates as OpenAPI paths.
//!
//! OpenAPI path parameters match one segment each, so a multi-segment variable is written out:
//! its literals stay literals and each `*` or `**` in it becomes a parameter.
//! `/v1/{name=shelves/*/books/*}` is `/v1/shelves/{name.1}/books/{name.2}` (a variable with one
//! wildcard keeps the field's name: `{name=shelves/*}` is `shelves/{name}`). A client that fills
//! the parameters in builds exactly the URLs the route matches, and the server binds the field
//! to the whole run (`shelves/1/books/2`). `**` is one parameter whose value may hold `/`.

use kratos_path_template::{PathTemplate, Segment};
use protoc_gen_kratos_http::model::FieldPath;

/// One parameter of an OpenAPI path.
pub(crate) struct PathParameter {
    /// The parameter's name in the path (`shelf`, `name.1`).
    pub(crate) name: String,
    /// The field the variable binds.
    pub(crate) field: FieldPath,
    /// How the variable covers this parameter, when it is not a plain `{field}`.
    pub(crate) part: Option<Part>,
}

/// A parameter that is part of a multi-segment variable.
pub(crate) struct Part {
    /// The variable's pattern with this crate's parameter names (`shelves/{name.1}/books/{name.2}`).
    pub(crate) pattern: String,
    /// Whether this parameter is a `**` (zero or more segments).
    pub(crate) deep: bool,
}

/// The OpenAPI path of `template` and its parameters in path order; `fields` are the model's
/// resolved fields, one per template variable.
pub(crate) fn openapi_path(
    template: &PathTemplate,
    fields: &[FieldPath],
) -> (String, Vec<PathParameter>) {
    let segments = template.segments();
    let mut path = String::new();
    let mut parameters = Vec::new();
    let mut index = 0;
    let mut variables = template.variables().iter().zip(fields).peekable();
    while index < segments.len() {
        path.push('/');
        let Some((variable, field)) =
            variables.next_if(|(variable, _)| variable.segments().start == index)
        else {
            path.push_str(segments[index].as_str());
            index += 1;
            continue;
        };
        let covered = &segments[variable.segments()];
        let dotted = variable.field_path_string();
        let wildcards = covered
            .iter()
            .filter(|s| !matches!(s, Segment::Literal(_)))
            .count();
        let mut parts = Vec::with_capacity(covered.len());
        let mut names = Vec::new();
        for segment in covered {
            match segment {
                Segment::Literal(text) => parts.push(text.clone()),
                Segment::Wildcard | Segment::DeepWildcard => {
                    let name = if wildcards == 1 {
                        dotted.clone()
                    } else {
                        format!("{dotted}.{}", names.len() + 1)
                    };
                    parts.push(format!("{{{name}}}"));
                    names.push((name, *segment == Segment::DeepWildcard));
                }
            }
        }
        let written = parts.join("/");
        path.push_str(&written);
        let is_plain = covered.len() == 1 && covered[0] == Segment::Wildcard;
        for (name, deep) in names {
            parameters.push(PathParameter {
                name,
                field: field.clone(),
                part: (!is_plain).then(|| Part {
                    pattern: written.clone(),
                    deep,
                }),
            });
        }
        index = variable.segments().end;
    }
    if path.is_empty() {
        path.push('/');
    }
    if let Some(verb) = template.verb() {
        path.push(':');
        path.push_str(verb);
    }
    (path, parameters)
}

/// The path with every parameter name blanked (`/v1/shelves/{}`): two paths with the same shape
/// are the same path to OpenAPI.
pub(crate) fn shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                out.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            _ => out.push(c),
        }
    }
    out
}
