//! Replacing a data model's Treasure API key (seed-000):
//! `PUT https://<api host>/reporting/datamodels/<OID>` with the new key both as the
//! credential and in the body. A 200 answer carries the data model.

use serde::{Deserialize, Serialize};

use crate::failure::{ErrorCode, Failure};
use crate::http::{json_body, ApiRequest, Exchange, JsonBody, Method, Text};
use crate::input::{server_text, Secret};
use crate::treasure::api_key::TreasureKey;
use crate::treasure::console_url::DataModelTarget;
use crate::treasure::region::Region;

/// What a successful replacement tells the user about the data model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct DataModelSummary {
    /// The data model's OID (the one requested).
    pub oid: String,
    /// Its name.
    pub name: String,
    /// Its type (`elasticube`, …).
    #[serde(rename = "type")]
    pub kind: String,
}

/// The PUT's body: `{"datamodel":{"apikey":"<key>"}}` (seed-000).
#[derive(Serialize)]
struct ReplaceKeyBody<'a> {
    datamodel: NewApiKey<'a>,
}

#[derive(Serialize)]
struct NewApiKey<'a> {
    apikey: &'a str,
}

/// What Keyturn reads of the PUT's answer (and of every Treasure error body): every field
/// as text when it is a string; unknown fields are ignored.
#[derive(Deserialize)]
pub(crate) struct DataModelAnswer {
    #[serde(default)]
    oid: Text,
    #[serde(default)]
    name: Text,
    #[serde(default, rename = "type")]
    kind: Text,
    #[serde(default)]
    message: Text,
    #[serde(default)]
    error: Text,
}

/// The key replacement request for `target` (seed-000), with `key` as credential and body.
pub fn replace_key_request(target: &DataModelTarget, key: &TreasureKey) -> ApiRequest {
    ApiRequest {
        method: Method::Put,
        // Both parts come from closed sets: a host from the region table, an OID that is a UUID.
        url: format!("https://{}/reporting/datamodels/{}", target.region.api_host(), target.oid.as_str()),
        headers: vec![
            ("Authorization", format!("TD1 {}", key.expose())),
            ("Content-Type", "application/json".to_string()),
        ],
        body: json_body(&ReplaceKeyBody { datamodel: NewApiKey { apikey: key.expose() } }),
    }
}

/// The longest data model name Keyturn keeps or shows (as the account's list does).
pub const MAX_NAME_CHARS: usize = 200;
/// The longest data model type Keyturn keeps or shows.
pub const MAX_TYPE_CHARS: usize = 60;

/// Turns the answer to [`replace_key_request`] (sent with `key`) into the data model, or a
/// typed failure. Success needs a 200 whose JSON object names the requested OID, a name and
/// a type. Every text from the answer is capped and has `key` removed.
pub fn interpret_replace_answer(
    target: &DataModelTarget,
    key: &TreasureKey,
    exchange: Exchange,
) -> Result<DataModelSummary, Failure> {
    let host = target.region.api_host();
    let response = exchange.map_err(|failure| Failure::from_transport(host, failure, true))?;
    let body = JsonBody::of(&response);
    let status = response.status;
    let oid = target.oid.as_str();
    let sent = key.secret();
    match status {
        200 => summary_from(target, &body, sent).ok_or_else(|| unexpected_success(&body, oid, sent)),
        _ => Err(refusal(status, &body, TreasureCall::Replace(target), sent)),
    }
}

