//! The etcd registry: etcd v3 leases and watches, in the layout of Go Kratos'
//! `contrib/registry/etcd`.
//!
//! An instance is the key `{namespace}/{name}/{id}` (namespace `/microservices` by default)
//! holding the instance as JSON ([`ServiceInstance`]'s form, Go Kratos' field names), attached
//! to a lease of [`ttl`](EtcdRegistry::ttl) seconds (15 by default) that a background task
//! keeps alive. If the process dies, the lease runs out and the key disappears within the TTL.
//! If keep-alive fails (etcd restarted, lost its data, or was unreachable for longer than the
//! TTL), the task grants a new lease and writes the key again, retrying with a backoff (100 ms
//! doubling to 2 s) until it succeeds or the instance is deregistered.
//!
//! A watch reads the whole prefix `{namespace}/{name}/`, then follows it with an etcd watch from
//! the next revision, applying each change the watch reports to the list (Go Kratos' watcher
//! reads the whole list again on every change; applying the event saves that round trip, so a
//! deregistration reaches balancers sooner). When the watch stream fails it starts over from a
//! fresh read (same backoff), so a watcher survives etcd restarts.
//!
//! ```no_run
//! # async fn run() -> Result<(), kratos::errors::Error> {
//! use std::time::Duration;
//! use kratos::registry::{EtcdRegistry, Registrar, ServiceInstance};
//!
//! let registry = EtcdRegistry::connect(["http://127.0.0.1:2379"]).await?
//!     .ttl(Duration::from_secs(10));
//! registry.register(&ServiceInstance::new("id-1", "helloworld").endpoint("http://10.0.0.5:8000")).await?;
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub use etcd_client;
use etcd_client::{
    Client, ConnectOptions, Event, EventType, GetOptions, KeyValue, PutOptions, WatchOptions,
};
use tokio::sync::{oneshot, watch};

use super::{Discovery, Registrar, RegistryFuture, ServiceInstance, Watcher};
use crate::errors::Error;
use crate::errors::reasons;

/// [`Registrar`] and [`Discovery`] on etcd; cheap to clone (clones share the connection and the
/// registrations). Dropping the last clone stops the keep-alives (the keys then expire).
#[derive(Clone)]
pub struct EtcdRegistry {
    client: Client,
    namespace: String,
    ttl: Duration,
    request_timeout: Duration,
    registrations: Arc<Mutex<HashMap<String, Registration>>>,
}

/// A registered instance's keep-alive task, stopped when this is dropped.
struct Registration {
    _stop: oneshot::Sender<()>,
    lease: Arc<AtomicI64>,
}

impl std::fmt::Debug for EtcdRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdRegistry")
            .field("namespace", &self.namespace)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn registry_error(message: String) -> Error {
    Error::new(503, reasons::REGISTRY, message)
}

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

impl EtcdRegistry {
    /// Go Kratos' namespace: keys are `/microservices/{name}/{id}`.
    pub const DEFAULT_NAMESPACE: &'static str = "/microservices";
    /// Go Kratos' lease TTL: 15 s.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(15);
    /// How long one request to etcd (a read, a write, a lease grant) may take: 3 s.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

    /// Connects to etcd at `endpoints` (`http://127.0.0.1:2379` or `127.0.0.1:2379`), within the
    /// request timeout; an unreachable etcd is a `503 REGISTRY` error.
    pub async fn connect<E: AsRef<str>, S: AsRef<[E]>>(endpoints: S) -> Result<Self, Error> {
        let options = ConnectOptions::new()
            .with_connect_timeout(Self::DEFAULT_REQUEST_TIMEOUT)
            // Finds a dead etcd behind an idle watch stream.
            .with_keep_alive(Duration::from_secs(5), Duration::from_secs(3))
            .with_keep_alive_while_idle(true);
        let described = endpoints
            .as_ref()
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(",");
        let client = Client::connect(endpoints, Some(options))
            .await
            .map_err(|error| {
                registry_error(format!("cannot connect to etcd at {described}: {error}"))
            })?;
        Ok(Self::with_client(client))
    }

    /// A registry over an etcd client the caller built (TLS, authentication).
    pub fn with_client(client: Client) -> Self {
        Self {
            client,
            namespace: Self::DEFAULT_NAMESPACE.to_owned(),
            ttl: Self::DEFAULT_TTL,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            registrations: Arc::default(),
        }
    }

