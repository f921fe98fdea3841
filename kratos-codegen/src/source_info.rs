//! Trimming the source info of encoded file descriptors to what generators read: comments.
//!
//! protoc sends a location (path and span) for every element and token of a file, and only a
//! few carry comments; for an API of thousands of methods, decoding and indexing the rest was
//! a large part of every plugin's run. Nothing here reads spans.

use prost::bytes::BufMut;
use prost::encoding::{
    DecodeContext, WireType, decode_key, decode_varint, encode_key, encode_varint, skip_field,
};

/// `FileDescriptorProto.source_code_info`.
const SOURCE_CODE_INFO: u32 = 9;
/// `SourceCodeInfo.location`.
const LOCATION: u32 = 1;
/// `Location.leading_comments`, `trailing_comments`, `leading_detached_comments`.
const COMMENTS: [u32; 3] = [3, 4, 6];

/// The encoded `FileDescriptorProto` `file` with only the source locations that carry a
/// comment: the first location of a path with comments is still the first (they keep their
/// order). `None` when `file` does not parse (the caller decodes it as it is and reports).
pub(crate) fn keep_commented_locations(file: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(file.len());
    for_each_field(file, |tag, field, value| {
        if tag != SOURCE_CODE_INFO {
            out.extend_from_slice(field);
            return Some(());
        }
        let mut locations = Vec::with_capacity(value.len() / 8);
        for_each_field(value, |tag, field, location| {
            let commented = tag == LOCATION
                && for_each_field(location, |tag, _, _| {
                    // Stop at the first comment: `None` here means "found".
                    (!COMMENTS.contains(&tag)).then_some(())
                })
                .is_none();
            if commented {
                locations.extend_from_slice(field);
            }
            Some(())
        })?;
        encode_key(SOURCE_CODE_INFO, WireType::LengthDelimited, &mut out);
        encode_varint(locations.len() as u64, &mut out);
        out.put_slice(&locations);
        Some(())
    })?;
    Some(out)
}

/// Calls `visit(tag, whole field, length-delimited contents or empty)` for each field of the
/// encoded message `message`, stopping at the first `None` (which it returns, as it does for
/// a malformed message).
fn for_each_field(
    message: &[u8],
    mut visit: impl FnMut(u32, &[u8], &[u8]) -> Option<()>,
) -> Option<()> {
    let mut rest = message;
    while !rest.is_empty() {
        let start = rest;
        let (tag, wire_type) = decode_key(&mut rest).ok()?;
        let value = if wire_type == WireType::LengthDelimited {
            let mut peek = rest;
            let len = usize::try_from(decode_varint(&mut peek).ok()?).ok()?;
            peek.get(..len)?
        } else {
            &[]
        };
        skip_field(wire_type, tag, &mut rest, DecodeContext::default()).ok()?;
        visit(tag, &start[..start.len() - rest.len()], value)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use prost::Message;
    use prost_types::source_code_info::Location;
    use prost_types::{FileDescriptorProto, SourceCodeInfo};

    use super::*;
    use crate::Comments;

    #[test]
    fn only_commented_locations_stay_and_nothing_else_changes() {
        let location = |path: Vec<i32>, leading: Option<&str>, detached: &[&str]| Location {
            path,
            span: vec![1, 2, 3],
            leading_comments: leading.map(Into::into),
            leading_detached_comments: detached.iter().map(|c| (*c).into()).collect(),
            ..Default::default()
        };
        let file = FileDescriptorProto {
            name: Some("x.proto".into()),
            package: Some("x".into()),
            source_code_info: Some(SourceCodeInfo {
                location: vec![
                    location(vec![], None, &[]),
                    location(vec![6, 0], Some(" The service.\n"), &[]),
                    location(vec![6, 0, 1], None, &[]),
                    location(vec![6, 0, 2, 0], None, &[" Detached.\n"]),
                    location(vec![6, 0, 2, 1], Some(" A method.\n"), &[]),
                ],
            }),
            syntax: Some("proto3".into()),
            ..Default::default()
        };
        let trimmed =
            FileDescriptorProto::decode(&*keep_commented_locations(&file.encode_to_vec()).unwrap())
                .unwrap();
        let kept: Vec<&[i32]> = trimmed
            .source_code_info
            .iter()
            .flat_map(|info| &info.location)
            .map(|location| location.path.as_slice())
            .collect();
        assert_eq!(kept, [&[6, 0][..], &[6, 0, 2, 0], &[6, 0, 2, 1]]);
        for path in [&[6, 0][..], &[6, 0, 1], &[6, 0, 2, 0], &[6, 0, 2, 1], &[]] {
            assert_eq!(
                Comments::for_path(&trimmed, path),
                Comments::for_path(&file, path),
                "{path:?}"
            );
        }
        let without_info = |file: &FileDescriptorProto| FileDescriptorProto {
            source_code_info: None,
            ..file.clone()
        };
        assert_eq!(without_info(&trimmed), without_info(&file));
    }

    #[test]
    fn a_file_without_source_info_is_unchanged_and_garbage_is_refused() {
        let file = FileDescriptorProto {
            name: Some("x.proto".into()),
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(keep_commented_locations(&file).unwrap(), file);
        assert!(keep_commented_locations(b"\xff\xff\xff garbage").is_none());
        // A length running past the end.
        assert!(keep_commented_locations(&[0x4a, 0x10, 0x0a]).is_none());
    }
}