/// Which Treasure call an answer belongs to: the advice in a refusal differs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TreasureCall<'a> {
    /// The key replacement (PUT), for the data model.
    Replace(&'a DataModelTarget),
    /// The account's data model list, in the region.
    List(Region),
    /// A data model's builds.
    Builds(&'a DataModelTarget),
}

/// The typed failure for an answer other than 200, shared by every Treasure call; `sent` is
/// the key the request carried, removed from any text of the server's that is shown.
pub(crate) fn refusal(status: u16, body: &JsonBody<DataModelAnswer>, call: TreasureCall, sent: &Secret) -> Failure {
    let nothing_changed = match call {
        TreasureCall::Replace(_) => "The key was not replaced.",
        TreasureCall::List(_) | TreasureCall::Builds(_) => "Nothing was changed.",
    };
    match status {
        401 => Failure::with_status(
            ErrorCode::Unauthorized,
            status,
            "Treasure refused the API key (401): it is wrong, revoked or expired. Copy a current Master key \
             from the API Keys page of the Treasure Console and try again.",
        ),
        403 => Failure::with_status(
            ErrorCode::Forbidden,
            status,
            format!(
                "This key may not {} (403). A Write-only key cannot do this: use a Master API key of a user who can \
                 edit data models.",
                match call {
                    TreasureCall::Replace(_) => "change the data model",
                    TreasureCall::List(_) => "list the account's data models",
                    TreasureCall::Builds(_) => "read the data model's builds",
                }
            ),
        ),
        404 => Failure::with_status(
            ErrorCode::NotFound,
            status,
            match call {
                TreasureCall::Replace(target) | TreasureCall::Builds(target) => format!(
                    "There is no data model {} in the {} region (404). Check that the region matches the console \
                     the data model lives in, and that the OID is complete.",
                    target.oid.as_str(),
                    target.region.label()
                ),
                TreasureCall::List(region) => format!(
                    "The {} region answered that it has no data model list (404). Check that the region is the one \
                     your account lives in.",
                    region.label()
                ),
            },
        ),
        429 => Failure::with_status(
            ErrorCode::ClientError,
            status,
            format!("Treasure asks Keyturn to slow down (429). {nothing_changed} Wait a minute, then try again."),
        ),
        400..=499 => Failure::with_status(
            ErrorCode::ClientError,
            status,
            format!("Treasure refused the request ({status}{}). {nothing_changed}", server_says(body, sent)),
        ),
        500..=599 => Failure::with_status(
            ErrorCode::ServerError,
            status,
            match call {
                TreasureCall::Replace(_) => format!(
                    "Treasure had a server error ({status}, {}). The key was probably not replaced; replacing it again \
                     is safe, so try again in a few minutes.",
                    body.describe()
                ),
                _ => format!(
                    "Treasure had a server error ({status}, {}). Reading is safe to repeat: try again in a few minutes.",
                    body.describe()
                ),
            },
        ),
        _ => Failure::with_status(
            ErrorCode::UnexpectedResponse,
            status,
            format!(
                "Treasure answered with an unexpected status ({status}). Open the data model in the Treasure Console \
                 and build it to check whether the key works."
            ),
        ),
    }
}

fn summary_from(target: &DataModelTarget, body: &JsonBody<DataModelAnswer>, sent: &Secret) -> Option<DataModelSummary> {
    let answer = body.object()?;
    if !answer.oid.as_deref()?.eq_ignore_ascii_case(target.oid.as_str()) {
        return None;
    }
    Some(DataModelSummary {
        oid: target.oid.as_str().to_string(),
        name: server_text(answer.name.as_deref()?, MAX_NAME_CHARS, sent),
        kind: server_text(answer.kind.as_deref()?, MAX_TYPE_CHARS, sent),
    })
}

fn unexpected_success(body: &JsonBody<DataModelAnswer>, oid: &str, sent: &Secret) -> Failure {
    let what = match body {
        JsonBody::Object(answer) => match answer.oid.as_deref() {
            Some(other) if !other.eq_ignore_ascii_case(oid) => {
                format!("a different data model ({})", server_text(other, 40, sent))
            }
            _ => "a data model without its oid, name or type".to_string(),
        },
        other => other.describe().to_string(),
    };
    Failure::with_status(
        ErrorCode::UnexpectedResponse,
        200,
        format!(
            "Unexpected response: Treasure answered 200 but with {what}, so Keyturn cannot confirm that data model \
             {oid} got the new key. Open it in the Treasure Console and build it to check."
        ),
    )
}

/// ": <message>" from a JSON error body, if the server gave one (capped, `sent` removed).
pub(crate) fn server_says(body: &JsonBody<DataModelAnswer>, sent: &Secret) -> String {
    body.object()
        .and_then(|answer| answer.message.as_deref().or(answer.error.as_deref()))
        .map(|text| format!(": {}", server_text(text, 160, sent)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, TransportFailure};
    use crate::treasure::parse_console_url;
    use serde_json::json;

    const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";
    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    fn target(region: &str) -> DataModelTarget {
        parse_console_url(&format!("https://{region}/app/admin/datamodels/{OID}")).unwrap()
    }

    fn key() -> TreasureKey {
        TreasureKey::parse(KEY).unwrap()
    }

    fn answer(status: u16, body: &str) -> Result<DataModelSummary, Failure> {
        interpret_replace_answer(
            &target("console.treasuredata.com"),
            &key(),
            Ok(ApiResponse { status, content_type: Some("application/json".into()), body: body.into() }),
        )
    }

    fn code(status: u16, body: &str) -> ErrorCode {
        answer(status, body).unwrap_err().code
    }

    #[test]
    fn builds_the_documented_request_for_each_region() {
        let key = TreasureKey::parse(KEY).unwrap();
        for (console, api) in [
            ("console.treasuredata.com", "api.treasuredata.com"),
            ("console.eu01.treasuredata.com", "api.eu01.treasuredata.com"),
            ("console.ap02.treasuredata.com", "api.ap02.treasuredata.com"),
            ("console.treasuredata.co.jp", "api.treasuredata.co.jp"),
        ] {
            let request = replace_key_request(&target(console), &key);
            assert_eq!((request.method, request.method.as_str()), (Method::Put, "PUT"));
            assert_eq!(request.url, format!("https://{api}/reporting/datamodels/{OID}"));
            assert_eq!(request.header("authorization"), Some(format!("TD1 {KEY}").as_str()));
            assert_eq!(request.header("content-type"), Some("application/json"));
            let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
            assert_eq!(body, json!({"datamodel": {"apikey": KEY}}));
        }
    }

    #[test]
    fn a_matching_200_is_the_only_success() {
        let summary =
            answer(200, &format!(r#"{{"oid":"{OID}","name":"sales","type":"elasticube","relations":[]}}"#)).unwrap();
        assert_eq!(summary, DataModelSummary { oid: OID.into(), name: "sales".into(), kind: "elasticube".into() });
        assert!(answer(200, &format!(r#"{{"oid":"{}","name":"s","type":"t"}}"#, OID.to_uppercase())).is_ok());
        // Fuzzing regression: a number beyond a double's range elsewhere in the answer is still
        // JSON (JSON.parse reads it as Infinity), so it does not hide the data model.
        let huge = format!(r#"{{"oid":"{OID}","name":"sales","type":"t","relations":[973e+968],"n":-1e400}}"#);
        assert_eq!(answer(200, &huge).unwrap().name, "sales");
        // Unknown fields are ignored; a repeated field makes the answer ambiguous, so it is refused.
        assert!(answer(200, &format!(r#"{{"oid":"{OID}","name":"s","type":"t","owner":{{"id":1}}}}"#)).is_ok());
        let twice = format!(r#"{{"oid":"{OID}","name":"s","type":"t","oid":"00000000-0000-0000-0000-000000000000"}}"#);
        assert_eq!(code(200, &twice), ErrorCode::UnexpectedResponse);
    }

    #[test]
    fn a_200_that_does_not_prove_success_is_unexpected() {
        for body in [
            r#"{"oid":"00000000-0000-0000-0000-000000000000","name":"other","type":"elasticube"}"#,
            r#"{"name":"sales","type":"elasticube"}"#,
            &format!(r#"{{"oid":"{OID}"}}"#),
            &format!(r#"{{"oid":"{OID}","name":1,"type":"t"}}"#),
            r#"{"oid": "93d3"#,
            "<html><body>Sign in</body></html>",
            "",
            "[]",
        ] {
            let failure = answer(200, body).unwrap_err();
            assert_eq!(failure.code, ErrorCode::UnexpectedResponse, "{body}");
            assert!(failure.message.starts_with("Unexpected response"), "{}", failure.message);
        }
        assert!(answer(200, r#"{"oid":"00000000-0000-0000-0000-000000000000","name":"o","type":"t"}"#)
            .unwrap_err()
            .message
            .contains("a different data model (00000000-0000-0000-0000-000000000000)"));
        let incomplete = answer(200, &format!(r#"{{"oid":"{}"}}"#, OID.to_uppercase())).unwrap_err().message;
        assert!(incomplete.contains("but with a data model without its oid, name or type"), "{incomplete}");
    }

    #[test]
    fn statuses_map_to_their_codes_and_advice() {
        assert_eq!(code(401, r#"{"error":"unauthorized"}"#), ErrorCode::Unauthorized);
        let forbidden = answer(403, "{}").unwrap_err();
        assert_eq!(forbidden.code, ErrorCode::Forbidden);
        assert!(forbidden.message.contains("Write-only") && forbidden.message.contains("Master"));
        let missing = answer(404, "{}").unwrap_err();
        assert_eq!(missing.code, ErrorCode::NotFound);
        assert!(missing.message.contains("US region") && missing.message.contains(OID));
        assert_eq!(code(409, "{}"), ErrorCode::ClientError);
        assert!(answer(429, "").unwrap_err().message.contains("slow down"));
        assert!(answer(422, r#"{"message":"apikey is invalid"}"#).unwrap_err().message.contains("apikey is invalid"));
        assert_eq!(code(500, "{}"), ErrorCode::ServerError);
        let server = answer(500, "{}").unwrap_err().message;
        assert!(server.contains("replacing it again is safe") && !server.contains("Reading"), "{server}");
        let html = answer(502, "<html><h1>502 Bad Gateway</h1></html>").unwrap_err();
        assert_eq!((html.code, html.status), (ErrorCode::ServerError, Some(502)));
        assert!(html.message.contains("HTML page"));
        assert_eq!(code(204, ""), ErrorCode::UnexpectedResponse);
        assert_eq!(code(302, ""), ErrorCode::UnexpectedResponse);
    }

    #[test]
    fn transport_failures_say_what_to_do() {
        let t = target("console.eu01.treasuredata.com");
        let timeout = interpret_replace_answer(&t, &key(), Err(TransportFailure::Timeout)).unwrap_err();
        assert_eq!(timeout.code, ErrorCode::Timeout);
        assert!(timeout.message.contains("api.eu01.treasuredata.com"));
        assert_eq!(
            interpret_replace_answer(&t, &key(), Err(TransportFailure::Network)).unwrap_err().code,
            ErrorCode::NetworkError
        );
        assert_eq!(
            interpret_replace_answer(&t, &key(), Err(TransportFailure::Redirected)).unwrap_err().code,
            ErrorCode::Redirected
        );
        let huge = interpret_replace_answer(&t, &key(), Err(TransportFailure::TooLarge)).unwrap_err();
        assert_eq!(huge.code, ErrorCode::UnexpectedResponse);
        assert!(huge.message.contains("more than 2 MB") && huge.message.contains("not confirmed"));
    }

    #[test]
    fn failures_say_whether_a_request_went_out() {
        assert!(answer(404, "{}").unwrap_err().request_sent);
        assert!(answer(200, "").unwrap_err().request_sent);
        assert!(
            interpret_replace_answer(&target("console.treasuredata.com"), &key(), Err(TransportFailure::Timeout))
                .unwrap_err()
                .request_sent
        );
        assert!(!TreasureKey::parse("").unwrap_err().request_sent);
        assert!(!parse_console_url("http://x").unwrap_err().request_sent);
    }

    #[test]
    fn names_and_types_are_capped_and_never_hold_the_key() {
        let long = "n".repeat(5_000);
        let summary = answer(200, &format!(r#"{{"oid":"{OID}","name":"{long}","type":"{long}"}}"#)).unwrap();
        assert_eq!(summary.name.chars().count(), MAX_NAME_CHARS + 1, "cut, with an ellipsis");
        assert_eq!(summary.kind.chars().count(), MAX_TYPE_CHARS + 1);
        // Escaped in JSON (`\/`, upper case): still the key once read, and still removed.
        let echoed = KEY.replace('/', "\\/").to_uppercase();
        let summary = answer(200, &format!(r#"{{"oid":"{OID}","name":"sales {echoed}","type":"t {KEY}"}}"#)).unwrap();
        assert_eq!((summary.name.as_str(), summary.kind.as_str()), ("sales [key removed]", "t [key removed]"));
        let other = answer(200, &format!(r#"{{"oid":"{KEY}","name":"n","type":"t"}}"#)).unwrap_err();
        assert!(other.message.contains("a different data model ([key removed])"), "{}", other.message);
        let refused = answer(400, &format!(r#"{{"message":"invalid apikey {KEY} {long}"}}"#)).unwrap_err();
        assert!(refused.message.contains(": invalid apikey [key removed] nnn"), "{}", refused.message);
        assert!(refused.message.len() < 400, "{}", refused.message.len());
        let refused = answer(400, &format!(r#"{{"error":"{KEY}"}}"#)).unwrap_err();
        assert!(refused.message.contains("(400: [key removed])"), "{}", refused.message);
    }

    #[test]
    fn no_failure_message_contains_the_key() {
        for status in [200, 400, 401, 403, 404, 500, 502] {
            if let Err(failure) = answer(status, &format!(r#"{{"message":"bad","apikey":"{KEY}"}}"#)) {
                assert!(!failure.message.contains("0123456789abcdef"), "{status}: {}", failure.message);
            }
        }
    }
}
