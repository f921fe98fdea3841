//! A recursive-descent parser for the HttpRule template grammar:
//!
//! ```text
//! Template = "/" Segments [ Verb ] ;
//! Segments = Segment { "/" Segment } ;
//! Segment  = "*" | "**" | LITERAL | Variable ;
//! Variable = "{" FieldPath [ "=" Segments ] "}" ;
//! FieldPath = IDENT { "." IDENT } ;
//! Verb     = ":" LITERAL ;
//! ```
//!
//! LITERAL is an RFC 3986 `pchar` without `:` (every `:` outside braces
//! starts the verb), IDENT a proto identifier.

use crate::{Segment, TemplateError, Variable};

const VARIABLE_HINT: &str = "a variable is written {field} or {field=pattern}";
const FIELD_HINT: &str = "a field path is proto field names joined by \".\", e.g. {book.name}";
const LITERAL_HINT: &str = "a literal may contain letters, digits, \"-._~!$&'()*+,;=@\" \
     and percent escapes such as \"%20\"";
const SEGMENT_HINT: &str = "each segment between \"/\" is a literal, \"*\", \"**\" or a {variable}";
const VERB_HINT: &str = "a custom verb ends the template, as in \"/v1/{name}:cancel\"; \
     \":\" is not allowed in literals (percent-encode it as \"%3A\")";
const DEEP_HINT: &str =
    "only literal segments may follow \"**\", which matches the rest of the path";

/// What the parser produces; [`crate::PathTemplate`] adds the text.
pub(crate) struct Parsed {
    pub(crate) segments: Vec<Segment>,
    pub(crate) variables: Vec<Variable>,
    pub(crate) verb: Option<String>,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, TemplateError> {
    let mut parser = Parser {
        text,
        pos: 0,
        segments: Vec::new(),
        segment_offsets: Vec::new(),
        variables: Vec::new(),
        variable_offsets: Vec::new(),
        verb: None,
    };
    parser.template()?;
    parser.check_deep_wildcard_tail()?;
    parser.check_duplicate_fields()?;
    Ok(Parsed {
        segments: parser.segments,
        variables: parser.variables,
        verb: parser.verb,
    })
}

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next unread character; always on a char boundary
    /// because the parser only steps over ASCII.
    pos: usize,
    segments: Vec<Segment>,
    /// Where each segment starts, for errors found after parsing.
    segment_offsets: Vec<usize>,
    variables: Vec<Variable>,
    /// Where each variable's `{` is.
    variable_offsets: Vec<usize>,
    verb: Option<String>,
}

impl<'a> Parser<'a> {
    fn template(&mut self) -> Result<(), TemplateError> {
        match self.peek() {
            Some(b'/') => self.pos += 1,
            None => {
                return Err(self.error(
                    0,
                    "the template is empty",
                    "a template starts with \"/\", e.g. \"/v1/{name}\"",
                ));
            }
            Some(_) => {
                return Err(self.error(
                    0,
                    format!("expected \"/\" but found {}", self.quote_char(0)),
                    "a template starts with \"/\", e.g. \"/v1/{name}\"",
                ));
            }
        }
        // The root template "/" has no segments; the grammar has no such
        // template, but "match exactly /" is a useful route.
        if self.peek().is_none() {
            return Ok(());
        }
        loop {
            self.segment(None)?;
            match self.peek() {
                None => return Ok(()),
                Some(b'/') => self.pos += 1,
                Some(b':') => return self.verb(),
                Some(b'}') => {
                    return Err(self.error(self.pos, "unmatched \"}\"", VARIABLE_HINT));
                }
                Some(_) => {
                    return Err(self.error(
                        self.pos,
                        format!(
                            "unexpected {} after the variable {:?}",
                            self.quote_char(self.pos),
                            self.last_variable_text()
                        ),
                        "a variable is a whole segment: follow it with \"/\", a \":verb\" \
                         or the end of the template",
                    ));
                }
            }
        }
    }

    /// Parses one segment. `variable` is the offset of the enclosing `{` when
    /// parsing a variable's pattern.
    fn segment(&mut self, variable: Option<usize>) -> Result<(), TemplateError> {
        let start = self.pos;
        if self.peek() == Some(b'{') {
            return match variable {
                None => self.variable(),
                Some(open) => Err(self.nested_brace(open)),
            };
        }
        let literal = self.literal_run()?;
        if literal.is_empty() {
            return Err(self.empty_segment(start, variable));
        }
        if self.peek() == Some(b'{') {
            return Err(match variable {
                None => self.error(
                    self.pos,
                    format!("the literal {literal:?} runs into a variable"),
                    "a variable is a whole segment, between \"/\" characters",
                ),
                Some(open) => self.nested_brace(open),
            });
        }
        let segment = match literal {
            "*" => Segment::Wildcard,
            "**" => Segment::DeepWildcard,
            stars if stars.bytes().all(|b| b == b'*') => {
                return Err(self.error(
                    start,
                    format!("{stars:?} is not a wildcard"),
                    "write \"*\" for one segment or \"**\" for any number of segments",
                ));
            }
            literal => Segment::Literal(literal.to_owned()),
        };
        self.segments.push(segment);
        self.segment_offsets.push(start);
        Ok(())
    }