    /// The key prefix (`/microservices` by default, as Go Kratos' `Namespace` option).
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The lease TTL of registered instances (15 s by default), in whole seconds (rounded up,
    /// at least 1): how long an instance whose process died stays visible.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long one request to etcd may take (3 s by default).
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    fn ttl_seconds(&self) -> i64 {
        let seconds = self.ttl.as_secs() + u64::from(self.ttl.subsec_nanos() > 0);
        i64::try_from(seconds.max(1)).unwrap_or(i64::MAX)
    }

    fn key(&self, instance: &ServiceInstance) -> String {
        format!("{}/{}/{}", self.namespace, instance.name, instance.id)
    }

    fn prefix(&self, name: &str) -> String {
        format!("{}/{}/", self.namespace, name)
    }

    /// Runs one etcd request within the request timeout.
    async fn request<T>(
        &self,
        what: &str,
        request: impl Future<Output = Result<T, etcd_client::Error>>,
    ) -> Result<T, Error> {
        within(self.request_timeout, what, request).await
    }
}

async fn within<T>(
    limit: Duration,
    what: &str,
    request: impl Future<Output = Result<T, etcd_client::Error>>,
) -> Result<T, Error> {
    match tokio::time::timeout(limit, request).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(registry_error(format!("etcd: {what} failed: {error}"))),
        Err(_) => Err(registry_error(format!(
            "etcd: {what} got no answer within {limit:?}"
        ))),
    }
}

/// What a keep-alive task needs to write its key again.
#[derive(Clone)]
struct Lease {
    client: Client,
    key: String,
    value: String,
    ttl: i64,
    request_timeout: Duration,
    current: Arc<AtomicI64>,
}

impl Lease {
    /// Grants a lease and writes the key under it.
    async fn grant_and_put(&self) -> Result<i64, Error> {
        let mut client = self.client.clone();
        let granted = within(
            self.request_timeout,
            "lease grant",
            client.lease_grant(self.ttl, None),
        )
        .await?;
        let id = granted.id();
        within(
            self.request_timeout,
            &format!("put {}", self.key),
            client.put(
                self.key.as_str(),
                self.value.as_str(),
                Some(PutOptions::new().with_lease(id)),
            ),
        )
        .await?;
        self.current.store(id, Ordering::Relaxed);
        Ok(id)
    }

    /// Keeps lease `id` alive until it is lost (expired, etcd gone): refreshes every third of
    /// the TTL, as etcd's own client does.
    async fn keep_alive(&self, id: i64) {
        let mut client = self.client.clone();
        let Ok(Ok((mut keeper, mut stream))) =
            tokio::time::timeout(self.request_timeout, client.lease_keep_alive(id)).await
        else {
            return;
        };
        let period = Duration::from_secs(u64::try_from(self.ttl).unwrap_or(1)) / 3;
        loop {
            if keeper.keep_alive().await.is_err() {
                return;
            }
            match tokio::time::timeout(self.request_timeout, stream.message()).await {
                Ok(Ok(Some(answer))) if answer.ttl() > 0 => {}
                // Expired (TTL 0), stream ended, error, or no answer in time.
                _ => return,
            }
            tokio::time::sleep(period).await;
        }
    }

    /// Keeps the key registered: keep-alive, and on losing the lease a new lease and the key
    /// written again, with a backoff between failed attempts.
    async fn keep_registered(self, first: i64) {
        let mut lease = Some(first);
        let mut backoff = MIN_BACKOFF;
        loop {
            let id = match lease.take() {
                Some(id) => id,
                None => match self.grant_and_put().await {
                    Ok(id) => {
                        tracing::info!(key = %self.key, "etcd: registered again after losing the lease");
                        backoff = MIN_BACKOFF;
                        id
                    }
                    Err(error) => {
                        tracing::warn!(key = %self.key, %error, "etcd: registering again failed; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                },
            };
            self.keep_alive(id).await;
        }
    }
}

impl Registrar for EtcdRegistry {
    fn register<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        Box::pin(async move {
            let value = serde_json::to_string(instance).map_err(|error| {
                registry_error(format!("cannot encode instance {:?}: {error}", instance.id))
            })?;
            let lease = Lease {
                client: self.client.clone(),
                key: self.key(instance),
                value,
                ttl: self.ttl_seconds(),
                request_timeout: self.request_timeout,
                current: Arc::default(),
            };
            let first = lease.grant_and_put().await?;
            let (stop, stopped) = oneshot::channel();
            let registration = Registration {
                _stop: stop,
                lease: Arc::clone(&lease.current),
            };
            let key = lease.key.clone();
            tokio::spawn(async move {
                tokio::select! {
                    () = lease.keep_registered(first) => {}
                    _ = stopped => {}
                }
            });
            // Registering an id again replaces (and stops) the earlier keep-alive.
            self.registrations
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, registration);
            Ok(())
        })
    }

    fn deregister<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(instance);
            let registration = self
                .registrations
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&key);
            let mut client = self.client.clone();
            self.request(&format!("delete {key}"), client.delete(key.as_str(), None))
                .await?;
            if let Some(registration) = registration {
                let lease = registration.lease.load(Ordering::Relaxed);
                drop(registration);
                // The key is gone already; the lease would only run out later.
                let _ = self
                    .request("lease revoke", client.lease_revoke(lease))
                    .await;
            }
            Ok(())
        })
    }
}

/// The instances of one service by key, as a watch keeps them.
type Listed = BTreeMap<Vec<u8>, ServiceInstance>;

