//! The segment trie behind [`Router`](super::Router).
//!
//! Templates are inserted segment by segment: a literal child per distinct
//! literal, one `*` child, and one `**` child. Because only literals may follow
//! `**`, whatever follows it is a fixed-length tail; the `**` child holds those
//! tails in a [`TailNode`] trie keyed from the *end* of the path, so `**`
//! takes exactly what the tail leaves over, zero segments included.
//!
//! Nodes store indices of routes, not routes: the trie does not depend on the
//! route value type.
//!
//! A request walks the trie depth first, trying at each node the literal child,
//! then `*`, then `**`, and backtracking on failure: the first terminal reached
//! belongs to the most specific template, whatever the registration order.
//! Before `**` each node sits at a fixed depth, so a lookup visits every node at
//! most once and a long request path cannot make it explode.

use std::ops::ControlFlow;

use kratos_path_template::Segment;

/// A node of the trie; `routes` are the templates that end here.
#[derive(Debug, Default)]
pub(super) struct Node {
    /// Sorted by literal, for binary search.
    literals: Vec<(Box<str>, Node)>,
    wildcard: Option<Box<Node>>,
    deep: Option<Box<TailNode>>,
    routes: Vec<usize>,
}

/// A node under `**`: literals matched backwards from the end of the path.
#[derive(Debug, Default)]
pub(super) struct TailNode {
    /// Sorted by literal, for binary search.
    literals: Vec<(Box<str>, TailNode)>,
    routes: Vec<usize>,
}

/// A template segment after `**` that is not a literal (the template parser
/// rules it out).
#[derive(Debug)]
pub(super) struct NonLiteralTail;

impl Node {
    /// The list of routes ending where `segments` lead, created as needed.
    pub(super) fn routes_mut(
        &mut self,
        segments: &[Segment],
    ) -> Result<&mut Vec<usize>, NonLiteralTail> {
        let Some((first, rest)) = segments.split_first() else {
            return Ok(&mut self.routes);
        };
        match first {
            Segment::Literal(literal) => child(&mut self.literals, literal).routes_mut(rest),
            Segment::Wildcard => self.wildcard.get_or_insert_default().routes_mut(rest),
            Segment::DeepWildcard => {
                let mut node: &mut TailNode = self.deep.get_or_insert_default();
                for segment in rest.iter().rev() {
                    let Segment::Literal(literal) = segment else {
                        return Err(NonLiteralTail);
                    };
                    node = child(&mut node.literals, literal);
                }
                Ok(&mut node.routes)
            }
        }
    }

    /// Visits the route lists of every template matching the request
    /// segments `rest` (`None` once all are consumed), most specific first,
    /// until `visit` breaks.
    pub(super) fn walk<B>(
        &self,
        rest: Option<&str>,
        visit: &mut impl FnMut(&[usize]) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let Some(rest) = rest else {
            visit(&self.routes)?;
            // `**` matches zero segments too.
            return match &self.deep {
                Some(deep) => deep.walk(None, visit),
                None => ControlFlow::Continue(()),
            };
        };
        // A byte loop rather than `split_once('/')`: segments are short, and the `str` search
        // sets up a memchr per call (~100 instructions a lookup, bench/README.md).
        let (segment, next) = match rest.bytes().position(|b| b == b'/') {
            // `/` is one byte: both cuts fall on character boundaries.
            Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
            None => (rest, None),
        };
        if let Some(child) = find(&self.literals, segment) {
            child.walk(next, visit)?;
        }
        if let Some(child) = &self.wildcard {
            child.walk(next, visit)?;
        }
        match &self.deep {
            Some(deep) => deep.walk(Some(rest), visit),
            None => ControlFlow::Continue(()),
        }
    }
}

impl TailNode {
    /// Like [`Node::walk`], but matching literals from the end of `rest`;
    /// whatever the tail leaves over is what `**` matched. Longer tails (more
    /// literal segments) are visited first.
    fn walk<B>(
        &self,
        rest: Option<&str>,
        visit: &mut impl FnMut(&[usize]) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        if let Some(rest) = rest {
            let (front, last) = match rest.bytes().rposition(|b| b == b'/') {
                // `/` is one byte: both cuts fall on character boundaries.
                Some(slash) => (Some(&rest[..slash]), &rest[slash + 1..]),
                None => (None, rest),
            };
            if let Some(child) = find(&self.literals, last) {
                child.walk(front, visit)?;
            }
        }
        visit(&self.routes)
    }
}

fn find<'n, N>(children: &'n [(Box<str>, N)], literal: &str) -> Option<&'n N> {
    children
        .binary_search_by(|(key, _)| key.as_ref().cmp(literal))
        .ok()
        .and_then(|index| children.get(index))
        .map(|(_, node)| node)
}

fn child<'n, N: Default>(children: &'n mut Vec<(Box<str>, N)>, literal: &str) -> &'n mut N {
    let index = match children.binary_search_by(|(key, _)| key.as_ref().cmp(literal)) {
        Ok(index) => index,
        Err(index) => {
            children.insert(index, (literal.into(), N::default()));
            index
        }
    };
    &mut children[index].1
}
