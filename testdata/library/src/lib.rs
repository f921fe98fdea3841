//! A `Library` service that echoes what each route bound, so tests can check
//! path, query and body binding through real HTTP requests.

use kratos::errors::Error;
use kratos::transport::{Context, ReplyStream};

/// The library API generated from `testdata/proto/library/v1/library.proto`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod api {
    kratos::include_proto!("library.v1");
}

/// The validation fixtures generated from `testdata/proto/validation/v1/validation.proto`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod validation {
    kratos::include_proto!("validation.v1");
}

/// The OpenAPI document of both services (kratos-build's `openapi(true)`), which the tests serve
/// at `/q/openapi.json` and drive requests from.
pub const OPENAPI_DOCUMENT: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// Creates users by echoing them back: the validate middleware's tests check what reaches it.
#[derive(Debug, Clone, Default)]
pub struct Users;

impl validation::UsersHttpServer for Users {
    async fn create_user(
        &self,
        _ctx: Context,
        request: validation::CreateUserRequest,
    ) -> Result<validation::User, Error> {
        Ok(request.user.unwrap_or_default())
    }

    async fn replace_user(
        &self,
        _ctx: Context,
        request: validation::ReplaceUserRequest,
    ) -> Result<validation::User, Error> {
        Ok(request.user.unwrap_or_default())
    }

    async fn ping(
        &self,
        _ctx: Context,
        _request: validation::PingRequest,
    ) -> Result<validation::PingReply, Error> {
        Ok(validation::PingReply {})
    }
}

use api::{
    Book, CreateBookRequest, GetBookRequest, GetFileRequest, GetMessageRequest, GetShelfRequest,
    Kinds, Shelf, UpdateBookRequest,
};

/// Echoes requests back in the reply.
#[derive(Debug, Clone, Default)]
pub struct Library;

impl api::LibraryHttpServer for Library {
    async fn get_shelf(&self, ctx: Context, request: GetShelfRequest) -> Result<Shelf, Error> {
        // Expose what the context knows, for the tests.
        let operation = kratos::http::HeaderValue::from_static(ctx.operation());
        let echoed = ctx.request_headers().get("x-echo").cloned();
        {
            let mut reply_headers = ctx.reply_headers();
            reply_headers.insert("x-operation", operation);
            if let Some(value) = echoed {
                reply_headers.insert("x-echo", value);
            }
        }
        if request.shelf == 999 {
            // Slower than the tests' server timeout.
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
        if request.shelf == 404 {
            return Err(
                kratos::errors::not_found("SHELF_NOT_FOUND", "shelf 404 does not exist")
                    .with_metadata([("shelf", "404")]),
            );
        }
        Ok(Shelf {
            id: request.shelf,
            theme: "shelf".into(),
        })
    }

    async fn get_book(&self, _ctx: Context, request: GetBookRequest) -> Result<Book, Error> {
        Ok(Book {
            title: format!("title of {}", request.name),
            name: request.name,
            authors: Vec::new(),
        })
    }

    async fn create_shelf(&self, ctx: Context, request: Shelf) -> Result<Shelf, Error> {
        ctx.reply_headers()
            .insert("x-created", kratos::http::HeaderValue::from_static("shelf"));
        Ok(request)
    }

    async fn create_book(&self, _ctx: Context, request: CreateBookRequest) -> Result<Book, Error> {
        let mut book = request.book.unwrap_or_default();
        book.name = format!("shelves/{}/books/{}", request.shelf, request.request_id);
        Ok(book)
    }

    async fn update_book(&self, _ctx: Context, request: UpdateBookRequest) -> Result<Book, Error> {
        let mut book = request.book.unwrap_or_default();
        if let Some(mask) = request.update_mask {
            book.authors.extend(mask.paths);
        }
        Ok(book)
    }

    async fn delete_shelf(&self, _ctx: Context, _request: GetShelfRequest) -> Result<(), Error> {
        Ok(())
    }

    async fn archive_book(&self, _ctx: Context, request: GetBookRequest) -> Result<Book, Error> {
        Ok(Book {
            name: request.name,
            title: "archived".into(),
            authors: Vec::new(),
        })
    }

    async fn get_book_title(&self, _ctx: Context, request: GetBookRequest) -> Result<Book, Error> {
        Ok(Book {
            title: format!("Title of {}", request.name),
            name: request.name,
            authors: Vec::new(),
        })
    }

    async fn get_file(
        &self,
        _ctx: Context,
        request: GetFileRequest,
    ) -> Result<GetFileRequest, Error> {
        Ok(request)
    }

    async fn get_special_shelf(
        &self,
        _ctx: Context,
        _request: GetShelfRequest,
    ) -> Result<Shelf, Error> {
        Ok(Shelf {
            id: -1,
            theme: "special".into(),
        })
    }

    async fn get_message(
        &self,
        _ctx: Context,
        request: GetMessageRequest,
    ) -> Result<GetMessageRequest, Error> {
        Ok(request)
    }

    async fn get_nested(&self, _ctx: Context, request: Kinds) -> Result<Kinds, Error> {
        Ok(request)
    }

    async fn get_typed(&self, _ctx: Context, request: Kinds) -> Result<Kinds, Error> {
        Ok(request)
    }

    async fn echo(&self, _ctx: Context, request: Kinds) -> Result<Kinds, Error> {
        Ok(request)
    }

    async fn echo_body(&self, _ctx: Context, request: Kinds) -> Result<Kinds, Error> {
        Ok(request)
    }

    async fn echo_field(&self, _ctx: Context, request: Kinds) -> Result<Kinds, Error> {
        Ok(request)
    }

    async fn walk_node(&self, _ctx: Context, request: api::Node) -> Result<api::Node, Error> {
        Ok(request)
    }

    async fn walk_forest(&self, _ctx: Context, request: api::Forest) -> Result<api::Forest, Error> {
        Ok(request)
    }

    async fn sweep(&self, _ctx: Context, request: GetFileRequest) -> Result<GetFileRequest, Error> {
        Ok(GetFileRequest {
            path: format!("swept {}", request.path),
        })
    }

    async fn sweep_path(
        &self,
        _ctx: Context,
        request: GetFileRequest,
    ) -> Result<GetFileRequest, Error> {
        Ok(GetFileRequest {
            path: format!("swept path {:?}", request.path),
        })
    }

    async fn glob(&self, _ctx: Context, request: GetFileRequest) -> Result<GetFileRequest, Error> {
        Ok(request)
    }

    /// No HTTP rule: served over gRPC only.
    async fn hidden(&self, ctx: Context, request: Shelf) -> Result<Shelf, Error> {
        Ok(Shelf {
            theme: format!("{} via {}", request.theme, ctx.kind().as_str()),
            ..request
        })
    }

    /// Server streaming: the shelf three times, its id counting up, so the library's tests can
    /// read a stream bound like any other route.
    async fn watch(&self, _ctx: Context, request: Shelf) -> Result<ReplyStream<Shelf>, Error> {
        let shelves = (0..3).map(move |step| {
            Ok(Shelf {
                id: request.id + step,
                theme: request.theme.clone(),
            })
        });
        Ok(ReplyStream::iter(shelves))
    }

    async fn legacy_get_shelf(
        &self,
        ctx: Context,
        request: GetShelfRequest,
    ) -> Result<Shelf, Error> {
        self.get_shelf(ctx, request).await
    }

    async fn ping(&self, _ctx: Context, _request: ()) -> Result<(), Error> {
        Ok(())
    }
}
