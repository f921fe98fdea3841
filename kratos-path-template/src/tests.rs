use crate::{PathTemplate, Segment};

fn lit(text: &str) -> Segment {
    Segment::Literal(text.to_owned())
}

fn parse(text: &str) -> PathTemplate {
    match PathTemplate::parse(text) {
        Ok(template) => template,
        Err(error) => panic!("{error}"),
    }
}

/// Valid templates and their canonical forms.
const VALID: &[(&str, &str)] = &[
    // root: accepted, no segments
    ("/", "/"),
    ("/v1", "/v1"),
    ("/v1/shelves", "/v1/shelves"),
    ("/v1/*", "/v1/*"),
    ("/v1/**", "/v1/**"),
    ("/**", "/**"),
    ("/v1/{name}", "/v1/{name=*}"),
    ("/v1/{name=*}", "/v1/{name=*}"),
    ("/v1/{a.b.c}", "/v1/{a.b.c=*}"),
    ("/v1/{_a1.B_2}", "/v1/{_a1.B_2=*}"),
    (
        "/v1/{name=shelves/*/books/*}",
        "/v1/{name=shelves/*/books/*}",
    ),
    ("/v1/{name=**}", "/v1/{name=**}"),
    ("/v1/{name}:cancel", "/v1/{name=*}:cancel"),
    ("/v1/a:cancel", "/v1/a:cancel"),
    ("/v1/{x=**}:verb", "/v1/{x=**}:verb"),
    ("/v1/*:batchGet", "/v1/*:batchGet"),
    // literal-only variable binds the literal text
    ("/a/{b=c}", "/a/{b=c}"),
    ("/x/{a=b/c}", "/x/{a=b/c}"),
    // literal tail after `**`, inside and outside a variable
    ("/a/{b=c/**}/d", "/a/{b=c/**}/d"),
    ("/a/**/b/c", "/a/**/b/c"),
    ("/{x=**/c}", "/{x=**/c}"),
    // pchar: unreserved, sub-delims, "@", percent escapes (hex case kept)
    ("/a-b.c_d~e", "/a-b.c_d~e"),
    ("/!$&'()+,;=@", "/!$&'()+,;=@"),
    ("/a%20b/%e4%B8%ad", "/a%20b/%e4%B8%ad"),
    ("/a*b", "/a*b"),
    ("/v1/{a}/{b}", "/v1/{a=*}/{b=*}"),
    ("/v1/{a.b}/{a.c}", "/v1/{a.b=*}/{a.c=*}"),
    ("/v1/*/{name}/**", "/v1/*/{name=*}/**"),
    (
        "/v1/users/{user}/items:search",
        "/v1/users/{user=*}/items:search",
    ),
];

