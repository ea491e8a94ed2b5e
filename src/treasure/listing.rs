//! The account's data models: `GET https://<api host>/reporting/datamodels` with the
//! Master key (Treasure's "Get a list of the account's Insights models"; its body is not
//! documented). Treasure's own code reads the answer as a JSON array of objects with
//! `oid`, `name`, `created_by`, `updated_by`, `last_updated`, `last_built`, `status` and
//! `created_at` (treasure-insights-api.md), so that is the answer Keyturn expects: no query
//! parameters, no paging. It keeps what the bulk page shows (`oid`, `name`, `created_by`,
//! `updated_by`, `last_built`) and reads no other field: a field not kept is one server
//! text fewer to clean and store, thousands of times per load.
//!
//! Loading never changes anything. An element without a usable `oid` (a UUID) or `name`
//! is counted and listed as skipped, with why, and can never be sent a request.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

use crate::failure::{ErrorCode, Failure};
use crate::http::{ApiRequest, Exchange, JsonBody, Method};
use crate::input::{is_uuid, server_text, Secret};
use crate::treasure::api_key::TreasureKey;
use crate::treasure::datamodel::{refusal, DataModelAnswer, TreasureCall, MAX_NAME_CHARS};
use crate::treasure::region::Region;

/// The request for the account's data models in `region`.
pub fn list_request(region: Region, key: &TreasureKey) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url: format!("https://{}/reporting/datamodels", region.api_host()),
        headers: vec![("Authorization", format!("TD1 {}", key.expose())), ("Accept", "application/json".to_string())],
        body: None,
    }
}

/// One data model of the list, as the bulk page shows it. The optional fields are shown as
/// text: their formats are not documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ListedModel {
    /// The region's id.
    pub region: &'static str,
    /// The OID, lower case (a UUID).
    pub oid: String,
    /// The data model's name.
    pub name: String,
    /// Who created it, when the answer says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who last changed it, when the answer says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// When it last built, as the answer writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_built: Option<String>,
}

/// An element of the list that cannot be a data model to send to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SkippedElement {
    /// Its position in the answer, from 1.
    pub position: usize,
    /// Why it was skipped.
    pub why: String,
}

/// The account's data models in one region, and the elements skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelList {
    /// The data models, in the answer's order, each once.
    pub models: Vec<ListedModel>,
    /// The elements that were not data models Keyturn can address.
    pub skipped: Vec<SkippedElement>,
}

/// The fields Keyturn reads of an element; every one may be absent or of another type.
/// Each is borrowed from the answer's text as it stands (no copy per field of thousands of
/// elements) and read by [`text_of`] or [`shown_of`]; a raw value keeps a number beyond a
/// double's range from making the element unreadable.
#[derive(serde::Deserialize)]
struct Element<'a> {
    #[serde(default, borrow)]
    oid: Option<&'a RawValue>,
    #[serde(default, borrow)]
    name: Option<&'a RawValue>,
    #[serde(default, borrow)]
    created_by: Option<&'a RawValue>,
    #[serde(default, borrow)]
    updated_by: Option<&'a RawValue>,
    #[serde(default, borrow)]
    last_built: Option<&'a RawValue>,
}

