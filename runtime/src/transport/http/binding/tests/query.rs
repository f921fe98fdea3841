use std::borrow::Cow;

use crate::transport::http::binding::{QueryPair, QueryPairs};

/// `(name, map_key, append, value)`.
type Row = (String, Option<String>, bool, String);

/// The rows of every pair, or the first error's message.
fn split(query: &str) -> Result<Vec<Row>, String> {
    QueryPairs::new(query)
        .map(|pair| {
            let pair = pair.map_err(|error| {
                assert_eq!((error.code(), error.reason()), (400, "CODEC"));
                error.message().to_owned()
            })?;
            Ok((
                pair.name().to_owned(),
                pair.map_key().map(str::to_owned),
                pair.is_append(),
                pair.value().to_owned(),
            ))
        })
        .collect()
}

fn plain(name: &str, value: &str) -> Row {
    (name.to_owned(), None, false, value.to_owned())
}

#[test]
fn splitting() {
    let table: &[(&str, &[(&str, &str)])] = &[
        ("", &[]),
        ("a=1", &[("a", "1")]),
        ("a=1&b=2", &[("a", "1"), ("b", "2")]),
        ("a=1&a=2", &[("a", "1"), ("a", "2")]),
        ("a", &[("a", "")]),
        ("a=", &[("a", "")]),
        ("a=b=c", &[("a", "b=c")]),
        ("=1&&=&a=2&", &[("a", "2")]),
        ("&&&", &[]),
        ("a.b.c=x", &[("a.b.c", "x")]),
        ("a=1;b=2", &[("a", "1;b=2")]),
        ("q=a+b", &[("q", "a b")]),
        ("q=a%2Bb", &[("q", "a+b")]),
        ("q=%2b5", &[("q", "+5")]),
        ("first+name=x", &[("first name", "x")]),
        ("q=%E4%B8%AD%e6%96%87", &[("q", "中文")]),
        ("q=中文&名=値", &[("q", "中文"), ("名", "値")]),
        ("q=%25", &[("q", "%")]),
        ("a%2Eb=1", &[("a.b", "1")]),
        ("a%3D=1", &[("a=", "1")]),
        ("q=%26", &[("q", "&")]),
    ];
    for (query, expected) in table {
        let expected: Vec<_> = expected
            .iter()
            .map(|(name, value)| plain(name, value))
            .collect();
        assert_eq!(split(query).as_ref(), Ok(&expected), "{query:?}");
    }
}

#[test]
fn brackets() {
    type Expected<'a> = (&'a str, Option<&'a str>, bool, &'a str);
    let table: &[(&str, Expected<'_>)] = &[
        ("tags[]=a", ("tags", None, true, "a")),
        ("tags[]=", ("tags", None, true, "")),
        ("tags%5B%5D=a", ("tags", None, true, "a")),
        ("m[a]=b", ("m", Some("a"), false, "b")),
        ("m%5Ba%5D=b", ("m", Some("a"), false, "b")),
        ("m[a.b]=c", ("m", Some("a.b"), false, "c")),
        ("m[a b]=c", ("m", Some("a b"), false, "c")),
        ("x.m[k]=v", ("x.m", Some("k"), false, "v")),
        ("m[]]=v", ("m[]]", None, false, "v")),
        ("m[a][b]=v", ("m[a][b]", None, false, "v")),
        ("m[a=v", ("m[a", None, false, "v")),
        ("[a]=v", ("[a]", None, false, "v")),
        ("m[a]x=v", ("m[a]x", None, false, "v")),
    ];
    for (query, (name, map_key, append, value)) in table {
        let expected = vec![(
            (*name).to_owned(),
            map_key.map(str::to_owned),
            *append,
            (*value).to_owned(),
        )];
        assert_eq!(split(query).as_ref(), Ok(&expected), "{query:?}");
    }
}