/// Invalid templates, the offset of the problem, and a piece of the message.
const INVALID: &[(&str, usize, &str)] = &[
    ("", 0, "the template is empty"),
    ("v1/a", 0, "expected \"/\" but found \"v\""),
    ("//", 1, "empty segment (\"//\")"),
    ("/a//b", 3, "empty segment (\"//\")"),
    ("/a/", 2, "trailing \"/\""),
    ("/a/b/", 4, "trailing \"/\""),
    ("/a?b", 2, "\"?\" (it starts a query string)"),
    ("/a#b", 2, "\"#\" (it starts a fragment)"),
    ("/a b", 2, "the character \" \""),
    ("/a\"b", 2, "the character \"\\\"\""),
    ("/中", 1, "the non-ASCII character \"中\""),
    ("/a%zz", 2, "malformed percent escape \"%zz\""),
    ("/a%2", 2, "malformed percent escape \"%2\""),
    ("/a%", 2, "malformed percent escape \"%\""),
    ("/a{x}", 2, "the literal \"a\" runs into a variable"),
    ("/{x}b", 4, "unexpected \"b\" after the variable \"{x}\""),
    ("/{x}{y}", 4, "unexpected \"{\" after the variable \"{x}\""),
    ("/v1/{name", 4, "unclosed \"{\""),
    ("/v1/{name=a/*", 4, "unclosed \"{\""),
    ("/v1/{", 4, "unclosed \"{\""),
    ("/v1/name}", 8, "unmatched \"}\""),
    ("/v1/}", 4, "unmatched \"}\""),
    ("/{x}}", 4, "unmatched \"}\""),
    (
        "/{a={b}}",
        4,
        "\"{\" inside a variable at offset 4; the enclosing variable opens at offset 1",
    ),
    ("/{a=c{b}}", 5, "\"{\" inside a variable"),
    ("/{}", 2, "expected a field name but found \"}\""),
    ("/{=*}", 2, "expected a field name but found \"=\""),
    (
        "/{a.}",
        4,
        "expected a field name after \".\" but found \"}\"",
    ),
    ("/{.a}", 2, "expected a field name but found \".\""),
    ("/{a..b}", 4, "expected a field name after \".\""),
    ("/{1a}", 2, "starts with the digit \"1\""),
    ("/{a-b}", 3, "invalid character \"-\" in a field path"),
    ("/{a b}", 3, "invalid character \" \" in a field path"),
    ("/{x=}", 4, "missing pattern after \"=\""),
    ("/{x=/a}", 4, "missing pattern after \"=\""),
    ("/{x=a/}", 5, "trailing \"/\" in a variable's pattern"),
    ("/{x=a//b}", 6, "empty segment (\"//\")"),
    // ':' is never part of a literal
    ("/v1/{name}:bla:baa", 14, "a second \":\""),
    (
        "/v1/a:b/c",
        7,
        "unexpected \"/\" after the custom verb \":b\"",
    ),
    ("/a/{x=var:verb}", 9, "\":\" inside a variable"),
    ("/{x:y}", 3, "\":\" inside a variable"),
    ("/a:", 2, "empty custom verb"),
    ("/{x}:", 4, "empty custom verb"),
    ("/:verb", 1, "missing segment before the custom verb"),
    ("/a:/b", 3, "unexpected \"/\" after the custom verb \":\""),
    (
        "/a:b{c}",
        4,
        "unexpected \"{\" after the custom verb \":b\"",
    ),
    ("/a:b%zz", 4, "malformed percent escape"),
    // `**` may only be followed by literals
    ("/**/*", 4, "\"*\" after \"**\""),
    ("/**/**", 4, "a second \"**\""),
    ("/a/**/b/**", 8, "a second \"**\""),
    ("/**/{x}", 4, "the variable {x} comes after \"**\""),
    ("/{x=**}/{y=c}", 8, "the variable {y} comes after \"**\""),
    ("/{x=**/*}", 7, "\"*\" after \"**\""),
    ("/a/***", 3, "\"***\" is not a wildcard"),
    // the same field bound twice (a policy of ours)
    ("/v1/{a}/{a}", 8, "the field \"a\" is bound a second time"),
    (
        "/v1/{a.b}/x/{a.b=**}",
        12,
        "the field \"a.b\" is bound a second time",
    ),
];

#[test]
fn valid_templates_parse_to_their_canonical_form() {
    for &(text, canonical) in VALID {
        let template = parse(text);
        assert_eq!(template.canonical(), canonical, "{text}");
        assert_eq!(template.as_str(), text);
        assert_eq!(template.to_string(), text);
        // The canonical form is itself a valid template with the same model.
        let reparsed = parse(&template.canonical());
        assert_eq!(reparsed.segments(), template.segments(), "{text}");
        assert_eq!(reparsed.variables(), template.variables(), "{text}");
        assert_eq!(reparsed.verb(), template.verb(), "{text}");
    }
}

#[test]
fn invalid_templates_are_rejected_with_offset_and_reason() {
    for &(text, offset, message) in INVALID {
        let error = match PathTemplate::parse(text) {
            Ok(template) => panic!("{text:?} parsed as {template:?}"),
            Err(error) => error,
        };
        let shown = error.to_string();
        assert_eq!(error.offset(), offset, "{text:?}: {shown}");
        assert_eq!(error.template(), text);
        assert!(shown.contains(message), "{text:?}: {shown}");
        assert!(
            shown.starts_with(&format!("invalid path template {text:?}: ")),
            "{shown}"
        );
        assert!(shown.contains(&format!(" at offset {offset}; ")), "{shown}");
        assert!(shown.ends_with(&error.reason()), "{shown}");
    }
    assert!(VALID.len() + INVALID.len() >= 40);
}

#[test]
fn error_message_quotes_the_template_and_says_what_is_valid() {
    let Err(error) = PathTemplate::parse("/v1/{name") else {
        panic!("accepted");
    };
    assert_eq!(
        error.to_string(),
        "invalid path template \"/v1/{name\": unclosed \"{\" at offset 4; \
         a variable is written {field} or {field=pattern}"
    );
    let Err(error) = PathTemplate::parse("/v1/{a}/{a}") else {
        panic!("accepted");
    };
    assert_eq!(
        error.reason(),
        "the field \"a\" is bound a second time at offset 8; \
         it is already bound by the variable at offset 4; bind each field once"
    );
}

#[test]
fn multi_segment_variable_with_literals_and_wildcards() {
    let template = parse("/v1/{name=shelves/*/books/*}");
    assert_eq!(
        template.segments(),
        [
            lit("v1"),
            lit("shelves"),
            Segment::Wildcard,
            lit("books"),
            Segment::Wildcard
        ]
    );
    let [name] = template.variables() else {
        panic!("{template:?}");
    };
    assert_eq!(name.field_path(), ["name"]);
    assert_eq!(name.segments(), 1..5);
    assert!(name.is_multi_segment());
    assert_eq!(name.template_text(), "shelves/*/books/*");
    assert_eq!(template.verb(), None);
    assert_eq!(template.deep_wildcard(), None);
    assert_eq!(template.canonical(), "/v1/{name=shelves/*/books/*}");
}

