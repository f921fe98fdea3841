//! The app against real servers on loopback ports and an in-memory registry.

use std::sync::Mutex;

use super::*;
use crate::registry::{Discovery, MemoryRegistry, RegistryFuture};
use crate::transport::http::{Call, Client, RouteRequest};

/// An HTTP server whose `/id` answers the instance id its handler finds in its context.
fn http_on(address: std::net::SocketAddr) -> http::Server {
    let mut server = http::Server::new().address(address);
    server
        .route(
            "GET",
            "/id",
            "/test.App/Id",
            |request: RouteRequest| async move {
                let id = request
                    .invoke((), |ctx, ()| async move {
                        Ok(from_context(&ctx)
                            .map(|instance| instance.id.clone())
                            .unwrap_or_default())
                    })
                    .await?;
                request.reply(&id)
            },
        )
        .unwrap();
    server
}

fn loopback() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn instance_id(endpoint: &str) -> Result<String, Error> {
    let client = Client::builder(endpoint)
        .timeout(Duration::from_secs(1))
        .build()?;
    client
        .invoke(Call::new("/test.App/Id", "GET", "/id", "/id", ()))
        .await
}

/// Waits until `registry` lists `name` with `count` instances; returns them.
async fn listed(registry: &MemoryRegistry, count: usize) -> Vec<ServiceInstance> {
    let mut watcher = registry.watch("svc").await.unwrap();
    loop {
        let list = tokio::time::timeout(Duration::from_secs(5), watcher.next())
            .await
            .expect("the registry did not change in time")
            .unwrap();
        if list.len() == count {
            return list.to_vec();
        }
    }
}

#[tokio::test]
async fn runs_registers_serves_the_instance_and_deregisters_on_stop() {
    let registry = MemoryRegistry::new();
    let app = App::new("svc")
        .id("instance-1")
        .version("v1")
        .metadata("weight", "5")
        .http_server(http_on(loopback()))
        .grpc_server(grpc::Server::new().address(loopback()))
        .registrar(Arc::new(registry.clone()))
        .drain_delay(Duration::ZERO)
        .signals(&[]);
    let stopper = app.stopper();
    let running = tokio::spawn(app.run());

    let instance = listed(&registry, 1).await.remove(0);
    assert_eq!(
        (instance.id.as_str(), instance.version.as_str()),
        ("instance-1", "v1")
    );
    assert_eq!(instance.metadata["weight"], "5");
    let http_endpoint = instance.endpoints[0].clone();
    assert!(
        http_endpoint.starts_with("http://127.0.0.1:"),
        "{instance:?}"
    );
    assert!(
        instance.endpoints[1].starts_with("grpc://127.0.0.1:"),
        "{instance:?}"
    );
    assert_eq!(instance_id(&http_endpoint).await.unwrap(), "instance-1");

    stopper.stop();
    running.await.unwrap().unwrap();
    assert!(registry.get_service("svc").await.unwrap().is_empty());
    assert!(
        instance_id(&http_endpoint).await.is_err(),
        "still serving after run returned"
    );
}

#[tokio::test]
async fn a_taken_port_fails_the_run_before_anything_is_announced() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let registry = MemoryRegistry::new();
    let started = Arc::new(Mutex::new(false));
    let marker = Arc::clone(&started);
    let error = App::new("svc")
        .grpc_server(grpc::Server::new().address(loopback()))
        .http_server(http_on(taken.local_addr().unwrap()))
        .registrar(Arc::new(registry.clone()))
        .before_start(move |_| {
            *marker.lock().unwrap() = true;
            async { Ok(()) }
        })
        .run()
        .await
        .unwrap_err();
    assert_eq!((error.code(), error.reason()), (500, reasons::APP));
    assert!(
        error
            .message()
            .contains(&taken.local_addr().unwrap().to_string()),
        "{error}"
    );
    assert!(!*started.lock().unwrap(), "a hook ran");
    assert!(registry.get_service("svc").await.unwrap().is_empty());
}