#[test]
fn bad_escapes_and_bytes() {
    let table = [
        (
            "q=%zz",
            r#"malformed percent-encoding "%zz" in query parameter "q""#,
        ),
        (
            "q=%2",
            r#"malformed percent-encoding "%2" in query parameter "q""#,
        ),
        (
            "q=abc%",
            r#"malformed percent-encoding "%" in query parameter "q""#,
        ),
        ("q=%g0", r#""%g0""#),
        (
            "a%zz=1",
            r#"malformed percent-encoding "%zz" in the name of query parameter "a%zz""#,
        ),
        (
            "q=%ff",
            r#"query parameter "q" is not UTF-8 after percent-decoding"#,
        ),
        ("q=%C3%28", "not UTF-8"),
        ("%ff=1", r#"the name of query parameter "%ff" is not UTF-8"#),
    ];
    for (query, expected) in table {
        let message = split(query).expect_err(query);
        assert!(message.contains(expected), "{query:?}: {message}");
        assert!(
            message.contains("write a literal % as %25") || message.contains("UTF-8"),
            "{message}"
        );
    }
    // One bad pair does not hide the others from a caller that goes on.
    let results: Vec<bool> = QueryPairs::new("a=1&b=%zz&c=3")
        .map(|pair| pair.is_ok())
        .collect();
    assert_eq!(results, [true, false, true]);
}

#[test]
fn form_bodies_may_hold_raw_bytes() {
    let pairs: Vec<_> = QueryPairs::from_bytes("name=J%C3%B6rg&city=Köln".as_bytes())
        .map(|pair| pair.map(|pair| (pair.name().to_owned(), pair.value().to_owned())))
        .collect::<Result<_, _>>()
        .expect("valid");
    assert_eq!(
        pairs,
        [
            ("name".into(), "Jörg".into()),
            ("city".into(), "Köln".into())
        ]
    );
    let error = QueryPairs::from_bytes(b"name=\xff")
        .next()
        .expect("a pair")
        .expect_err("not UTF-8");
    assert!(error.message().contains("not UTF-8"), "{}", error.message());
}

#[test]
fn nothing_is_copied_without_escapes() {
    let pair: QueryPair<'_> = QueryPairs::new("a.b=plain")
        .next()
        .expect("a pair")
        .expect("valid");
    assert!(matches!(pair.clone().into_value(), Cow::Borrowed("plain")));
    assert_eq!(pair.path().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(pair.key(), "a.b");
    let pair = QueryPairs::new("a=x+y")
        .next()
        .expect("a pair")
        .expect("valid");
    assert!(matches!(pair.into_value(), Cow::Owned(value) if value == "x y"));
    let pair = QueryPairs::new("m[k]=v")
        .next()
        .expect("a pair")
        .expect("valid");
    assert_eq!(
        (pair.key(), pair.name(), pair.map_key()),
        ("m[k]", "m", Some("k"))
    );
}

#[test]
fn long_values_are_cut_short_in_messages() {
    let query = format!("q={}%zz", "x".repeat(10_000));
    let message = split(&query).expect_err("bad escape");
    assert!(message.len() < 200, "{message}");
    let error = crate::transport::http::binding::parse_i32(&"n".repeat(1000), &"9".repeat(1000))
        .expect_err("range");
    assert!(error.message().len() < 300, "{}", error.message());
    assert!(error.message().contains('…'));
}

#[test]
fn a_key_splits_at_every_dot_as_str_split_does() {
    for name in ["a", "a.b.c", "a.", ".a", "a..b", "."] {
        let query = format!("{name}=v");
        let pair = QueryPairs::new(&query)
            .next()
            .expect("a pair")
            .expect("valid");
        assert_eq!(
            pair.path().collect::<Vec<_>>(),
            name.split('.').collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[test]
fn a_path_value_walks_its_field_path_as_given() {
    let pair = QueryPair::path_value(&["book", "name"], "shelves/1");
    assert_eq!(pair.path().collect::<Vec<_>>(), ["book", "name"]);
    assert_eq!(pair.name(), "book.name");
    assert!(pair.is_path_value());
}
