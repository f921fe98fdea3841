//! The app's instance: its id, the endpoints derived from bound addresses, and how handlers
//! reach it through their context.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;

use crate::middleware::{Handler, Middleware};
use crate::registry::ServiceInstance;
use crate::transport::Context;

/// The app's instance, as handlers see it: `kratos::app::from_context(&ctx)`.
#[derive(Clone, Debug)]
struct AppInstance(Arc<ServiceInstance>);

/// The instance of the [`App`](super::App) serving this call (id, name, version, metadata,
/// endpoints), as Kratos' `kratos.FromContext`; `None` outside an app.
pub fn from_context(ctx: &Context) -> Option<&ServiceInstance> {
    ctx.extensions()
        .get::<AppInstance>()
        .map(|instance| instance.0.as_ref())
}

/// Middleware that puts the app's instance in every call's context, for [`from_context`]. The
/// app adds it (innermost) to the HTTP and gRPC servers it runs; a user [`Server`](super::Server)
/// that runs this crate's servers its own way adds it with the instance `start` gets.
#[derive(Clone, Debug)]
pub struct InstanceInfo(Arc<ServiceInstance>);

impl InstanceInfo {
    /// The middleware for `instance`.
    pub fn new(instance: Arc<ServiceInstance>) -> Self {
        Self(instance)
    }

    /// Adds the instance to `ctx` (also the typed path's step).
    pub(crate) fn attach(&self, ctx: &mut Context) {
        ctx.extensions_mut()
            .insert(AppInstance(Arc::clone(&self.0)));
    }
}

impl Middleware for InstanceInfo {
    fn wrap(&self, next: Handler) -> Handler {
        let info = self.clone();
        Arc::new(move |mut ctx, request| {
            info.attach(&mut ctx);
            next(ctx, request)
        })
    }
}

/// The endpoint URL to register for a server bound to `address`: `scheme://host:port`, where an
/// unspecified host (`0.0.0.0`, `::`) becomes this machine's address (as Kratos'
/// `host.Extract`).
pub fn endpoint_url(scheme: &str, address: SocketAddr) -> String {
    let ip = if address.ip().is_unspecified() {
        outbound_ip().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
    } else {
        address.ip()
    };
    format!("{scheme}://{}", SocketAddr::new(ip, address.port()))
}

/// The address this machine reaches others from: the source address the kernel picks for a
/// route outwards (a UDP "connect" sends nothing).
fn outbound_ip() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(10, 255, 255, 255), 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

/// A random (version 4) UUID, Kratos' default instance id.
pub(crate) fn random_id() -> String {
    let high = fastrand::u64(..);
    let low = fastrand::u64(..);
    // Version 4, variant 10xx.
    let high = (high & !0xf000) | 0x4000;
    let low = (low & !(0xc << 60)) | (0x8 << 60);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_4_uuids() {
        let id = random_id();
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(&id[14..15], "4", "{id}");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(id, random_id());
    }

    #[test]
    fn endpoints_name_a_reachable_host() {
        let bound = SocketAddr::from(([127, 0, 0, 1], 8000));
        assert_eq!(endpoint_url("http", bound), "http://127.0.0.1:8000");
        let any = endpoint_url("grpc", SocketAddr::from(([0, 0, 0, 0], 9000)));
        assert!(
            any.starts_with("grpc://") && any.ends_with(":9000"),
            "{any}"
        );
        assert!(!any.contains("0.0.0.0"), "{any}");
    }
}
