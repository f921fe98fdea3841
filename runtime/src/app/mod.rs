//! The application lifecycle, as Kratos' `kratos.New(...).Run()`: an [`App`] binds its servers,
//! starts them, registers the instance, waits for a signal, then deregisters *before* stopping
//! the servers (so balancers stop sending first) and stops them within a stop timeout.
//!
//! ```no_run
//! # async fn run(http: kratos::transport::http::Server, grpc: kratos::transport::grpc::Server)
//! # -> Result<(), kratos::errors::Error> {
//! use std::sync::Arc;
//! use kratos::app::App;
//! use kratos::registry::MemoryRegistry;
//!
//! App::new("helloworld")
//!     .version("v1.0.0")
//!     .metadata("weight", "100")
//!     .http_server(http)
//!     .grpc_server(grpc)
//!     .registrar(Arc::new(MemoryRegistry::new()))
//!     .run()
//!     .await
//! # }
//! ```
//!
//! In order, [`App::run`]:
//! 1. binds every server (a port in use fails the run with that error, before anything starts
//!    or is announced);
//! 2. builds the instance: id (a random UUID unless [set](App::id)), name, version, metadata,
//!    and endpoints (given with [`App::endpoint`], else one per server from its bound address:
//!    `http://IP:PORT`, `grpc://IP:PORT`, with this machine's address for `0.0.0.0`);
//! 3. runs the before-start hooks, starts the servers, registers the instance (within the
//!    registrar timeout, 10 s by default), runs the after-start hooks;
//! 4. waits for a [signal](App::signals) (SIGINT, SIGTERM, SIGQUIT by default), a
//!    [`Stopper`], or a server ending on its own (which is an error unless it stopped cleanly);
//! 5. runs the before-stop hooks, deregisters, keeps serving for the [drain
//!    delay](App::drain_delay) (1 s by default, so clients see the deregistration before the
//!    servers close), tells the servers to stop and waits for them up to the [stop
//!    timeout](App::stop_timeout) (10 s by default), runs the after-stop hooks.
//!
//! Handlers reach the instance with [`from_context`].

mod info;
mod server;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

pub use crate::transport::Signal;
pub use info::{InstanceInfo, endpoint_url, from_context};
pub use server::{Server, ServerFuture, Stop};

use crate::errors::Error;
use crate::errors::reasons;
use crate::registry::{Registrar, ServiceInstance};
use crate::transport::{grpc, http};

/// How long past the stop timeout the app waits for servers to finish closing.
const FORCE_CLOSE_GRACE: Duration = Duration::from_secs(1);

type Hook = Box<dyn Fn(Arc<ServiceInstance>) -> HookFuture + Send + Sync>;
type HookFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

fn app_error(message: String) -> Error {
    Error::new(500, reasons::APP, message)
}

/// A service's process: servers, registration, signals, graceful stop. See the [module
/// docs](self).
pub struct App {
    instance: ServiceInstance,
    servers: Vec<Box<dyn Server>>,
    registrar: Option<Arc<dyn Registrar>>,
    registrar_timeout: Duration,
    signals: Vec<Signal>,
    stop_timeout: Duration,
    drain_delay: Duration,
    before_start: Vec<Hook>,
    after_start: Vec<Hook>,
    before_stop: Vec<Hook>,
    after_stop: Vec<Hook>,
    stop: (watch::Sender<bool>, watch::Receiver<bool>),
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("instance", &self.instance)
            .field("servers", &self.servers.len())
            .field("signals", &self.signals)
            .field("stop_timeout", &self.stop_timeout)
            .finish_non_exhaustive()
    }
}

/// Stops an [`App`] from elsewhere in the program, as a signal would; cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper(watch::Sender<bool>);

impl Stopper {
    /// Asks the app to stop (deregister, then stop its servers).
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl App {
    /// Kratos' stop timeout: 10 s.
    pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);
    /// Kratos' registrar timeout: 10 s.
    pub const DEFAULT_REGISTRAR_TIMEOUT: Duration = Duration::from_secs(10);
    /// How long the servers keep serving after deregistering: 1 s.
    pub const DEFAULT_DRAIN_DELAY: Duration = Duration::from_secs(1);