/// A registrar that, when deregistering, checks the app still serves: the order Kratos keeps
/// so balancers stop sending before the servers go.
struct CheckingRegistrar {
    inner: MemoryRegistry,
    served_while_deregistering: Arc<Mutex<Option<bool>>>,
}

impl Registrar for CheckingRegistrar {
    fn register<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        self.inner.register(instance)
    }

    fn deregister<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        Box::pin(async move {
            let served = instance_id(&instance.endpoints[0]).await.is_ok();
            *self.served_while_deregistering.lock().unwrap() = Some(served);
            self.inner.deregister(instance).await
        })
    }
}

#[tokio::test]
async fn deregisters_before_stopping_the_servers_and_runs_the_hooks_in_order() {
    let events = Arc::new(Mutex::new(Vec::<&str>::new()));
    let hook = |name: &'static str| {
        let events = Arc::clone(&events);
        move |_: Arc<ServiceInstance>| {
            events.lock().unwrap().push(name);
            async { Ok(()) }
        }
    };
    let served = Arc::new(Mutex::new(None));
    let registry = MemoryRegistry::new();
    let app = App::new("svc")
        .http_server(http_on(loopback()))
        .registrar(Arc::new(CheckingRegistrar {
            inner: registry.clone(),
            served_while_deregistering: Arc::clone(&served),
        }))
        .signals(&[])
        .before_start(hook("before_start"))
        .after_start(hook("after_start"))
        .before_stop(hook("before_stop"))
        .after_stop(hook("after_stop"));
    let stopper = app.stopper();
    let running = tokio::spawn(app.run());
    let endpoint = listed(&registry, 1).await.remove(0).endpoints.remove(0);
    stopper.stop();
    // Deregistered, and still answering for the drain delay (1 s).
    listed(&registry, 0).await;
    assert!(
        instance_id(&endpoint).await.is_ok(),
        "stopped serving right after deregistering"
    );
    running.await.unwrap().unwrap();
    assert_eq!(*served.lock().unwrap(), Some(true));
    assert_eq!(
        *events.lock().unwrap(),
        ["before_start", "after_start", "before_stop", "after_stop"]
    );
}

/// A server that ignores the stop, or fails at once.
struct Stubborn {
    fail: bool,
}

impl Server for Stubborn {
    fn bind(&mut self) -> ServerFuture<'_, Vec<String>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn start(self: Box<Self>, _: Arc<ServiceInstance>, _: Stop) -> ServerFuture<'static, ()> {
        Box::pin(async move {
            if self.fail {
                return Err(std::io::Error::other("disk on fire"));
            }
            std::future::pending().await
        })
    }
}

#[tokio::test]
async fn servers_past_the_stop_timeout_are_abandoned_with_an_error() {
    let app = App::new("svc")
        .server(Stubborn { fail: false })
        .signals(&[])
        .stop_timeout(Duration::from_millis(200));
    let stopper = app.stopper();
    let started = std::time::Instant::now();
    let running = tokio::spawn(app.run());
    stopper.stop();
    let error = running.await.unwrap().unwrap_err();
    assert!(error.message().contains("stop timeout"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_failing_server_stops_the_app_and_deregisters_it() {
    let registry = MemoryRegistry::new();
    let error = App::new("svc")
        .endpoint("http://127.0.0.1:1")
        .server(Stubborn { fail: true })
        .registrar(Arc::new(registry.clone()))
        .signals(&[])
        .run()
        .await
        .unwrap_err();
    assert!(error.message().contains("disk on fire"), "{error}");
    assert!(registry.get_service("svc").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_registration_stops_the_servers() {
    struct Refusing;
    impl Registrar for Refusing {
        fn register<'a>(&'a self, _: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
            Box::pin(async { Err(Error::new(503, "REGISTRY", "etcd is down")) })
        }
        fn deregister<'a>(&'a self, _: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
            Box::pin(async { Ok(()) })
        }
    }
    let error = App::new("svc")
        .http_server(http_on(loopback()))
        .registrar(Arc::new(Refusing))
        .signals(&[])
        .run()
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "REGISTRY");
}
