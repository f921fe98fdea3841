use crate::transport::http::binding::SeenFields;

#[test]
fn a_singular_field_given_twice_is_an_error() {
    let mut seen = SeenFields::new();
    for index in [0, 1, 63, 64, 127, 128, 129, 191, 192, 1000] {
        seen.field(index, "f")
            .unwrap_or_else(|error| panic!("{index}: {}", error.message()));
    }
    for index in [0, 1, 63, 64, 127, 128, 129, 191, 192, 1000] {
        let error = seen.field(index, "page.size").expect_err("second time");
        assert_eq!((error.code(), error.reason()), (400, "CODEC"));
        assert_eq!(
            error.message(),
            r#"field "page.size" given twice; give it once"#
        );
    }
    seen.field(2, "other").expect("not seen yet");
    seen.field(130, "other").expect("not seen yet");
}

#[test]
fn two_members_of_one_oneof_are_an_error() {
    let mut seen = SeenFields::default();
    seen.oneof("kind", "email").expect("first member");
    seen.oneof("other", "x").expect("another oneof");
    let error = seen.oneof("kind", "phone").expect_err("second member");
    assert_eq!((error.code(), error.reason()), (400, "CODEC"));
    assert_eq!(
        error.message(),
        r#""email" and "phone" are members of oneof "kind"; give one"#
    );
    let error = seen.oneof("kind", "email").expect_err("same member again");
    assert_eq!(
        error.message(),
        r#"field "email" given twice; give it once"#
    );
}

#[test]
fn a_nested_field_given_twice_is_an_error_whatever_the_order() {
    let mut seen = SeenFields::new();
    let names = ["child.b", "child.a", "child.child.a", "a", "child.c"];
    for name in names {
        seen.nested_field(name).expect("first time");
    }
    for name in names {
        let error = seen.nested_field(name).expect_err("second time");
        assert_eq!((error.code(), error.reason()), (400, "CODEC"));
        assert_eq!(
            error.message(),
            format!(r#"field "{name}" given twice; give it once"#)
        );
    }
    seen.nested_field("child.child.b").expect("not seen yet");
}
