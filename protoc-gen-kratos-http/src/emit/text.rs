//! Rust source as text: literals, doc comments and the one line-breaking rule the emitters
//! share. The emitters write the generated code formatted as rustfmt-like printers would
//! (prettyplease's layout, which the goldens were made with), without building a syntax tree:
//! parsing and printing tokens was most of the plugin's time.

use std::fmt::{self, Write as _};

use proc_macro2::Literal;

/// The width a line may take (prettyplease's margin); longer lists go one item a line.
pub(crate) const MARGIN: usize = 89;

/// `text` as a Rust string literal, escaped.
pub(crate) fn string(text: &str) -> String {
    Str(text).to_string()
}

/// A Rust string literal, escaped, written where it is formatted (no string of its own).
pub(crate) struct Str<'a>(pub(crate) &'a str);

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and paths, nearly all of them: nothing to escape.
        let plain = self
            .0
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ');
        if plain {
            f.write_char('"')?;
            f.write_str(self.0)?;
            f.write_char('"')
        } else {
            write!(f, "{}", Literal::string(self.0))
        }
    }
}

/// `bytes` as a Rust byte-string literal, escaped.
pub(crate) fn byte_string(bytes: &[u8]) -> String {
    Literal::byte_string(bytes).to_string()
}

/// Doc comment lines at `indent`: `///` and the line, as prettyplease prints `#[doc = "..."]`,
/// or the attribute itself for a line a `///` comment cannot carry.
pub(crate) fn docs(out: &mut String, indent: &str, lines: &[String]) {
    for line in lines {
        if line.starts_with('/') || line.contains(['\n', '\r']) {
            let _ = writeln!(out, "{indent}#[doc = {}]", string(line));
        } else {
            let _ = writeln!(out, "{indent}///{}", line.trim_end_matches(' '));
        }
    }
}

/// `head`, the items separated by `, `, and `tail` as one line at `indent` when it fits in
/// the margin and no item spans lines; else `head`, one item a line (one level deeper, each
/// with a comma) and `tail` on a line of its own. An item's lines after its first are
/// indented relative to its start.
pub(crate) fn list<S: AsRef<str>>(
    out: &mut String,
    indent: &str,
    head: &str,
    items: &[S],
    tail: &str,
) {
    let width = indent.len()
        + head.len()
        + items.iter().map(|item| item.as_ref().len()).sum::<usize>()
        + 2 * items.len().saturating_sub(1)
        + tail.len();
    let flat = !items.iter().any(|item| item.as_ref().contains('\n'));
    out.push_str(indent);
    out.push_str(head);
    if flat && width <= MARGIN {
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            out.push_str(item.as_ref());
        }
    } else {
        out.push('\n');
        for item in items {
            out.push_str(indent);
            out.push_str("    ");
            push_indented(out, indent, "    ", item.as_ref());
            out.push_str(",\n");
        }
        out.push_str(indent);
    }
    out.push_str(tail);
    out.push('\n');
}

/// An expression to print: text, or a call-like list (`f(`, arguments, `)`) that goes one
/// argument a line when it does not fit on one.
pub(crate) enum Expr {
    /// Text as it is printed; lines after its first indented relative to its start.
    Text(String),
    /// `head`, the items separated by `, `, `tail`.
    List {
        head: String,
        items: Vec<Expr>,
        tail: String,
    },
}

impl From<String> for Expr {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl Expr {
    /// `head(items)tail`-like list.
    pub(crate) fn call(head: impl Into<String>, items: Vec<Expr>, tail: impl Into<String>) -> Self {
        Self::List {
            head: head.into(),
            items,
            tail: tail.into(),
        }
    }

    /// The expression with `prefix` before it (`&`, a receiver).
    pub(crate) fn prefixed(self, prefix: &str) -> Self {
        match self {
            Self::Text(text) => Self::Text(format!("{prefix}{text}")),
            Self::List { head, items, tail } => Self::List {
                head: format!("{prefix}{head}"),
                items,
                tail,
            },
        }
    }

    /// The width on one line, `None` when it spans lines.
    fn flat_len(&self) -> Option<usize> {
        match self {
            Self::Text(text) => (!text.contains('\n')).then_some(text.len()),
            Self::List { head, items, tail } => {
                let mut len = head.len() + tail.len() + 2 * items.len().saturating_sub(1);
                for item in items {
                    len += item.flat_len()?;
                }
                Some(len)
            }
        }
    }

