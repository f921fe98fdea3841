//! Rust code for the error model.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::{ErrorEnum, Options};

/// `error_x` and `is_x` for every value of every enum.
pub(crate) fn error_helpers(options: &Options, enums: &[ErrorEnum]) -> TokenStream {
    // The option was checked to be a valid path when it was parsed.
    let runtime: TokenStream = options
        .runtime_crate()
        .parse()
        .unwrap_or_else(|_| quote!(::kratos));
    let items = enums.iter().flat_map(|e| &e.values).map(|value| {
        let reason = &value.reason;
        let code = Literal::i32_unsuffixed(value.code);
        let code_text = value.code;
        let error_fn = Ident::new(&format!("error_{}", value.rust_name), Span::call_site());
        let is_fn = Ident::new(&format!("is_{}", value.rust_name), Span::call_site());
        let mut doc: Vec<String> = value.doc.clone();
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.push(format!(" Builds the `{reason}` error (code {code_text})."));
        let is_doc = [
            format!(" Whether `err` is the `{reason}` error (code {code_text}): a kratos error,"),
            " an error wrapping one, or a gRPC status carrying its `ErrorInfo`.".to_owned(),
        ];
        quote! {
            #(#[doc = #doc])*
            pub fn #error_fn(
                message: impl #runtime::errors::IntoMessage,
            ) -> #runtime::errors::Error {
                #runtime::errors::Error::new(#code, #reason, message)
            }

            #(#[doc = #is_doc])*
            pub fn #is_fn(err: &(dyn ::std::error::Error + 'static)) -> bool {
                #runtime::errors::matches(err, #code, #reason)
            }
        }
    });
    quote!(#(#items)*)
}
