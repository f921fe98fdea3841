//! The error returned for a template that does not follow the grammar.

use std::fmt;

/// Why a path template was rejected.
///
/// The [`Display`](fmt::Display) form is meant to be shown to the person who
/// wrote the template: it quotes the template, says what is wrong and at
/// which byte offset, and what would be valid, e.g.
/// `invalid path template "/v1/{name": unclosed "{" at offset 4; a variable is
/// written {field} or {field=pattern}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    template: String,
    offset: usize,
    problem: String,
    hint: String,
}

impl TemplateError {
    pub(crate) fn new(
        template: &str,
        offset: usize,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            template: template.to_owned(),
            offset,
            problem: problem.into(),
            hint: hint.into(),
        }
    }

    /// The rejected template text.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The byte offset in [`template`](Self::template) where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What is wrong and what would be valid, without the leading
    /// `invalid path template "..."`, for callers that quote the template
    /// themselves.
    pub fn reason(&self) -> String {
        format!("{} at offset {}; {}", self.problem, self.offset, self.hint)
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid path template {:?}: {} at offset {}; {}",
            self.template, self.problem, self.offset, self.hint
        )
    }
}

impl std::error::Error for TemplateError {}
