use prost::Message;

use super::codec_message;
use super::fixtures::{Inner, Person};
use crate::encoding::{decode_proto, decode_proto_field, encode_proto};

#[test]
fn proto_roundtrip_merges() {
    let body = encode_proto(&Person {
        age: 3,
        tags: vec!["b".into()],
        ..Default::default()
    });
    let mut person = Person {
        name: "kept".into(),
        tags: vec!["a".into()],
        ..Default::default()
    };
    decode_proto(&body, &mut person).expect("decodes");
    assert_eq!((person.name.as_str(), person.age), ("kept", 3));
    assert_eq!(person.tags, ["a", "b"]);
    decode_proto(b"", &mut person).expect("empty body");
    decode_proto(b"", &mut ()).expect("Empty");
}

#[test]
fn bad_proto_bodies() {
    let table: &[(&[u8], &str)] = &[
        (&[0xff], "invalid protobuf body: "),
        (&[0x0a, 0x05, b'a'], "invalid protobuf body: "),
        (&[0x0a, 0x01, 0xff], "invalid protobuf body: "),
        (
            &[
                0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ],
            "invalid protobuf body: ",
        ),
    ];
    for (body, expected) in table {
        let text = codec_message(decode_proto(body, &mut Person::default()));
        assert!(text.starts_with(expected), "{body:?}: {text}");
    }
    let text = codec_message(decode_proto(&[0x0a, 0x01, 0xff], &mut Person::default()));
    assert!(text.contains("UTF-8"), "{text}");
}

#[test]
fn proto_body_field() {
    let body = Inner {
        display_name: "x".into(),
        count: 2,
    }
    .encode_to_vec();
    let mut person = Person {
        name: "kept".into(),
        ..Default::default()
    };
    decode_proto_field(&body, &mut person, "inner").expect("decodes");
    assert_eq!(person.name, "kept");
    assert_eq!(
        person.inner,
        Some(Inner {
            display_name: "x".into(),
            count: 2
        })
    );
    // Merges into what is there.
    decode_proto_field(
        &Inner {
            count: 5,
            ..Default::default()
        }
        .encode_to_vec(),
        &mut person,
        "inner",
    )
    .expect("decodes");
    assert_eq!(
        person.inner,
        Some(Inner {
            display_name: "x".into(),
            count: 5
        })
    );
    decode_proto_field(b"", &mut person, "inner").expect("empty body");

    let text = codec_message(decode_proto_field(&[0xff], &mut person, "inner"));
    assert!(
        text.starts_with(r#"invalid protobuf body for field "inner": "#),
        "{text}"
    );
    for field in ["name", "tags", "inners", "counts"] {
        let text = codec_message(decode_proto_field(
            b"\x08\x01",
            &mut super::fixtures::everything(),
            field,
        ));
        assert!(text.contains("is not a message"), "{field}: {text}");
    }
    let error = decode_proto_field(&body, &mut person, "nope").expect_err("no such field");
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}
