//! Proto comments, turned into Rust doc comments.

use std::collections::HashMap;

use prost_types::FileDescriptorProto;
use prost_types::source_code_info::Location;

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
            .map(Self::of_location)
            .unwrap_or_default()
    }

    fn of_location(location: &Location) -> Self {
        Self {
            leading: location
                .leading_comments
                .clone()
                .filter(|c| !c.trim().is_empty()),
            trailing: location
                .trailing_comments
                .clone()
                .filter(|c| !c.trim().is_empty()),
        }
    }

    /// A [`doc_lines`](Self::doc_lines) line as the proto comment wrote it, for readers
    /// other than rustdoc (OpenAPI descriptions).
    pub fn plain_line(line: &str) -> String {
        line.replace("\\[", "[").replace("\\]", "]")
    }

    /// Comments from literal text, for tests and callers without source info.
    pub fn new(leading: Option<String>, trailing: Option<String>) -> Self {
        Self { leading, trailing }
    }

    /// Lines of the doc comment: the leading comment, else the trailing one, as rustdoc
    /// Markdown (brackets escaped; [`Comments::plain_line`] undoes that for other readers).
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
                } else if in_fence {
                    format!(" {line}")
                } else {
                    format!(" {}", escape_brackets(line))
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

/// The source locations of one proto file by descriptor path, for looking up the comments of
/// many of its elements: [`Comments::for_path`] scans all the file's locations for each one,
/// which for a file of thousands of methods is most of a generator's time.
#[derive(Debug, Default)]
pub struct FileComments<'a> {
    by_path: HashMap<&'a [i32], &'a Location>,
}

impl<'a> FileComments<'a> {
    /// Indexes the source info of `file` (none: every lookup finds no comments).
    pub fn new(file: &'a FileDescriptorProto) -> Self {
        let mut by_path = HashMap::new();
        for location in file.source_code_info.iter().flat_map(|info| &info.location) {
            // The first location of a path is the one `Comments::for_path` finds.
            by_path.entry(location.path.as_slice()).or_insert(location);
        }
        Self { by_path }
    }

    /// The comments of the element at `path`, as [`Comments::for_path`] finds them.
    pub fn get(&self, path: &[i32]) -> Comments {
        self.by_path
            .get(path)
            .map(|location| Comments::of_location(location))
            .unwrap_or_default()
    }
}

/// `line` with `[` and `]` escaped outside inline code and inline links (`[text](url)`):
/// proto comments cross-reference as `[Book][google.example.Book]`, which rustdoc would take
/// for Rust intra-doc links and warn about.
fn escape_brackets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let mut taken = c.len_utf8();
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '[' | ']' if in_code => out.push(c),
            '[' => match inline_link_len(rest) {
                Some(len) => {
                    out.push_str(&rest[..len]);
                    taken = len;
                }
                None => out.push_str("\\["),
            },
            ']' => out.push_str("\\]"),
            _ => out.push(c),
        }
        rest = &rest[taken..];
    }
    out
}

/// The length of the inline link `[text](target)` that `text` starts with, if it starts with one.
fn inline_link_len(text: &str) -> Option<usize> {
    let close = text.find(']')?;
    let target = text[close + 1..].strip_prefix('(')?;
    let end = target.find(')')?;
    (!text[1..close].contains('[')).then_some(close + 2 + end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::SourceCodeInfo;

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
    fn brackets_cannot_become_broken_intra_doc_links() {
        // Proto comments write `[Book][google.example.Book]` and `#[deprecated]`; rustdoc
        // would read both as links to Rust items and warn that they do not resolve.
        let c = Comments::new(
            Some(" Gets a [Book][google.example.Book]; #[deprecated].\n".into()),
            None,
        );
        assert_eq!(
            c.doc_lines(),
            [r" Gets a \[Book\]\[google.example.Book\]; #\[deprecated\]."]
        );
        assert_eq!(
            Comments::plain_line(&c.doc_lines()[0]),
            " Gets a [Book][google.example.Book]; #[deprecated]."
        );
        // Inline code, code blocks and inline links keep their brackets.
        let c = Comments::new(
            Some(" See [the spec](https://example.com/a[1]) and `v[0]`.\n```\nx[0]\n```\n".into()),
            None,
        );
        assert_eq!(
            c.doc_lines(),
            [
                " See [the spec](https://example.com/a[1]) and `v[0]`.",
                " ```text",
                " x[0]",
                " ```"
            ]
        );
    }

    #[test]
    fn the_index_finds_what_the_scan_finds() {
        let location = |path: Vec<i32>, comment: &str| Location {
            path,
            leading_comments: Some(comment.into()),
            ..Default::default()
        };
        let file = FileDescriptorProto {
            source_code_info: Some(SourceCodeInfo {
                location: vec![
                    location(vec![6, 0], " The service.\n"),
                    location(vec![6, 0, 2, 1], " The second method.\n"),
                    location(vec![6, 0, 2, 1], " A later location of the same path.\n"),
                ],
            }),
            ..Default::default()
        };
        let index = FileComments::new(&file);
        for path in [&[6, 0][..], &[6, 0, 2, 1], &[6, 0, 2, 0], &[]] {
            assert_eq!(index.get(path), Comments::for_path(&file, path), "{path:?}");
        }
        assert_eq!(
            index.get(&[6, 0, 2, 1]).doc_lines(),
            [" The second method."]
        );
        assert!(
            FileComments::new(&FileDescriptorProto::default())
                .get(&[6, 0])
                .doc_lines()
                .is_empty()
        );
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
