//! One running instance of a service, as registries store it.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// One running instance of a service: Kratos' `registry.ServiceInstance`, with the same JSON
/// form (`{"id":..,"name":..,"version":..,"metadata":{..},"endpoints":[..]}`), which is what
/// the etcd registry stores.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInstance {
    /// Unique among the instances of the service (Kratos: a UUID by default).
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// The service name clients look up (`discovery:///name`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The version, for node filters.
    #[serde(default, deserialize_with = "null_as_default")]
    pub version: String,
    /// Free-form metadata; `weight` (an integer) sets the instance's weight for the weighted
    /// round robin balancer, as Kratos.
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: BTreeMap<String, String>,
    /// Where it serves, one URL per transport: `http://10.0.0.5:8000`, `grpc://10.0.0.5:9000`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub endpoints: Vec<String>,
}

/// Go writes a nil map or slice as `null`.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl ServiceInstance {
    /// An instance `id` of service `name`, with no version, metadata or endpoints yet.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            ..Self::default()
        }
    }

    /// Sets the version.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Adds a metadata entry.
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Adds an endpoint URL (`http://host:port`, `grpc://host:port`).
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoints.push(endpoint.into());
        self
    }

    /// The `host:port` of the first endpoint with this scheme (`http`, `grpc`), as Kratos'
    /// `endpoint.ParseEndpoint`.
    pub fn endpoint_for(&self, scheme: &str) -> Option<&str> {
        self.endpoints.iter().find_map(|endpoint| {
            let (found, rest) = endpoint.split_once("://")?;
            let authority = rest.split(['/', '?']).next()?;
            (found.eq_ignore_ascii_case(scheme) && !authority.is_empty()).then_some(authority)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_go_kratos_field_names() {
        let instance = ServiceInstance::new("id-1", "helloworld")
            .version("v1")
            .metadata("weight", "10")
            .endpoint("http://127.0.0.1:8000");
        assert_eq!(
            serde_json::to_string(&instance).unwrap(),
            r#"{"id":"id-1","name":"helloworld","version":"v1","metadata":{"weight":"10"},"endpoints":["http://127.0.0.1:8000"]}"#
        );
    }

    #[test]
    fn go_nulls_and_missing_fields_decode() {
        let instance: ServiceInstance = serde_json::from_str(
            r#"{"id":"x","name":"helloworld","version":"","metadata":null,"endpoints":null,"extra":1}"#,
        )
        .unwrap();
        assert_eq!(instance, ServiceInstance::new("x", "helloworld"));
    }

    #[test]
    fn endpoint_for_picks_by_scheme() {
        let instance = ServiceInstance::new("x", "s")
            .endpoint("http://10.0.0.1:8000")
            .endpoint("grpc://10.0.0.1:9000?isSecure=false");
        assert_eq!(instance.endpoint_for("grpc"), Some("10.0.0.1:9000"));
        assert_eq!(instance.endpoint_for("http"), Some("10.0.0.1:8000"));
        assert_eq!(instance.endpoint_for("https"), None);
    }
}
