//! Which Databrain API a key may be sent to: the cloud API, or a self-hosted origin the
//! user added on the options page and the browser granted.

use crate::failure::{ErrorCode, Failure};
use crate::url::parse_https_url;

/// The Databrain cloud's API origin (seed-003/004).
pub const CLOUD_API_ORIGIN: &str = "https://api.usedatabrain.com";
/// The host of Databrain's web app (its dashboards), where the popup opens on Databrain.
const CLOUD_APP_HOST: &str = "app.usedatabrain.com";

/// An API origin (`https://host[:port]`) that keys may be sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiOrigin(String);

impl ApiOrigin {
    /// The Databrain cloud.
    pub fn cloud() -> ApiOrigin {
        ApiOrigin(CLOUD_API_ORIGIN.to_string())
    }

    /// Normalises what a user typed as a self-hosted API base URL to its origin. Only an
    /// origin is accepted (an optional trailing `/`), so no path can smuggle in a request.
    pub fn normalise(raw: &str) -> Result<String, Failure> {
        let url = parse_https_url(raw).map_err(|failure| Failure::new(ErrorCode::InvalidOrigin, failure.message))?;
        if !(url.path.is_empty() || url.path == "/") || url.has_query_or_fragment {
            return Err(Failure::new(
                ErrorCode::InvalidOrigin,
                "Enter only the origin of your Databrain API, such as https://databrain.example.com, without a path.",
            ));
        }
        Ok(url.origin())
    }

    /// The cloud API, or a self-hosted origin only when the browser has granted it
    /// (`granted` holds the extension's granted origin patterns, `https://host/*`).
    pub fn resolve(raw: &str, granted: &[String]) -> Result<ApiOrigin, Failure> {
        let origin = ApiOrigin::normalise(raw)?;
        if origin == CLOUD_API_ORIGIN || granted.iter().any(|pattern| *pattern == format!("{origin}/*")) {
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

    #[test]
    fn normalises_origins_and_refuses_paths() {
        assert_eq!(ApiOrigin::normalise("https://DB.example.com/").unwrap(), "https://db.example.com");
        assert_eq!(ApiOrigin::normalise("https://db.example.com:8443").unwrap(), "https://db.example.com:8443");
        for raw in [
            "http://db.example.com",
            "https://db.example.com/api",
            "https://db.example.com/?x",
            "https://u@db.example.com",
            "db.example.com",
        ] {
            assert_eq!(ApiOrigin::normalise(raw).unwrap_err().code, ErrorCode::InvalidOrigin, "{raw}");
        }
    }

    #[test]
    fn only_the_cloud_and_granted_origins_resolve() {
        assert_eq!(ApiOrigin::resolve("https://api.usedatabrain.com", &[]).unwrap().host(), "api.usedatabrain.com");
        let granted = vec!["https://db.example.com/*".to_string()];
        assert_eq!(ApiOrigin::resolve("https://db.example.com/", &granted).unwrap().as_str(), "https://db.example.com");
        assert_eq!(
            ApiOrigin::resolve("https://other.example.com", &granted).unwrap_err().code,
            ErrorCode::OriginNotGranted
        );
        assert_eq!(
            ApiOrigin::resolve("https://db.example.com:444", &granted).unwrap_err().code,
            ErrorCode::OriginNotGranted
        );
        assert_eq!(
            ApiOrigin::resolve("https://api.usedatabrain.com.evil.example", &[]).unwrap_err().code,
            ErrorCode::OriginNotGranted
        );
    }

    #[test]
    fn recognises_the_databrain_app() {
        assert!(is_databrain_app_url("https://app.usedatabrain.com/dashboards/x"));
        assert!(!is_databrain_app_url("https://app.usedatabrain.com.evil.example/"));
        assert!(!is_databrain_app_url("http://app.usedatabrain.com/"));
    }
}