    /// An app of the service `name`, with a random id, no servers, no registrar, the default
    /// signals and timeouts.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            instance: ServiceInstance::new(info::random_id(), name),
            servers: Vec::new(),
            registrar: None,
            registrar_timeout: Self::DEFAULT_REGISTRAR_TIMEOUT,
            signals: Signal::DEFAULT.to_vec(),
            stop_timeout: Self::DEFAULT_STOP_TIMEOUT,
            drain_delay: Self::DEFAULT_DRAIN_DELAY,
            before_start: Vec::new(),
            after_start: Vec::new(),
            before_stop: Vec::new(),
            after_stop: Vec::new(),
            stop: watch::channel(false),
        }
    }

    /// The instance id (a random UUID by default); an empty id keeps the default.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        if !id.is_empty() {
            self.instance.id = id;
        }
        self
    }

    /// The version, registered with the instance (node filters select on it).
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.instance.version = version.into();
        self
    }

    /// Adds a metadata entry (`weight` sets the instance's weight for weighted round robin).
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.instance.metadata.insert(key.into(), value.into());
        self
    }

    /// Adds an endpoint to register (`http://10.0.0.5:8000`); with any given, the servers'
    /// bound addresses are not used.
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.instance.endpoints.push(endpoint.into());
        self
    }

    /// Adds an HTTP server; it listens on its [address](http::Server::address) and is
    /// registered as `http://IP:PORT`.
    #[must_use]
    pub fn http_server(self, server: http::Server) -> Self {
        self.server(server::Bound::new(server))
    }

    /// Adds a gRPC server; it listens on its [address](grpc::Server::address) and is
    /// registered as `grpc://IP:PORT`.
    #[must_use]
    pub fn grpc_server(self, server: grpc::Server) -> Self {
        self.server(server::Bound::new(server))
    }

    /// Adds any [`Server`].
    #[must_use]
    pub fn server(mut self, server: impl Server) -> Self {
        self.servers.push(Box::new(server));
        self
    }

    /// Registers the instance there once started, and deregisters it before stopping.
    #[must_use]
    pub fn registrar(mut self, registrar: Arc<dyn Registrar>) -> Self {
        self.registrar = Some(registrar);
        self
    }

    /// How long registering or deregistering may take (10 s by default).
    #[must_use]
    pub fn registrar_timeout(mut self, timeout: Duration) -> Self {
        self.registrar_timeout = timeout;
        self
    }

    /// The signals that stop the app (SIGINT, SIGTERM, SIGQUIT by default; none: only a
    /// [`Stopper`] or a server's end stops it).
    #[must_use]
    pub fn signals(mut self, signals: &[Signal]) -> Self {
        self.signals = signals.to_vec();
        self
    }

    /// How long the servers may take to stop once told to (10 s by default). The crate's HTTP
    /// and gRPC servers let calls in progress finish until then, close what is still open at
    /// that moment and return; a server of your own that is still running a second later is
    /// dropped and `run` returns an error.
    #[must_use]
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.stop_timeout = timeout;
        self
    }

    /// How long the servers keep serving after the instance deregistered, before they are told
    /// to stop (1 s by default; only with a registrar). Clients learn of the deregistration
    /// through their registry's watch a moment later; until then they may still send calls
    /// here, and a server already stopping would refuse them or close their connections. Go
    /// Kratos has no such delay (0); a rolling restart then loses the calls sent in that
    /// moment.
    #[must_use]
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// Runs `hook` before the servers start; an error ends the run before they do.
    #[must_use]
    pub fn before_start<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Arc<ServiceInstance>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.before_start.push(boxed(hook));
        self
    }

    /// Runs `hook` once the servers started and the instance is registered; an error stops
    /// the app.
    #[must_use]
    pub fn after_start<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Arc<ServiceInstance>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.after_start.push(boxed(hook));
        self
    }

    /// Runs `hook` when the app begins to stop, before deregistering; an error is returned by
    /// `run` once the app stopped.
    #[must_use]
    pub fn before_stop<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Arc<ServiceInstance>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.before_stop.push(boxed(hook));
        self
    }

    /// Runs `hook` after the servers stopped; an error is returned by `run`.
    #[must_use]
    pub fn after_stop<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Arc<ServiceInstance>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.after_stop.push(boxed(hook));
        self
    }

    /// A handle that stops the app as a signal would.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.stop.0.clone())
    }

    /// The instance as configured so far (endpoints are filled in by `run`).
    pub fn instance(&self) -> &ServiceInstance {
        &self.instance
    }

    /// Runs the app until a signal, a [`Stopper`] or a server's end; see the [module
    /// docs](self). Errors: a bind failure, a failed hook or registration, a server failing,
    /// servers not stopping within the stop timeout (`500 APP`, or the hook's or
    /// registrar's own error).
    pub async fn run(mut self) -> Result<(), Error> {
        // 1. Bind everything first: a taken port fails here, before anything is announced.
        let mut bound = Vec::with_capacity(self.servers.len());
        for server in &mut self.servers {
            let endpoint = server
                .bind()
                .await
                .map_err(|error| app_error(error.to_string()).with_cause(error))?;
            bound.extend(endpoint);
        }
        if self.instance.endpoints.is_empty() {
            self.instance.endpoints = bound;
        }
        let instance = Arc::new(self.instance.clone());
        // Listening starts now, so a signal from here on is not missed.
        let signal = crate::transport::listen_for_signals(&self.signals)
            .map_err(|error| app_error(format!("cannot listen for signals: {error}")))?;

        // 2. Start.
        run_hooks(&self.before_start, &instance).await?;
        let (stop_servers, stop) = Stop::channel(self.stop_timeout);
        let mut running = JoinSet::new();
        for server in std::mem::take(&mut self.servers) {
            running.spawn(server.start(Arc::clone(&instance), stop.clone()));
        }
        let mut failure = None;
        if let Some(registrar) = &self.registrar {
            let registered =
                tokio::time::timeout(self.registrar_timeout, registrar.register(&instance)).await;
            match registered {
                Ok(Ok(())) => {}
                Ok(Err(error)) => failure = Some(error),
                Err(_) => {
                    failure = Some(app_error(format!(
                        "registering {} timed out after {:?}",
                        instance.id, self.registrar_timeout
                    )));
                }
            }
        }
        if failure.is_none()
            && let Err(error) = run_hooks(&self.after_start, &instance).await
        {
            failure = Some(error);
        }

        // 3. Wait.
        if failure.is_none() {
            let mut stopped = self.stop.1.clone();
            tokio::select! {
                which = signal => {
                    tracing::info!(signal = ?which, id = %instance.id, "app: stopping on a signal");
                }
                _ = stopped.wait_for(|stop| *stop) => {}
                ended = running.join_next(), if !running.is_empty() => {
                    failure = Some(server_ended(ended));
                }
            }
        }

        // 4. Stop: deregister first, so clients stop picking this instance, then the servers.
        let mut outcome = failure.map_or(Ok(()), Err);
        keep_first(&mut outcome, run_hooks(&self.before_stop, &instance).await);
        if let Some(registrar) = &self.registrar {
            let deregistered =
                tokio::time::timeout(self.registrar_timeout, registrar.deregister(&instance))
                    .await
                    .unwrap_or_else(|_| {
                        Err(app_error(format!(
                            "deregistering {} timed out after {:?}",
                            instance.id, self.registrar_timeout
                        )))
                    });
            keep_first(&mut outcome, deregistered);
            // Clients still sending here get answers until the change reaches them; a server
            // failing meanwhile ends the wait.
            if !running.is_empty() {
                tokio::select! {
                    () = tokio::time::sleep(self.drain_delay) => {}
                    ended = running.join_next() => keep_first(&mut outcome, Err(server_ended(ended))),
                }
            }
        }
        stop_servers.send_replace(true);
        let all_stopped = async {
            let mut result = Ok(());
            while let Some(ended) = running.join_next().await {
                if let Err(error) = flatten(ended) {
                    keep_first(&mut result, Err(error));
                }
            }
            result
        };
        // The crate's servers close their connections at the stop timeout and then return; the
        // grace lets them finish closing before a server that ignores the timeout is dropped.
        match tokio::time::timeout(self.stop_timeout + FORCE_CLOSE_GRACE, all_stopped).await {
            Ok(stopped) => keep_first(&mut outcome, stopped),
            Err(_) => keep_first(
                &mut outcome,
                Err(app_error(format!(
                    "the servers did not stop within the stop timeout ({:?})",
                    self.stop_timeout
                ))),
            ),
        }
        // Past the timeout, whatever still runs is dropped.
        running.abort_all();
        keep_first(&mut outcome, run_hooks(&self.after_stop, &instance).await);
        outcome
    }
}

fn boxed<F, Fut>(hook: F) -> Hook
where
    F: Fn(Arc<ServiceInstance>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Error>> + Send + 'static,
{
    Box::new(move |instance| Box::pin(hook(instance)))
}

async fn run_hooks(hooks: &[Hook], instance: &Arc<ServiceInstance>) -> Result<(), Error> {
    for hook in hooks {
        hook(Arc::clone(instance)).await?;
    }
    Ok(())
}

/// Keeps the first error.
fn keep_first(outcome: &mut Result<(), Error>, next: Result<(), Error>) {
    if outcome.is_ok() {
        *outcome = next;
    }
}

/// A server task's result as the app's.
fn flatten(ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), Error> {
    match ended {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(app_error(format!("a server failed: {error}")).with_cause(error)),
        Err(error) => Err(app_error(format!(
            "a server task ended abnormally: {error}"
        ))),
    }
}

/// A server that ended before the app told it to stop.
fn server_ended(ended: Option<Result<std::io::Result<()>, tokio::task::JoinError>>) -> Error {
    match ended.map(flatten) {
        Some(Err(error)) => error,
        _ => app_error("a server stopped on its own".to_owned()),
    }
}

#[cfg(test)]
mod tests;