#[test]
fn dotted_field_path() {
    let template = parse("/v1/{a.b.c}");
    assert_eq!(template.segments(), [lit("v1"), Segment::Wildcard]);
    let [variable] = template.variables() else {
        panic!("{template:?}");
    };
    assert_eq!(variable.field_path(), ["a", "b", "c"]);
    assert_eq!(variable.field_path_string(), "a.b.c");
    assert_eq!(variable.segments(), 1..2);
    assert!(!variable.is_multi_segment());
    assert_eq!(variable.template_text(), "*");
    assert_eq!(template.canonical(), "/v1/{a.b.c=*}");
}

#[test]
fn unbound_deep_wildcard() {
    let template = parse("/v1/**");
    assert_eq!(template.segments(), [lit("v1"), Segment::DeepWildcard]);
    assert!(template.variables().is_empty());
    assert_eq!(template.deep_wildcard(), Some(1));
    assert_eq!(template.canonical(), "/v1/**");
}

#[test]
fn deep_wildcard_variable_with_literal_tail() {
    let template = parse("/a/{b=c/**}/d");
    assert_eq!(
        template.segments(),
        [lit("a"), lit("c"), Segment::DeepWildcard, lit("d")]
    );
    let [b] = template.variables() else {
        panic!("{template:?}");
    };
    assert_eq!(b.segments(), 1..3);
    assert!(b.is_multi_segment());
    assert_eq!(b.template_text(), "c/**");
    assert_eq!(template.deep_wildcard(), Some(2));
    assert_eq!(template.canonical(), "/a/{b=c/**}/d");
}

#[test]
fn verb_after_variable() {
    let template = parse("/v1/{name}:cancel");
    assert_eq!(template.segments(), [lit("v1"), Segment::Wildcard]);
    assert_eq!(template.verb(), Some("cancel"));
    let [name] = template.variables() else {
        panic!("{template:?}");
    };
    assert_eq!(name.segments(), 1..2);
    assert!(!name.is_multi_segment());
    assert_eq!(template.canonical(), "/v1/{name=*}:cancel");
}

#[test]
fn root_has_no_segments() {
    let template = parse("/");
    assert!(template.segments().is_empty());
    assert!(template.variables().is_empty());
    assert_eq!(template.verb(), None);
    assert_eq!(template.canonical(), "/");
}

#[test]
fn deep_wildcard_variable_with_verb() {
    let template = parse("/v1/{x=**}:verb");
    assert_eq!(template.segments(), [lit("v1"), Segment::DeepWildcard]);
    assert_eq!(template.verb(), Some("verb"));
    let [x] = template.variables() else {
        panic!("{template:?}");
    };
    assert_eq!(x.segments(), 1..2);
    // One segment, but `**`: multi-segment whatever it matches.
    assert!(x.is_multi_segment());
    assert_eq!(x.template_text(), "**");
    assert_eq!(template.canonical(), "/v1/{x=**}:verb");
}

#[test]
fn literal_only_variable() {
    let template = parse("/a/{b=c}");
    assert_eq!(template.segments(), [lit("a"), lit("c")]);
    let [b] = template.variables() else {
        panic!("{template:?}");
    };
    assert_eq!(b.segments(), 1..2);
    assert!(!b.is_multi_segment());
    assert_eq!(b.template_text(), "c");
    assert_eq!(template.canonical(), "/a/{b=c}");

    let template = parse("/x/{a=b/c}");
    let [a] = template.variables() else {
        panic!("{template:?}");
    };
    assert!(a.is_multi_segment());
}

#[test]
fn variables_are_in_template_order() {
    let template = parse("/v1/{parent=projects/*}/items/{item.id}:get");
    let names: Vec<_> = template
        .variables()
        .iter()
        .map(|v| (v.field_path_string(), v.segments()))
        .collect();
    assert_eq!(
        names,
        [("parent".to_owned(), 1..3), ("item.id".to_owned(), 4..5)]
    );
}

#[test]
fn same_template_written_two_ways_has_one_canonical_form() {
    assert_eq!(
        parse("/v1/{name}").canonical(),
        parse("/v1/{name=*}").canonical()
    );
    assert_ne!(
        parse("/v1/{name}").canonical(),
        parse("/v1/{id}").canonical()
    );
    assert_eq!(
        "/v1/{x}".parse::<PathTemplate>(),
        PathTemplate::parse("/v1/{x}")
    );
}
