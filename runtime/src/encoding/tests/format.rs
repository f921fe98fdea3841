use crate::encoding::Format;

#[test]
fn content_type_picks_the_request_codec() {
    let table = [
        (None, Format::Json),
        (Some(""), Format::Json),
        (Some("application/json"), Format::Json),
        (Some("application/json; charset=utf-8"), Format::Json),
        (Some("Application/JSON"), Format::Json),
        (Some("text/json"), Format::Json),
        (Some("application/merge-patch+json"), Format::Json),
        (Some("application/vnd.api+JSON ; q=1"), Format::Json),
        (Some("application/x-protobuf"), Format::Proto),
        (Some("application/protobuf"), Format::Proto),
        (Some("application/proto"), Format::Proto),
        (Some("application/vnd.google.protobuf"), Format::Proto),
        (Some("application/x-www-form-urlencoded"), Format::Form),
        (
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            Format::Form,
        ),
    ];
    for (header, expected) in table {
        let format =
            Format::from_content_type(header).unwrap_or_else(|error| panic!("{header:?}: {error}"));
        assert_eq!(format, expected, "{header:?}");
    }
}

#[test]
fn unsupported_content_type_is_415() {
    for header in [
        "text/plain",
        "application/octet-stream",
        "multipart/form-data; boundary=x",
        "+json",
        "json",
        // A header with parameters but no media type names nothing to decode with.
        ";",
        " ; charset=utf-8",
    ] {
        let error = Format::from_content_type(Some(header)).expect_err(header);
        assert_eq!((error.code(), error.reason()), (415, "CODEC"), "{header}");
        assert!(
            error.message().contains(&format!("{header:?}")),
            "{}",
            error.message()
        );
        assert!(
            error.message().contains("application/proto"),
            "{}",
            error.message()
        );
    }
}

#[test]
fn accept_picks_the_response_codec() {
    let table = [
        (None, Format::Json),
        (Some(""), Format::Json),
        (Some("*/*"), Format::Json),
        (Some("application/*"), Format::Json),
        (Some("text/html"), Format::Json),
        (Some("application/x-protobuf"), Format::Proto),
        (Some("application/proto"), Format::Proto),
        (
            Some("application/x-protobuf, application/json"),
            Format::Proto,
        ),
        (
            Some("application/json, application/x-protobuf"),
            Format::Json,
        ),
        (
            Some("application/json;q=0.5, application/x-protobuf"),
            Format::Proto,
        ),
        (
            Some("application/x-protobuf;q=0.2, */*;q=0.1"),
            Format::Proto,
        ),
        (
            Some("application/x-protobuf;q=0, application/json;q=0.1"),
            Format::Json,
        ),
        (Some("application/x-protobuf;q=0"), Format::Json),
        (
            Some("text/html, application/x-protobuf;q=0.9"),
            Format::Proto,
        ),
        (Some("application/x-www-form-urlencoded"), Format::Json),
        (Some("application/x-protobuf; q=bogus"), Format::Proto),
    ];
    for (header, expected) in table {
        assert_eq!(Format::from_accept(header), expected, "{header:?}");
    }
}

#[test]
fn content_types_written() {
    assert_eq!(Format::Json.content_type(), "application/json");
    assert_eq!(Format::Proto.content_type(), "application/proto");
    assert_eq!(
        Format::Form.content_type(),
        "application/x-www-form-urlencoded"
    );
}

#[test]
fn replies_take_the_media_type_the_client_named() {
    use crate::encoding::ReplyFormat;

    // (Accept, Content-Type, expected format, expected Content-Type)
    let table = [
        (None, None, Format::Json, "application/json"),
        (
            Some("application/proto"),
            None,
            Format::Proto,
            "application/proto",
        ),
        (
            Some("application/x-protobuf"),
            None,
            Format::Proto,
            "application/x-protobuf",
        ),
        (
            Some("Application/X-Protobuf; q=0.9"),
            None,
            Format::Proto,
            "application/x-protobuf",
        ),
        (
            Some("application/protobuf"),
            Some("application/json"),
            Format::Proto,
            "application/protobuf",
        ),
        (
            Some("application/json"),
            Some("application/proto"),
            Format::Json,
            "application/json",
        ),
        // No Accept, or only wildcards: the body's own format and media type.
        (
            None,
            Some("application/proto"),
            Format::Proto,
            "application/proto",
        ),
        (
            Some("*/*"),
            Some("application/x-protobuf; charset=utf-8"),
            Format::Proto,
            "application/x-protobuf",
        ),
        (
            Some("text/html"),
            Some("application/proto"),
            Format::Proto,
            "application/proto",
        ),
        (
            None,
            Some("application/x-www-form-urlencoded"),
            Format::Json,
            "application/json",
        ),
        (None, Some("text/plain"), Format::Json, "application/json"),
        // Refused with q=0: not even as the body's format.
        (
            Some("application/proto;q=0"),
            Some("application/proto"),
            Format::Json,
            "application/json",
        ),
        (
            Some("application/json;q=0.5, application/proto"),
            None,
            Format::Proto,
            "application/proto",
        ),
    ];
    for (accept, content_type, format, written) in table {
        let reply = ReplyFormat::negotiate(accept, content_type);
        assert_eq!(
            (reply.format(), reply.content_type()),
            (format, written),
            "{accept:?} {content_type:?}"
        );
    }
}