/// A field read as text when it is a JSON string (anything else reads as absent, as
/// [`Text`](crate::http::Text) does). A string without escapes is its own text between the
/// quotes: the whole answer was read as JSON already, so its syntax holds.
fn text_of(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let json = raw?.get();
    let inner = json.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(json).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// A field shown as text whatever it is: a string as itself, a number or true/false as
/// written; anything else (null, an object, a list) as absent.
fn shown_of(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let json = raw?.get();
    match json.chars().next() {
        Some('"') => text_of(raw),
        Some('-' | '0'..='9' | 't' | 'f') => Some(Cow::Borrowed(json)),
        _ => None,
    }
}

/// The longest optional field (created by, last built, …) Keyturn keeps or shows.
pub(crate) const MAX_SHOWN_CHARS: usize = 120;

/// A field of [`shown_of`], capped and with the key it must not hold removed.
fn shown_capped(raw: Option<&RawValue>, sent: &Secret) -> Option<String> {
    shown_of(raw).map(|text| server_text(&text, MAX_SHOWN_CHARS, sent))
}

/// A UUID's 128 bits, read from its hexadecimal digits (either case; the dashes skipped).
fn uuid_bits(uuid: &str) -> u128 {
    uuid.bytes().filter_map(|digit| char::from(digit).to_digit(16)).fold(0, |bits, digit| bits * 16 + u128::from(digit))
}

/// Turns the answer to [`list_request`] (sent with `key`) into the region's data models, or
/// a typed failure. Every text from the answer is capped and has `key` removed.
pub fn interpret_list_answer(region: Region, key: &TreasureKey, exchange: Exchange) -> Result<ModelList, Failure> {
    let sent = key.secret();
    let response = exchange.map_err(|failure| Failure::from_transport(region.api_host(), failure, true))?;
    if response.status != 200 {
        let body = JsonBody::<DataModelAnswer>::of(&response);
        return Err(refusal(response.status, &body, TreasureCall::List(region), sent));
    }
    let text = response.body.trim_start_matches('\u{feff}').trim();
    let elements: Vec<&RawValue> = match text.starts_with('[').then(|| serde_json::from_str(text)) {
        Some(Ok(elements)) => elements,
        _ => {
            let what = JsonBody::<serde::de::IgnoredAny>::of(&response);
            let what = match what {
                JsonBody::Object(_) => "a JSON object instead of a list",
                other => other.describe(),
            };
            return Err(Failure::with_status(
                ErrorCode::UnexpectedResponse,
                200,
                format!(
                    "Unexpected response: Treasure answered the data model list of the {} region with {what}. Nothing \
                     was changed; try again later, or paste the data models' console addresses instead.",
                    region.label()
                ),
            ));
        }
    };
    let mut list = ModelList { models: Vec::with_capacity(elements.len()), skipped: Vec::new() };
    // OIDs already listed: a set, since an account may have thousands of data models, of
    // each UUID's 128 bits (no copy of its text).
    let mut seen: HashSet<u128> = HashSet::with_capacity(elements.len());
    for (index, raw) in elements.iter().enumerate() {
        let position = index + 1;
        let skip = |why: &str| SkippedElement { position, why: why.to_string() };
        let element = match raw.get().starts_with('{').then(|| serde_json::from_str::<Element>(raw.get())) {
            Some(Ok(element)) => element,
            _ => {
                list.skipped.push(skip("not an object"));
                continue;
            }
        };
        let oid = match text_of(element.oid) {
            Some(oid) if is_uuid(&oid) => oid.to_ascii_lowercase(),
            Some(_) => {
                list.skipped.push(skip("its oid is not a UUID"));
                continue;
            }
            None => {
                list.skipped.push(skip("no oid"));
                continue;
            }
        };
        let Some(name) = text_of(element.name).filter(|name| !name.trim().is_empty()) else {
            list.skipped.push(skip("no name"));
            continue;
        };
        if !seen.insert(uuid_bits(&oid)) {
            list.skipped.push(skip("a duplicate of an earlier element"));
            continue;
        }
        list.models.push(ListedModel {
            region: region.info().id,
            oid,
            name: server_text(&name, MAX_NAME_CHARS, sent),
            created_by: shown_capped(element.created_by, sent),
            updated_by: shown_capped(element.updated_by, sent),
            last_built: shown_capped(element.last_built, sent),
        });
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, TransportFailure};
    use serde_json::json;

    fn answer(status: u16, body: &str) -> Result<ModelList, Failure> {
        interpret_list_answer(Region::Eu01, &key(), Ok(ApiResponse { status, content_type: None, body: body.into() }))
    }

    fn key() -> TreasureKey {
        TreasureKey::parse(KEY).unwrap()
    }

    fn oid(n: usize) -> String {
        format!("93d34997-1b2c-4d5e-8f90-{n:012}")
    }

    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn every_text_is_capped_and_never_holds_the_key() {
        let long = "z".repeat(3_000);
        let body = json!([{"oid": oid(1), "name": format!("{KEY} {long}"), "created_by": format!("{long}{KEY}"),
            "updated_by": KEY.to_uppercase(), "last_updated": long, "last_built": KEY, "status": long, "created_at": long}]);
        let model = answer(200, &body.to_string()).unwrap().models.remove(0);
        assert!(model.name.starts_with("[key removed] zzz") && model.name.chars().count() == MAX_NAME_CHARS + 1);
        assert_eq!(model.created_by.as_deref().unwrap().chars().count(), MAX_SHOWN_CHARS + 1);
        assert_eq!(model.updated_by.as_deref(), Some("[key removed]"));
        assert_eq!(model.last_built.as_deref(), Some("[key removed]"));
        assert!(!serde_json::to_string(&model).unwrap().contains("0123456789abcdef"));
        let refused = answer(400, &format!(r#"{{"message":"no {KEY}"}}"#)).unwrap_err();
        assert!(refused.message.contains(": no [key removed]"), "{}", refused.message);
    }

    #[test]
    fn builds_the_documented_request() {
        let key = TreasureKey::parse(KEY).unwrap();
        let request = list_request(Region::Tokyo, &key);
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.url, "https://api.treasuredata.co.jp/reporting/datamodels", "no query parameters");
        assert_eq!(request.header("authorization"), Some("TD1 1234/0123456789abcdef0123456789abcdef01234567"));
        assert_eq!(request.body, None);
    }

    #[test]
    fn reads_the_models_and_shows_the_optional_fields_as_text() {
        // Written by hand: no JSON library writes a number beyond a double's range (`size`).
        let body = format!(
            r#"[{{"oid": "{}", "name": "sales", "created_by": "ann@example.com", "updated_by": 42,
                 "last_updated": "2026-11-01 10:00:00 UTC", "last_built": 1795600000, "status": "built",
                 "created_at": null, "relations": [{{"x": 1}}], "size": 1e999}}]"#,
            oid(1).to_uppercase()
        );
        let list = answer(200, &body).unwrap();
        assert_eq!(list.skipped, []);
        let model = &list.models[0];
        assert_eq!((model.region, model.oid.as_str(), model.name.as_str()), ("eu01", oid(1).as_str(), "sales"));
        assert_eq!(model.created_by.as_deref(), Some("ann@example.com"));
        assert_eq!(model.updated_by.as_deref(), Some("42"));
        assert_eq!(model.last_built.as_deref(), Some("1795600000"));
        assert_eq!(answer(200, "[]").unwrap(), ModelList { models: vec![], skipped: vec![] });
    }

    #[test]
    fn escaped_strings_read_as_their_text_and_plain_ones_as_written() {
        let body = format!(
            r#"[{{"oid": "{}", "name": "sa\"les \u00e9\\", "created_by": "ann\n@example.com", "updated_by": true,
                 "last_built": -1.50}}]"#,
            oid(1)
        );
        let model = &answer(200, &body).unwrap().models[0];
        assert_eq!(model.name, "sa\"les é\\");
        // A control character read from an escape is shown as a space, as every server text is.
        assert_eq!(model.created_by.as_deref(), Some("ann @example.com"));
        assert_eq!(model.updated_by.as_deref(), Some("true"));
        assert_eq!(model.last_built.as_deref(), Some("-1.50"));
    }

    #[test]
    fn elements_without_a_usable_oid_or_name_are_skipped_with_why() {
        let body = json!([
            {"oid": oid(1), "name": "ok"},
            {"name": "no oid"},
            {"oid": "../../etc", "name": "path"},
            {"oid": oid(2)},
            {"oid": oid(3), "name": "  "},
            {"oid": oid(1), "name": "again"},
            "a string",
            {"oid": 7, "name": "number"},
        ]);
        let list = answer(200, &body.to_string()).unwrap();
        assert_eq!(list.models.len(), 1);
        let skipped: Vec<(usize, &str)> = list.skipped.iter().map(|s| (s.position, s.why.as_str())).collect();
        assert_eq!(
            skipped,
            [
                (2, "no oid"),
                (3, "its oid is not a UUID"),
                (4, "no name"),
                (5, "no name"),
                (6, "a duplicate of an earlier element"),
                (7, "not an object"),
                (8, "no oid"),
            ]
        );
    }

    #[test]
    fn five_thousand_models_load() {
        let models: Vec<_> = (0..5000)
            .map(|n| json!({"oid": oid(n), "name": format!("model_{n}"), "created_by": "ann", "last_built": "2026-11-01"}))
            .collect();
        let body = serde_json::to_string(&models).unwrap();
        assert!(body.len() < crate::http::MAX_ANSWER_BYTES);
        assert_eq!(answer(200, &body).unwrap().models.len(), 5000);
    }

    #[test]
    fn other_bodies_and_statuses_are_typed_failures() {
        for body in ["{}", r#"{"datamodels":[]}"#, "<html>Sign in</html>", "", "[1,"] {
            let failure = answer(200, body).unwrap_err();
            assert_eq!(failure.code, ErrorCode::UnexpectedResponse, "{body}");
            assert!(failure.message.contains("data model list of the EU01 region"), "{}", failure.message);
        }
        assert!(answer(200, "{}").unwrap_err().message.contains("object instead of a list"));
        assert_eq!(answer(401, "{}").unwrap_err().code, ErrorCode::Unauthorized);
        let forbidden = answer(403, "{}").unwrap_err();
        assert!(
            forbidden.message.contains("list the account's data models") && forbidden.message.contains("Write-only")
        );
        assert!(answer(404, "{}").unwrap_err().message.contains("no data model list"));
        assert!(answer(429, "").unwrap_err().message.contains("slow down"));
        assert_eq!(answer(502, "<html>").unwrap_err().code, ErrorCode::ServerError);
        let big = interpret_list_answer(Region::Us, &key(), Err(TransportFailure::TooLarge)).unwrap_err();
        assert!(big.message.contains("more than 2 MB"));
    }
}