    /// Whether the expression fits on one line at `indent`.
    pub(crate) fn fits(&self, indent: &str) -> bool {
        self.flat_len()
            .is_some_and(|len| indent.len() + len <= MARGIN)
    }

    fn write_flat(&self, out: &mut String) {
        match self {
            Self::Text(text) => out.push_str(text),
            Self::List { head, items, tail } => {
                out.push_str(head);
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    item.write_flat(out);
                }
                out.push_str(tail);
            }
        }
    }

    /// Writes `prefix`, the expression and `suffix` as lines at `indent`, one line when it
    /// fits the margin.
    pub(crate) fn write(&self, out: &mut String, indent: &str, prefix: &str, suffix: &str) {
        out.push_str(indent);
        out.push_str(prefix);
        let fits = self
            .flat_len()
            .is_some_and(|len| indent.len() + prefix.len() + len + suffix.len() <= MARGIN);
        match self {
            Self::List { head, items, tail } if !fits => {
                out.push_str(head);
                out.push('\n');
                let inner = [indent, "    "].concat();
                for item in items {
                    item.write(out, &inner, "", ",");
                }
                out.push_str(indent);
                out.push_str(tail);
            }
            Self::Text(text) => push_indented(out, indent, "", text),
            Self::List { .. } => self.write_flat(out),
        }
        out.push_str(suffix);
        out.push('\n');
    }
}

/// Appends `text`, an expression whose lines after the first are indented relative to its
/// start, where that start is in a line at `indent` + `more`: the later lines get those before
/// their own indentation. No newline after the last line.
pub(crate) fn push_indented(out: &mut String, indent: &str, more: &str, text: &str) {
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
                out.push_str(more);
            }
        }
        out.push_str(line);
    }
}

/// `receiver.call().call()tail` as one line at `indent` when it fits, else the receiver and one
/// `.call()` a line below it, one level deeper.
pub(crate) fn chain(out: &mut String, indent: &str, receiver: &str, calls: &[String], tail: &str) {
    let width = indent.len()
        + receiver.len()
        + calls.iter().map(|call| call.len() + 1).sum::<usize>()
        + tail.len();
    if width <= MARGIN {
        let _ = write!(out, "{indent}{receiver}");
        for call in calls {
            let _ = write!(out, ".{call}");
        }
    } else {
        let _ = write!(out, "{indent}{receiver}");
        for call in calls {
            let _ = write!(out, "\n{indent}    .{call}");
        }
    }
    let _ = writeln!(out, "{tail}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped_as_proc_macro2_escapes_them() {
        for text in [
            "",
            "plain/path {x} it's",
            "quote \" and \\",
            "tab\tnew\nline",
            "é ünï",
            "\u{7f}",
        ] {
            assert_eq!(string(text), Literal::string(text).to_string(), "{text:?}");
        }
    }

    #[test]
    fn doc_lines_are_comments_unless_a_comment_cannot_carry_them() {
        let mut out = String::new();
        let lines = [
            " Plain, trailing spaces go.  ",
            "",
            "/ starts a fourth slash",
            " a\rb",
        ]
        .map(String::from);
        docs(&mut out, "    ", &lines);
        assert_eq!(
            out,
            "    /// Plain, trailing spaces go.\n    ///\n    #[doc = \"/ starts a fourth slash\"]\n    \
             #[doc = \" a\\rb\"]\n"
        );
    }

    #[test]
    fn a_list_goes_one_item_a_line_only_when_it_does_not_fit() {
        let mut out = String::new();
        list(
            &mut out,
            "    ",
            "f(",
            &["a".to_owned(), "b".to_owned()],
            ");",
        );
        assert_eq!(out, "    f(a, b);\n");
        let long = "x".repeat(80);
        out.clear();
        list(
            &mut out,
            "    ",
            "f(",
            &[long.clone(), "b".to_owned()],
            ");",
        );
        assert_eq!(
            out,
            format!("    f(\n        {long},\n        b,\n    );\n")
        );
        // An item spanning lines breaks the list, and keeps its own indentation.
        out.clear();
        list(&mut out, "", "g(", &["{\n    1\n}".to_owned()], ")");
        assert_eq!(out, "g(\n    {\n        1\n    },\n)\n");
    }
}
