//! The parsed model of a path template.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::TemplateError;
use crate::parser;

/// A parsed and validated `google.api.http` path template such as
/// `/v1/{name=shelves/*/books/*}:cancel`.
///
/// The model is flat: [`segments`](Self::segments) lists every segment of the
/// path, with the sub-segments of variables inlined, and each
/// [`Variable`] refers to the run of segments it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    text: String,
    segments: Vec<Segment>,
    variables: Vec<Variable>,
    verb: Option<String>,
}

impl PathTemplate {
    /// Parses and validates `text`.
    ///
    /// # Errors
    ///
    /// A [`TemplateError`] saying what is wrong, where, and what would be valid.
    pub fn parse(text: &str) -> Result<PathTemplate, TemplateError> {
        let parsed = parser::parse(text)?;
        Ok(PathTemplate {
            text: text.to_owned(),
            segments: parsed.segments,
            variables: parsed.variables,
            verb: parsed.verb,
        })
    }

    /// The template text as it was written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Every segment of the path in order, variables' sub-segments inlined.
    /// The root template `/` has none.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The variables in template order.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The custom verb (`cancel` in `/v1/{name}:cancel`), if any.
    pub fn verb(&self) -> Option<&str> {
        self.verb.as_deref()
    }

    /// The template in canonical form: `{x}` is written `{x=*}`, everything
    /// else as parsed. Two templates with the same canonical form bind the same
    /// fields from the same requests.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 2 * self.variables.len());
        let mut variables = self.variables.iter().peekable();
        let mut index = 0;
        while index < self.segments.len() {
            out.push('/');
            match variables.next_if(|variable| variable.segments.start == index) {
                Some(variable) => {
                    out.push('{');
                    out.push_str(&variable.field_path_string());
                    out.push('=');
                    out.push_str(&variable.template_text);
                    out.push('}');
                    index = variable.segments.end;
                }
                None => {
                    out.push_str(self.segments[index].as_str());
                    index += 1;
                }
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        if let Some(verb) = &self.verb {
            out.push(':');
            out.push_str(verb);
        }
        out
    }

    /// The index of the `**` segment, if the template has one (at most one is
    /// allowed, and only literals may follow it).
    pub fn deep_wildcard(&self) -> Option<usize> {
        self.segments
            .iter()
            .position(|segment| *segment == Segment::DeepWildcard)
    }
}

impl fmt::Display for PathTemplate {
    /// Writes the template text as it was written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for PathTemplate {
    type Err = TemplateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A literal segment, as written (still percent-encoded): it is compared
    /// with the raw request segment.
    Literal(String),
    /// `*`: exactly one segment.
    Wildcard,
    /// `**`: zero or more segments.
    DeepWildcard,
}

impl Segment {
    /// The segment as it is written in a template.
    pub fn as_str(&self) -> &str {
        match self {
            Segment::Literal(text) => text,
            Segment::Wildcard => "*",
            Segment::DeepWildcard => "**",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A variable of a path template: `{name=shelves/*}` binds the field `name`
/// to the request segments matched by `shelves/*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    field_path: Vec<String>,
    segments: Range<usize>,
    multi_segment: bool,
    template_text: String,
}

impl Variable {
    pub(crate) fn new(field_path: Vec<String>, segments: Range<usize>, all: &[Segment]) -> Self {
        let covered = all.get(segments.clone()).unwrap_or_default();
        let template_text = covered
            .iter()
            .map(Segment::as_str)
            .collect::<Vec<_>>()
            .join("/");
        // A `{x=**}` that happens to match one segment is still multi-segment,
        // so that how a value is decoded never depends on the request.
        let multi_segment = covered.len() > 1 || covered.contains(&Segment::DeepWildcard);
        Self {
            field_path,
            segments,
            multi_segment,
            template_text,
        }
    }

    /// The field path, one proto field name per element (`["a", "b", "c"]`
    /// for `{a.b.c}`).
    pub fn field_path(&self) -> &[String] {
        &self.field_path
    }

    /// The field path as written, joined with `.` (`"a.b.c"`).
    pub fn field_path_string(&self) -> String {
        self.field_path.join(".")
    }

    /// The segments this variable covers, as indices into
    /// [`PathTemplate::segments`].
    pub fn segments(&self) -> Range<usize> {
        self.segments.clone()
    }

    /// Whether the variable covers more than one segment or contains `**`.
    /// Such values keep reserved characters percent-encoded when bound, and
    /// clients expand them without encoding `/`.
    pub fn is_multi_segment(&self) -> bool {
        self.multi_segment
    }

    /// The pattern after `=` (`shelves/*`), or `*` for a plain `{field}`.
    pub fn template_text(&self) -> String {
        self.template_text.clone()
    }
}