    fn variable(&mut self) -> Result<(), TemplateError> {
        let open = self.pos;
        self.pos += 1;
        let field_path = self.field_path(open)?;
        let first = self.segments.len();
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                self.segments.push(Segment::Wildcard);
                self.segment_offsets.push(open);
            }
            Some(b'=') => {
                self.pos += 1;
                loop {
                    self.segment(Some(open))?;
                    match self.peek() {
                        Some(b'/') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b':') => return Err(self.colon_in_variable()),
                        // `segment` has already reported "{" and any character a
                        // literal cannot hold.
                        _ => return Err(self.unclosed(open)),
                    }
                }
            }
            Some(b':') => return Err(self.colon_in_variable()),
            None => return Err(self.unclosed(open)),
            Some(_) => {
                return Err(self.error(
                    self.pos,
                    format!(
                        "invalid character {} in a field path",
                        self.quote_char(self.pos)
                    ),
                    FIELD_HINT,
                ));
            }
        }
        let range = first..self.segments.len();
        self.variables
            .push(Variable::new(field_path, range, &self.segments));
        self.variable_offsets.push(open);
        Ok(())
    }

    /// `IDENT { "." IDENT }` with IDENT a proto identifier `[A-Za-z_][A-Za-z0-9_]*`.
    fn field_path(&mut self, open: usize) -> Result<Vec<String>, TemplateError> {
        let mut path = Vec::new();
        loop {
            let start = self.pos;
            match self.peek() {
                Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
                Some(b) if b.is_ascii_digit() => {
                    return Err(self.error(
                        start,
                        format!("the field name starts with the digit \"{}\"", char::from(b)),
                        "a field name starts with a letter or \"_\"",
                    ));
                }
                None => return Err(self.unclosed(open)),
                Some(_) => {
                    let after = if path.is_empty() { "" } else { " after \".\"" };
                    let problem = format!(
                        "expected a field name{after} but found {}",
                        self.quote_char(start)
                    );
                    return Err(self.error(start, problem, FIELD_HINT));
                }
            }
            while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
                self.pos += 1;
            }
            path.push(self.text[start..self.pos].to_owned());
            if self.peek() != Some(b'.') {
                return Ok(path);
            }
            self.pos += 1;
        }
    }

    fn verb(&mut self) -> Result<(), TemplateError> {
        let colon = self.pos;
        self.pos += 1;
        let verb = self.literal_run()?;
        if verb.is_empty() && self.peek().is_none() {
            return Err(self.error(
                colon,
                "empty custom verb after \":\"",
                "write a verb after \":\", as in \"/v1/{name}:cancel\", or remove the \":\"",
            ));
        }
        if self.peek().is_some() {
            let problem = match self.peek() {
                Some(b':') => "a second \":\"".to_owned(),
                _ => format!(
                    "unexpected {} after the custom verb \":{verb}\"",
                    self.quote_char(self.pos)
                ),
            };
            return Err(self.error(self.pos, problem, VERB_HINT));
        }
        self.verb = Some(verb.to_owned());
        Ok(())
    }

    /// Reads a run of literal characters (RFC 3986 `pchar` without `:`),
    /// stopping at `/`, `:`, `{`, `}` or the end.
    fn literal_run(&mut self) -> Result<&'a str, TemplateError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            match b {
                b'/' | b':' | b'{' | b'}' => break,
                b'%' => {
                    let escape = self.text.as_bytes().get(self.pos + 1..self.pos + 3);
                    if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                        let quoted: String = self.text[self.pos..].chars().take(3).collect();
                        return Err(self.error(
                            self.pos,
                            format!("malformed percent escape {quoted:?}"),
                            "\"%\" must be followed by two hexadecimal digits, as in \"%2F\"",
                        ));
                    }
                    self.pos += 3;
                }
                b if is_literal_byte(b) => self.pos += 1,
                _ => return Err(self.invalid_literal_char()),
            }
        }
        let text = self.text;
        Ok(&text[start..self.pos])
    }

    /// `**` matches "the rest of the path", so what follows it must have a
    /// fixed length; literals only keep matching unambiguous.
    fn check_deep_wildcard_tail(&self) -> Result<(), TemplateError> {
        let Some(deep) = self
            .segments
            .iter()
            .position(|s| *s == Segment::DeepWildcard)
        else {
            return Ok(());
        };
        // A variable is reported as a whole rather than by its first segment.
        let deep_variable = self
            .variables
            .iter()
            .position(|v| v.segments().start > deep);
        if let Some(index) = deep_variable {
            let offset = self.variable_offsets[index];
            return Err(self.error(
                offset,
                format!(
                    "the variable {{{}}} comes after \"**\"",
                    self.variables[index].field_path_string()
                ),
                DEEP_HINT,
            ));
        }
        for (index, segment) in self.segments.iter().enumerate().skip(deep + 1) {
            let offset = self.segment_offsets[index];
            match segment {
                Segment::Literal(_) => {}
                Segment::Wildcard => {
                    return Err(self.error(offset, "\"*\" after \"**\"", DEEP_HINT));
                }
                Segment::DeepWildcard => {
                    return Err(self.error(offset, "a second \"**\"", DEEP_HINT));
                }
            }
        }
        Ok(())
    }

    /// Binding one field twice is a policy error: the two values could differ.
    fn check_duplicate_fields(&self) -> Result<(), TemplateError> {
        for (index, variable) in self.variables.iter().enumerate() {
            let first = self.variables[..index]
                .iter()
                .position(|earlier| earlier.field_path() == variable.field_path());
            if let Some(first) = first {
                return Err(self.error(
                    self.variable_offsets[index],
                    format!(
                        "the field {:?} is bound a second time",
                        variable.field_path_string()
                    ),
                    format!(
                        "it is already bound by the variable at offset {}; bind each field once",
                        self.variable_offsets[first]
                    ),
                ));
            }
        }
        Ok(())
    }

    fn empty_segment(&self, start: usize, variable: Option<usize>) -> TemplateError {
        let after_equals = start > 0 && self.text.as_bytes().get(start - 1) == Some(&b'=');
        match (self.peek(), variable) {
            (Some(b':'), Some(_)) => self.colon_in_variable(),
            (None, Some(open)) => self.unclosed(open),
            (Some(b'}'), None) => self.error(start, "unmatched \"}\"", VARIABLE_HINT),
            (Some(b':'), None) => self.error(
                start,
                "missing segment before the custom verb",
                "a custom verb follows a segment, as in \"/v1/{name}:cancel\"",
            ),
            (None, None) => self.error(
                start - 1,
                "trailing \"/\"",
                "remove it: the last segment is not followed by \"/\" \
                 (a request's trailing \"/\" is ignored anyway)",
            ),
            (Some(_), Some(_)) if after_equals => self.error(
                start,
                "missing pattern after \"=\"",
                "write {field=pattern} with a pattern such as \"*\" or \"shelves/*\", or just {field}",
            ),
            (Some(b'}'), Some(_)) => self.error(
                start - 1,
                "trailing \"/\" in a variable's pattern",
                "remove it: the pattern's last segment is not followed by \"/\"",
            ),
            _ => self.error(start, "empty segment (\"//\")", SEGMENT_HINT),
        }
    }

    fn invalid_literal_char(&self) -> TemplateError {
        let quoted = self.quote_char(self.pos);
        let (problem, hint) = match self.peek() {
            Some(b'?') => (
                "\"?\" (it starts a query string)".to_owned(),
                "a template matches the path only; percent-encode a literal \"?\" as \"%3F\"",
            ),
            Some(b'#') => (
                "\"#\" (it starts a fragment)".to_owned(),
                "percent-encode a literal \"#\" as \"%23\"",
            ),
            Some(b) if !b.is_ascii() => (
                format!("the non-ASCII character {quoted}"),
                "percent-encode it as UTF-8, e.g. \"%E4%B8%AD\" for \"中\"",
            ),
            _ => (format!("the character {quoted}"), LITERAL_HINT),
        };
        self.error(self.pos, format!("invalid literal: {problem}"), hint)
    }

    fn unclosed(&self, open: usize) -> TemplateError {
        self.error(open, "unclosed \"{\"", VARIABLE_HINT)
    }

    fn nested_brace(&self, open: usize) -> TemplateError {
        self.error(
            self.pos,
            "\"{\" inside a variable",
            format!(
                "the enclosing variable opens at offset {open}, \
                 and a variable cannot contain another variable"
            ),
        )
    }

    fn colon_in_variable(&self) -> TemplateError {
        self.error(
            self.pos,
            "\":\" inside a variable",
            "a custom verb goes after the variable, as in \"/v1/{name}:cancel\"; \
             \":\" is not allowed in literals (percent-encode it as \"%3A\")",
        )
    }

    fn last_variable_text(&self) -> &str {
        let start = self.variable_offsets.last().copied().unwrap_or_default();
        self.text.get(start..self.pos).unwrap_or_default()
    }

    fn error(
        &self,
        offset: usize,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> TemplateError {
        TemplateError::new(self.text, offset, problem, hint)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The character at `offset`, quoted for an error message.
    fn quote_char(&self, offset: usize) -> String {
        match self.text.get(offset..).and_then(|rest| rest.chars().next()) {
            Some(c) => format!("{:?}", c.to_string()),
            None => "the end of the template".to_owned(),
        }
    }
}

/// RFC 3986 `pchar` bytes other than `%` (checked separately) and `:`
/// (which starts the verb): unreserved, sub-delims and `@`.
fn is_literal_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'@'
        )
}