/// Reads the instances of `name` under `prefix` and the store's revision.
async fn read_instances(
    client: &Client,
    prefix: &str,
    name: &str,
    limit: Duration,
) -> Result<(Listed, i64), Error> {
    let mut client = client.clone();
    let answer = within(
        limit,
        &format!("get {prefix}"),
        client.get(prefix, Some(GetOptions::new().with_prefix())),
    )
    .await?;
    let revision = answer
        .header()
        .map_or(0, etcd_client::ResponseHeader::revision);
    let mut instances = Listed::new();
    for kv in answer.kvs() {
        if let Some(instance) = parse_instance(kv, name) {
            instances.insert(kv.key().to_vec(), instance);
        }
    }
    Ok((instances, revision))
}

/// The instance of `name` a key holds; `None` (with a warning for what is not an instance) for
/// anything else.
fn parse_instance(kv: &KeyValue, name: &str) -> Option<ServiceInstance> {
    match serde_json::from_slice::<ServiceInstance>(kv.value()) {
        Ok(instance) => (instance.name == name).then_some(instance),
        Err(error) => {
            tracing::warn!(
                key = %String::from_utf8_lossy(kv.key()),
                %error,
                "etcd: skipping a value that is not a service instance"
            );
            None
        }
    }
}

/// The instances in a stable order (by id), so an unchanged list compares equal.
fn sorted(listed: &Listed) -> Vec<ServiceInstance> {
    let mut instances: Vec<ServiceInstance> = listed.values().cloned().collect();
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    instances
}

/// Applies one watch event to the list.
fn apply(listed: &mut Listed, event: &Event, name: &str) {
    let Some(kv) = event.kv() else {
        return;
    };
    let instance = match event.event_type() {
        EventType::Put => parse_instance(kv, name),
        EventType::Delete => None,
    };
    match instance {
        Some(instance) => listed.insert(kv.key().to_vec(), instance),
        None => listed.remove(kv.key()),
    };
}

/// Follows `prefix` until every watcher is gone, starting over after any failure.
async fn follow(
    client: Client,
    prefix: String,
    name: String,
    limit: Duration,
    sender: watch::Sender<Arc<[ServiceInstance]>>,
    mut listed: Listed,
    mut revision: i64,
) {
    let publish = |listed: &Listed| {
        let list = sorted(listed);
        sender.send_if_modified(|current| {
            let changed = current.as_ref() != list.as_slice();
            if changed {
                *current = Arc::from(list);
            }
            changed
        });
    };
    let mut backoff = MIN_BACKOFF;
    loop {
        let round = async {
            if revision == 0 {
                let (read, read_at) = read_instances(&client, &prefix, &name, limit).await?;
                listed = read;
                publish(&listed);
                revision = read_at;
            }
            let mut watching = client.clone();
            let options = WatchOptions::new()
                .with_prefix()
                .with_start_revision(revision + 1);
            let mut stream = within(
                limit,
                "watch",
                watching.watch(prefix.as_str(), Some(options)),
            )
            .await?;
            backoff = MIN_BACKOFF;
            loop {
                let answer = stream
                    .message()
                    .await
                    .map_err(|error| registry_error(format!("etcd: watch failed: {error}")))?
                    .ok_or_else(|| registry_error("etcd: the watch stream ended".to_owned()))?;
                if answer.canceled() {
                    return Err::<(), Error>(registry_error(format!(
                        "etcd: the watch was canceled: {}",
                        answer.cancel_reason()
                    )));
                }
                // The events carry the change: applying them saves a read per change, so a
                // deregistration reaches the balancers one round trip sooner.
                for event in answer.events() {
                    apply(&mut listed, event, &name);
                }
                if !answer.events().is_empty() {
                    publish(&listed);
                }
            }
        };
        tokio::select! {
            () = sender.closed() => return,
            result = round => {
                if let Err(error) = result {
                    tracing::warn!(%prefix, %error, "etcd: watch lost; starting over");
                }
            }
        }
        // Read the whole list again: events may have been missed meanwhile.
        revision = 0;
        tokio::select! {
            () = sender.closed() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

impl Discovery for EtcdRegistry {
    fn get_service<'a>(&'a self, name: &'a str) -> RegistryFuture<'a, Vec<ServiceInstance>> {
        Box::pin(async move {
            let (listed, _) =
                read_instances(&self.client, &self.prefix(name), name, self.request_timeout)
                    .await?;
            Ok(sorted(&listed))
        })
    }

    fn watch<'a>(&'a self, name: &'a str) -> RegistryFuture<'a, Watcher> {
        Box::pin(async move {
            let prefix = self.prefix(name);
            let (listed, revision) =
                read_instances(&self.client, &prefix, name, self.request_timeout).await?;
            let (sender, receiver) = watch::channel(Arc::from(sorted(&listed)));
            tokio::spawn(follow(
                self.client.clone(),
                prefix,
                name.to_owned(),
                self.request_timeout,
                sender,
                listed,
                revision,
            ));
            Ok(Watcher::new(receiver))
        })
    }
}
