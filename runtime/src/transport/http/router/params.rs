//! Values bound from path variables, and how they are cut out of the request.

use std::fmt;
use std::ops::Range;

use kratos_path_template::{PathTemplate, Variable};

use super::decode::{Decoding, decode_into};

/// The decoded values of a matched template's path variables, in the order of
/// [`PathTemplate::variables`].
///
/// The values share one buffer: a match costs one allocation for templates of up to
/// four variables (two for more, one more if a value has escapes), and none when it
/// has none.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PathParams {
    text: String,
    /// Where each value ends in `text`; value `i` starts where `i - 1` ends.
    ends: Ends,
}

impl PathParams {
    /// The value of the `index`-th variable, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1)?,
        };
        self.text.get(start..end)
    }

    /// The number of values (the number of variables in the template).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the template has no variables.
    pub fn is_empty(&self) -> bool {
        self.ends.len() == 0
    }

    /// The values in template order.
    pub fn iter(&self) -> PathParamsIter<'_> {
        PathParamsIter {
            params: self,
            index: 0,
        }
    }
}

/// Where the values end: inline for the few variables nearly every template has (the
/// request path pays no allocation for them), on the heap past that.
#[derive(Clone, Debug)]
enum Ends {
    Inline { len: u8, at: [u32; Ends::INLINE] },
    Heap(Vec<usize>),
}

impl Ends {
    const INLINE: usize = 4;

    fn get(&self, index: usize) -> Option<usize> {
        match self {
            Self::Inline { len, at } => at[..usize::from(*len)].get(index).map(|&end| end as usize),
            Self::Heap(ends) => ends.get(index).copied(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Inline { len, .. } => usize::from(*len),
            Self::Heap(ends) => ends.len(),
        }
    }

    fn push(&mut self, end: usize) {
        if let Self::Inline { len, at } = self {
            let used = usize::from(*len);
            match (at.get_mut(used), u32::try_from(end)) {
                (Some(slot), Ok(end)) => {
                    *slot = end;
                    *len += 1;
                    return;
                }
                _ => *self = Self::Heap(at[..used].iter().map(|&end| end as usize).collect()),
            }
        }
        if let Self::Heap(ends) = self {
            ends.push(end);
        }
    }
}

impl Default for Ends {
    fn default() -> Self {
        Self::Inline {
            len: 0,
            at: [0; Self::INLINE],
        }
    }
}

impl PartialEq for Ends {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && (0..self.len()).all(|index| self.get(index) == other.get(index))
    }
}

impl Eq for Ends {}

impl<'p> IntoIterator for &'p PathParams {
    type Item = &'p str;
    type IntoIter = PathParamsIter<'p>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The values of [`PathParams`] in template order.
#[derive(Debug, Clone)]
pub struct PathParamsIter<'p> {
    params: &'p PathParams,
    index: usize,
}

impl<'p> Iterator for PathParamsIter<'p> {
    type Item = &'p str;

    fn next(&mut self) -> Option<&'p str> {
        let value = self.params.get(self.index)?;
        self.index += 1;
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.params.len().saturating_sub(self.index);
        (left, Some(left))
    }
}

impl ExactSizeIterator for PathParamsIter<'_> {}

impl fmt::Debug for PathParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Cuts the values of `template`'s variables out of `path`, the request path
/// the template matched: no leading or trailing `/`, verb removed.
///
/// # Errors
///
/// A message for a 400 response: a malformed escape, or a value that is not
/// UTF-8 once decoded.
pub(super) fn bind(template: &PathTemplate, path: &str) -> Result<PathParams, String> {
    let variables = template.variables();
    if variables.is_empty() {
        return Ok(PathParams::default());
    }
    let layout = Layout::new(template, path);
    let mut text = String::with_capacity(path.len());
    let mut ends = Ends::default();
    let mut decoded = Vec::new();
    for variable in variables {
        let raw = layout.raw_value(variable, path);
        // A byte loop: values are short, and `str::contains` sets up a memchr search per call.
        if raw.bytes().any(|b| b == b'%') {
            let decoding = if variable.is_multi_segment() {
                Decoding::KeepReserved
            } else {
                Decoding::Full
            };
            decoded.clear();
            decode_into(raw, decoding, &mut decoded).map_err(|escape| {
                format!(
                    "path parameter {:?}: malformed percent escape {escape:?} in {raw:?}; \
                     \"%\" must be followed by two hexadecimal digits",
                    variable.field_path_string()
                )
            })?;
            // Each value on its own: two halves of a character in two
            // values must not pass as one.
            let value = std::str::from_utf8(&decoded).map_err(|_| {
                format!(
                    "path parameter {:?}: {raw:?} is not valid UTF-8 once percent-decoded",
                    variable.field_path_string()
                )
            })?;
            text.push_str(value);
        } else {
            text.push_str(raw);
        }
        ends.push(text.len());
    }
    Ok(PathParams { text, ends })
}

/// How the segments of a template line up with the segments of a request it
/// matched: one to one, except `**`, which takes what the rest leaves over.
struct Layout {
    /// Request segments.
    count: usize,
    /// Template segments.
    template_len: usize,
    deep: Option<usize>,
}

impl Layout {
    fn new(template: &PathTemplate, path: &str) -> Self {
        let count = if path.is_empty() {
            0
        } else {
            path.bytes().filter(|&b| b == b'/').count() + 1
        };
        Self {
            count,
            template_len: template.segments().len(),
            deep: template.deep_wildcard(),
        }
    }

    /// The request segments matched by template segment `index`.
    fn request_segments(&self, index: usize) -> Range<usize> {
        match self.deep {
            Some(deep) if index == deep => {
                deep..self.count.saturating_sub(self.template_len - 1 - deep)
            }
            Some(deep) if index > deep => {
                let at = self.count.saturating_sub(self.template_len - index);
                at..at + 1
            }
            _ => index..index + 1,
        }
    }

    /// The raw text of the request segments `variable` covers, joined by `/`
    /// as they are in the request; empty when only a `**` covering nothing.
    fn raw_value<'p>(&self, variable: &Variable, path: &'p str) -> &'p str {
        let covered = variable.segments();
        let first = self.request_segments(covered.start).start;
        let end = self.request_segments(covered.end.saturating_sub(1)).end;
        if first >= end {
            return "";
        }
        let start = segment_start(path, first);
        // The segment before `end` stops just before the `/` that starts `end`.
        let end = segment_start(path, end).saturating_sub(1);
        path.get(start..end).unwrap_or_default()
    }
}

/// The byte offset where request segment `index` starts; one past the end of
/// `path` for the segment after the last, so that `- 1` is where the last ends.
fn segment_start(path: &str, index: usize) -> usize {
    let Some(slash) = index.checked_sub(1) else {
        return 0;
    };
    // A byte loop: segments are short, and `match_indices` sets up a memchr search per call.
    path.bytes()
        .enumerate()
        .filter(|&(_, byte)| byte == b'/')
        .nth(slash)
        .map_or(path.len() + 1, |(at, _)| at + 1)
}
