//! Rotating a data app API key (seed-003/004): the key authenticates as itself and is
//! replaced; the old one expires after the grace period. Not idempotent: never retried.

use serde::{Deserialize, Serialize};

use crate::databrain::credentials::DataAppKey;
use crate::databrain::endpoint::ApiOrigin;
use crate::databrain::errors::{databrain_failure, Operation};
use crate::databrain::grace::GracePeriod;
use crate::failure::{ErrorCode, Failure};
use crate::http::{json_body, ApiRequest, Exchange, JsonBody, Method, Text};
use crate::input::{is_uuid, Secret};
use serde_json::value::RawValue;

/// A newly issued key. This is the one secret Keyturn hands back to the page: the user
/// must see it and save it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct NewKey {
    /// The new key, lower-case UUID.
    pub key: String,
}

/// The rotation's body: `{"expireAt": <seconds>}`, a JSON number (seed-004 also accepts a
/// numeric string).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RotateBody {
    expire_at: u64,
}

/// A 200 of rotation or creation: `{"key": "<UUID>"}`. `error` is read only to say what a
/// 200 without a key carried instead.
#[derive(Deserialize)]
struct NewKeyAnswer {
    #[serde(default)]
    key: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<Box<RawValue>>,
}

impl NewKeyAnswer {
    fn uuid_key(&self) -> Option<String> {
        let key: Text = serde_json::from_str(self.key.as_ref()?.get()).ok()?;
        key.0.filter(|key| is_uuid(key))
    }
}

/// The rotation request (seed-003/004): the key authenticates as itself.
pub fn rotate_request(origin: &ApiOrigin, key: &DataAppKey, grace: GracePeriod) -> ApiRequest {
    ApiRequest {
        method: Method::Post,
        url: origin.url("/api/v2/data-app/rotate-api"),
        headers: vec![
            ("Authorization", format!("Bearer {}", key.expose())),
            ("Content-Type", "application/json".to_string()),
        ],
        body: json_body(&RotateBody { expire_at: grace.seconds() }),
    }
}

/// Only a 200 whose JSON object carries a UUID `key` is a success. `key` is the key that
/// was rotated (sent as the credential), removed from any text of the server's.
pub fn interpret_rotate_answer(origin: &ApiOrigin, key: &DataAppKey, exchange: Exchange) -> Result<NewKey, Failure> {
    new_key_from(origin, exchange, Operation::Rotate, key.secret())
}

/// Shared by rotation and creation, which answer alike: `200 {"key": "<UUID>"}`.
pub(crate) fn new_key_from(
    origin: &ApiOrigin,
    exchange: Exchange,
    operation: Operation,
    sent: &Secret,
) -> Result<NewKey, Failure> {
    // Neither call is idempotent: a failed connection leaves the outcome unknown.
    let response = exchange.map_err(|failure| Failure::from_transport(origin.host(), failure, false))?;
    if response.status != 200 {
        return Err(databrain_failure(&response, operation, sent));
    }
    let body = JsonBody::<NewKeyAnswer>::of(&response);
    match body.object().and_then(NewKeyAnswer::uuid_key) {
        Some(key) => Ok(NewKey { key: key.to_ascii_lowercase() }),
        None => {
            let what = match &body {
                JsonBody::Object(answer) if answer.error.is_some() => "an error object".to_string(),
                JsonBody::Object(answer) if answer.key.is_some() => "a key that is not a UUID".to_string(),
                JsonBody::Object(_) => "no new key".to_string(),
                other => other.describe().to_string(),
            };
            let check = match operation {
                Operation::Rotate => "The rotation may have happened on the server: check in Databrain (or list the data app's keys with a service token) whether the old key now has an expiry, before you try again.",
                _ => "A key may have been created anyway: list the data app's keys before you try again.",
            };
            Err(Failure::with_status(
                ErrorCode::UnexpectedResponse,
                200,
                format!("Unexpected response: Databrain answered 200 but with {what}. {check}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, TransportFailure};

    const KEY: &str = "550e8400-e29b-41d4-a716-446655440000";
    const NEW: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    fn answer(status: u16, body: &str) -> Result<NewKey, Failure> {
        interpret_rotate_answer(
            &ApiOrigin::cloud(),
            &DataAppKey::parse(KEY).unwrap(),
            Ok(ApiResponse { status, content_type: None, body: body.into() }),
        )
    }

    #[test]
    fn builds_the_documented_request() {
        let request = rotate_request(&ApiOrigin::cloud(), &DataAppKey::parse(KEY).unwrap(), GracePeriod::RECOMMENDED);
        assert_eq!((request.method, request.method.as_str()), (Method::Post, "POST"));
        assert_eq!(request.url, "https://api.usedatabrain.com/api/v2/data-app/rotate-api");
        assert_eq!(request.header("Authorization"), Some(format!("Bearer {KEY}").as_str()));
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.body.as_deref(), Some(r#"{"expireAt":3600}"#));
        let now =
            rotate_request(&ApiOrigin::cloud(), &DataAppKey::parse(KEY).unwrap(), GracePeriod::parse("0").unwrap());
        assert_eq!(now.body.as_deref(), Some(r#"{"expireAt":0}"#));
    }

    #[test]
    fn a_uuid_key_in_a_200_is_the_only_success() {
        assert_eq!(answer(200, &format!(r#"{{"key":"{NEW}"}}"#)).unwrap().key, NEW);
        for (body, says) in [
            ("{}", "no new key"),
            (r#"{"key":"abc"}"#, "not a UUID"),
            (r#"{"key":42}"#, "not a UUID"),
            (r#"{"error":{"code":"X"}}"#, "error object"),
            ("<html>ok</html>", "HTML"),
            ("", "empty"),
            (r#"{"key":"7c9e"#, "not a JSON object"),
        ] {
            let failure = answer(200, body).unwrap_err();
            assert_eq!(failure.code, ErrorCode::UnexpectedResponse, "{body}");
            assert!(failure.message.contains(says), "{body}: {}", failure.message);
            assert!(failure.message.contains("may have happened"));
        }
    }

    #[test]
    fn a_failed_connection_means_the_outcome_is_unknown() {
        for transport in [TransportFailure::Network, TransportFailure::Timeout] {
            let failure =
                interpret_rotate_answer(&ApiOrigin::cloud(), &DataAppKey::parse(KEY).unwrap(), Err(transport))
                    .unwrap_err();
            assert_eq!(failure.code, ErrorCode::OutcomeUnknown);
            assert!(failure.message.contains("Do not simply try again"));
        }
    }
}
