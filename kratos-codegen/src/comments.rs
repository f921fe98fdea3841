//! Proto comments, turned into Rust doc comments.

use prost_types::FileDescriptorProto;

/// The comments attached to one element of a proto file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comments {
    leading: Option<String>,
    trailing: Option<String>,
}

impl Comments {
    /// Looks up the comments of the element at `path` (a descriptor path such as
    /// `prost_reflect::EnumValueDescriptor::path()`) in `file`'s source info.
    pub fn for_path(file: &FileDescriptorProto, path: &[i32]) -> Self {
        file.source_code_info
            .as_ref()
            .and_then(|info| info.location.iter().find(|loc| loc.path == path))
            .map(|loc| Self {
                leading: loc
                    .leading_comments
                    .clone()
                    .filter(|c| !c.trim().is_empty()),
                trailing: loc
                    .trailing_comments
                    .clone()
                    .filter(|c| !c.trim().is_empty()),
            })
            .unwrap_or_default()
    }

    /// Comments from literal text, for tests and callers without source info.
    pub fn new(leading: Option<String>, trailing: Option<String>) -> Self {
        Self { leading, trailing }
    }

    /// Lines of the doc comment: the leading comment, else the trailing one.
    ///
    /// Lines are trimmed so that indented proto text does not turn into rustdoc
    /// code blocks (which rustdoc would compile as doctests), and bare code
    /// fences are marked as `text` for the same reason.
    pub fn doc_lines(&self) -> Vec<String> {
        let Some(text) = self.leading.as_deref().or(self.trailing.as_deref()) else {
            return Vec::new();
        };
        let mut in_fence = false;
        let mut lines: Vec<String> = text
            .lines()
            .map(|line| {
                let line = line.trim();
                if let Some(info) = line.strip_prefix("```") {
                    let opening = !in_fence;
                    in_fence = !in_fence;
                    if opening && info.trim().is_empty() {
                        return " ```text".to_owned();
                    }
                }
                if line.is_empty() {
                    String::new()
                } else {
                    format!(" {line}")
                }
            })
            .collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        while lines.first().is_some_and(String::is_empty) {
            lines.remove(0);
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::{SourceCodeInfo, source_code_info::Location};

    #[test]
    fn leading_wins_over_trailing() {
        let c = Comments::new(Some(" Lead.\n".into()), Some(" Trail.\n".into()));
        assert_eq!(c.doc_lines(), [" Lead."]);
        let c = Comments::new(None, Some(" Trail.\n".into()));
        assert_eq!(c.doc_lines(), [" Trail."]);
    }

    #[test]
    fn indentation_and_bare_fences_cannot_become_doctests() {
        let c = Comments::new(Some("    code()\n```\nx\n```\n".into()), None);
        assert_eq!(c.doc_lines(), [" code()", " ```text", " x", " ```"]);
    }

    #[test]
    fn finds_the_location_by_path() {
        let file = FileDescriptorProto {
            source_code_info: Some(SourceCodeInfo {
                location: vec![Location {
                    path: vec![5, 0, 2, 1],
                    leading_comments: Some(" The user is missing.\n".into()),
                    ..Default::default()
                }],
            }),
            ..Default::default()
        };
        assert_eq!(
            Comments::for_path(&file, &[5, 0, 2, 1]).doc_lines(),
            [" The user is missing."]
        );
        assert!(
            Comments::for_path(&file, &[5, 0, 2, 0])
                .doc_lines()
                .is_empty()
        );
    }
}
