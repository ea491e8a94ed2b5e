//! Which Databrain API a key may be sent to: the cloud API, or a self-hosted origin the
//! user added on the options page and the browser granted.

use crate::failure::{ErrorCode, Failure};
use crate::url::{parse_https_url, HttpsUrl};

/// The Databrain cloud's API origin (seed-003/004).
pub const CLOUD_API_ORIGIN: &str = "https://api.usedatabrain.com";
/// The Databrain cloud's API host.
const CLOUD_API_HOST: &str = "api.usedatabrain.com";
/// The host of Databrain's web app (its dashboards), where the popup opens on Databrain.
const CLOUD_APP_HOST: &str = "app.usedatabrain.com";
/// Treasure's own domains: no host in them is anyone's self-hosted Databrain.
const TREASURE_DOMAINS: [&str; 2] = ["treasuredata.com", "treasuredata.co.jp"];

/// An API origin (`https://host[:port]`) that keys may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiOrigin(String);

/// Why `host` can never be a self-hosted Databrain, if it cannot: it is a host Keyturn
/// holds for another service (the manifest grants each of them, so a "self-hosted" origin
/// there would be allowed without asking), or the Databrain cloud itself. Any port.
fn held_for_another_service(host: &str) -> Option<&'static str> {
    // Every API and console host of the region table is in these domains (a test checks).
    let in_treasure_domain = TREASURE_DOMAINS
        .iter()
        .any(|domain| host == *domain || host.strip_suffix(domain).is_some_and(|sub| sub.ends_with('.')));
    if in_treasure_domain {
        Some("is a Treasure Data host, which Keyturn holds for Treasure keys only")
    } else if host == CLOUD_API_HOST || host == CLOUD_APP_HOST {
        Some("is the Databrain cloud, which Keyturn always offers")
    } else {
        None
    }
}

/// `raw` read as an origin: only an origin is accepted (an optional trailing `/`), so no
/// path can smuggle in a request.
fn origin_url(raw: &str) -> Result<HttpsUrl<'_>, Failure> {
    let url = parse_https_url(raw).map_err(|failure| Failure::new(ErrorCode::InvalidOrigin, failure.message))?;
    if !(url.path.is_empty() || url.path == "/") || url.has_query_or_fragment {
        return Err(Failure::new(
            ErrorCode::InvalidOrigin,
            "Enter only the origin of your Databrain API, such as https://databrain.example.com, without a path.",
        ));
    }
    Ok(url)
}

impl ApiOrigin {
    /// The Databrain cloud.
    pub fn cloud() -> ApiOrigin {
        ApiOrigin(CLOUD_API_ORIGIN.to_string())
    }

    /// Normalises what a user (or a policy) gave as a self-hosted API base URL to its
    /// origin. Refused: anything but an origin, and a host Keyturn holds for another
    /// service or the Databrain cloud (see [`held_for_another_service`]).
    pub fn normalise(raw: &str) -> Result<String, Failure> {
        let url = origin_url(raw)?;
        if let Some(why) = held_for_another_service(&url.host) {
            return Err(Failure::new(
                ErrorCode::OriginOfAnotherService,
                format!(
                    "{} {why}: it can never be a self-hosted Databrain, and no Databrain key or token is sent there. \
                     Enter the origin of your own Databrain API.",
                    url.origin()
                ),
            ));
        }
        Ok(url.origin())
    }

    /// The cloud API, or a self-hosted origin only when the browser has granted it
    /// (`granted` holds the extension's granted origin patterns, `https://host/*`). What the
    /// manifest grants for the other service never counts: those hosts are refused first.
    pub fn resolve(raw: &str, granted: &[String]) -> Result<ApiOrigin, Failure> {
        if origin_url(raw)?.origin() == CLOUD_API_ORIGIN {
            return Ok(ApiOrigin::cloud());
        }
        let origin = ApiOrigin::normalise(raw)?;
        if granted.iter().any(|pattern| *pattern == format!("{origin}/*")) {
            Ok(ApiOrigin(origin))
        } else {
            Err(Failure::new(
                ErrorCode::OriginNotGranted,
                format!("Keyturn may not send keys to {origin}. Add it on the options page and allow access first."),
            ))
        }
    }

    /// The origin, `https://host[:port]`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The origin's host, for messages.
    pub fn host(&self) -> &str {
        self.0.strip_prefix("https://").unwrap_or(&self.0)
    }

    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.0)
    }
}

/// Whether a tab shows Databrain's web app, so the popup opens on the Databrain form.
pub fn is_databrain_app_url(raw: &str) -> bool {
    parse_https_url(raw).is_ok_and(|url| url.port.is_none() && url.host == CLOUD_APP_HOST)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::treasure::region::REGIONS;

    #[test]
    fn every_host_of_the_region_table_is_in_treasure_s_domains() {
        for host in REGIONS
            .iter()
            .flat_map(|info| [info.api_host, info.workflow_host].into_iter().chain(info.console_hosts.iter().copied()))
        {
            assert!(TREASURE_DOMAINS.iter().any(|domain| host.ends_with(&format!(".{domain}"))), "{host}");
        }
    }

    #[test]
    fn normalises_origins_and_refuses_paths() {
        assert_eq!(ApiOrigin::normalise("https://DB.example.com/").unwrap(), "https://db.example.com");
        assert_eq!(ApiOrigin::normalise("https://db.example.com:8443").unwrap(), "https://db.example.com:8443");
        assert_eq!(ApiOrigin::normalise("https://db.example.com:443").unwrap(), "https://db.example.com");
        for raw in [
            "http://db.example.com",
            "https://db.example.com/api",
            "https://db.example.com//",
            "https://db.example.com/?x",
            "https://db.example.com?x",
            "https://db.example.com#x",
            "https://u@db.example.com",
            "db.example.com",
            "https://10.0.0.1",
        ] {
            assert_eq!(ApiOrigin::normalise(raw).unwrap_err().code, ErrorCode::InvalidOrigin, "{raw}");
        }
        assert!(ApiOrigin::normalise("https://db.example.com/api").unwrap_err().message.contains("without a path"));
        assert!(ApiOrigin::normalise("http://db.example.com").unwrap_err().message.contains("https://"));
    }

    #[test]
    fn a_host_held_for_another_service_is_never_a_self_hosted_databrain() {
        let mut held: Vec<String> = REGIONS
            .iter()
            .flat_map(|info| [info.api_host, info.workflow_host].into_iter().chain(info.console_hosts.iter().copied()))
            .map(|host| format!("https://{host}"))
            .collect();
        held.extend(
            [
                "https://API.TreasureData.com:8443/",
                "https://treasuredata.com",
                "https://anything.treasuredata.com",
                "https://treasuredata.co.jp",
                "https://x.y.treasuredata.co.jp:444",
            ]
            .map(String::from),
        );
        for raw in &held {
            let failure = ApiOrigin::normalise(raw).unwrap_err();
            assert_eq!(failure.code, ErrorCode::OriginOfAnotherService, "{raw}");
            assert!(failure.message.contains("Treasure Data host"), "{raw}: {}", failure.message);
            assert!(!failure.request_sent);
            // Granted or not (the manifest grants these hosts), nothing resolves there.
            let granted = vec![format!("{}/*", raw.trim_end_matches('/').to_lowercase())];
            assert_eq!(ApiOrigin::resolve(raw, &granted).unwrap_err().code, ErrorCode::OriginOfAnotherService, "{raw}");
        }
        for raw in
            ["https://api.usedatabrain.com", "https://app.usedatabrain.com/", "https://api.usedatabrain.com:8443"]
        {
            let failure = ApiOrigin::normalise(raw).unwrap_err();
            assert_eq!(failure.code, ErrorCode::OriginOfAnotherService, "{raw}");
            assert!(failure.message.contains("is the Databrain cloud"), "{raw}: {}", failure.message);
        }
        let message = ApiOrigin::normalise("https://api.treasuredata.com/").unwrap_err().message;
        assert!(message.starts_with("https://api.treasuredata.com is a Treasure Data host"), "{message}");
        // Look-alikes outside Treasure's domains are ordinary hosts.
        for raw in [
            "https://treasuredata.com.example",
            "https://nottreasuredata.com",
            "https://mytreasuredata.co.jp",
            "https://api.usedatabrain.com.example",
            "https://eu.usedatabrain.com",
            "https://treasuredata.co",
        ] {
            assert!(ApiOrigin::normalise(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn only_the_cloud_and_granted_origins_resolve() {
        assert_eq!(ApiOrigin::resolve("https://api.usedatabrain.com", &[]).unwrap().host(), "api.usedatabrain.com");
        assert_eq!(ApiOrigin::resolve("HTTPS://API.usedatabrain.com/", &[]).unwrap(), ApiOrigin::cloud());
        let granted = vec!["https://db.example.com/*".to_string()];
        assert_eq!(ApiOrigin::resolve("https://db.example.com/", &granted).unwrap().as_str(), "https://db.example.com");
        assert_eq!(ApiOrigin::resolve("https://db.example.com/", &granted).unwrap().host(), "db.example.com");
        assert_eq!(
            ApiOrigin::resolve("https://other.example.com", &granted).unwrap_err().code,
            ErrorCode::OriginNotGranted
        );
        assert!(ApiOrigin::resolve("https://other.example.com", &granted)
            .unwrap_err()
            .message
            .contains("may not send keys to https://other.example.com"));
        assert_eq!(
            ApiOrigin::resolve("https://db.example.com:444", &granted).unwrap_err().code,
            ErrorCode::OriginNotGranted
        );
        assert_eq!(
            ApiOrigin::resolve("https://api.usedatabrain.com.evil.example", &[]).unwrap_err().code,
            ErrorCode::OriginNotGranted
        );
        assert_eq!(
            ApiOrigin::resolve("https://api.usedatabrain.com:8443", &["https://api.usedatabrain.com:8443/*".into()])
                .unwrap_err()
                .code,
            ErrorCode::OriginOfAnotherService
        );
        assert_eq!(
            ApiOrigin::resolve("https://db.example.com/x", &granted).unwrap_err().code,
            ErrorCode::InvalidOrigin
        );
        assert_eq!(ApiOrigin::cloud().url("/api/v2/x?y=1"), "https://api.usedatabrain.com/api/v2/x?y=1");
    }

    #[test]
    fn recognises_the_databrain_app() {
        assert!(is_databrain_app_url("https://app.usedatabrain.com/dashboards/x"));
        assert!(is_databrain_app_url("https://APP.usedatabrain.com:443/"));
        assert!(!is_databrain_app_url("https://app.usedatabrain.com:8443/"));
        assert!(!is_databrain_app_url("https://app.usedatabrain.com.evil.example/"));
        assert!(!is_databrain_app_url("https://api.usedatabrain.com/"));
        assert!(!is_databrain_app_url("http://app.usedatabrain.com/"));
    }
}
