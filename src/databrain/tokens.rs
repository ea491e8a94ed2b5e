//! The service-token path (databrain-api.md), for when the current key is lost or expired:
//! list a data app's API keys (paginated) and create a new one.

use serde::{Deserialize, Serialize};

use crate::databrain::credentials::{DataAppKey, ServiceToken};
use crate::databrain::endpoint::ApiOrigin;
use crate::databrain::errors::{databrain_failure, Operation};
use crate::databrain::recovery::recovery_order;
use crate::databrain::rotate::{new_key_from, NewKey};
use crate::failure::{ErrorCode, Failure};
use crate::http::{json_body, ApiRequest, Exchange, JsonBody, Method, Text};
use crate::input::server_text;
use crate::timestamps::timestamp_ms;
use crate::url::encode_query_value;

/// Databrain's page size when `isPagination=true`.
pub const PAGE_SIZE: usize = 10;
/// A bound on pages followed, so a server that ignores `pageNumber` cannot loop us forever.
pub const MAX_PAGES: u32 = 100;

fn bounded_text(raw: &str, code: ErrorCode, what: &str) -> Result<String, Failure> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
        return Err(Failure::new(code, format!("Enter the {what} (at most 200 characters, on one line).")));
    }
    Ok(text.to_string())
}

/// A data app's exact name, as Databrain matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataAppName(String);

impl DataAppName {
    /// Reads a data app's exact name (trimmed, one line, at most 200 characters).
    pub fn parse(raw: &str) -> Result<DataAppName, Failure> {
        bounded_text(raw, ErrorCode::InvalidDataAppName, "data app's exact name").map(DataAppName)
    }
}

/// The label of a new key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLabel(String);

impl KeyLabel {
    /// Reads a new key's label (trimmed, one line, at most 200 characters).
    pub fn parse(raw: &str) -> Result<KeyLabel, Failure> {
        bounded_text(raw, ErrorCode::InvalidLabel, "new key's label").map(KeyLabel)
    }
}

fn bearer(token: &ServiceToken) -> (&'static str, String) {
    ("Authorization", format!("Bearer {}", token.expose()))
}

/// Pages are numbered from 1.
pub fn list_page_request(origin: &ApiOrigin, token: &ServiceToken, app: &DataAppName, page: u32) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url: origin.url(&format!(
            "/api/v2/data-app/api-tokens?dataAppName={}&isPagination=true&pageNumber={page}",
            encode_query_value(&app.0)
        )),
        headers: vec![bearer(token)],
        body: None,
    }
}

/// The creation's body: `{"dataAppName": "<exact name>", "name": "<label>"}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenBody<'a> {
    data_app_name: &'a str,
    name: &'a str,
}

/// A page of the listing: `{"data": [{"key", "name", "description", "createdAt"}]}`.
/// `data` is required; an entry must be an object (its fields are checked below).
#[derive(Deserialize)]
struct ListAnswer {
    data: Vec<ListedEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListedEntry {
    #[serde(default)]
    key: Text,
    #[serde(default)]
    name: Text,
    #[serde(default)]
    description: Text,
    #[serde(default)]
    created_at: Text,
}

/// The request that creates a key for the data app `app`, labelled `label`.
pub fn create_token_request(
    origin: &ApiOrigin,
    token: &ServiceToken,
    app: &DataAppName,
    label: &KeyLabel,
) -> ApiRequest {
    ApiRequest {
        method: Method::Post,
        url: origin.url("/api/v2/data-app/api-tokens"),
        headers: vec![bearer(token), ("Content-Type", "application/json".to_string())],
        body: json_body(&CreateTokenBody { data_app_name: &app.0, name: &label.0 }),
    }
}

/// One listed key; only its last four characters are ever shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedKey {
    /// The key itself, which stays in the core.
    pub key: DataAppKey,
    /// Its label.
    pub name: String,
    /// Its description, when it has one.
    pub description: Option<String>,
    /// When it was created, as Databrain wrote it.
    pub created_at: Option<String>,
}

/// What the page shows of a listed key: no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ListedKeyView {
    /// The key's label.
    pub name: String,
    /// Its description, when it has one.
    pub description: Option<String>,
    /// When it was created, as Databrain wrote it.
    pub created_at: Option<String>,
    /// `••••` and its last four characters.
    pub masked_key: String,
    /// Created since the attempt whose key is being recovered (see [`arrange_for_recovery`]).
    pub since_attempt: bool,
}

impl ListedKey {
    /// What the page may see of this key.
    pub fn view(&self) -> ListedKeyView {
        ListedKeyView {
            name: self.name.clone(),
            description: self.description.clone(),
            created_at: self.created_at.clone(),
            masked_key: self.key.masked(),
            since_attempt: false,
        }
    }

    /// `createdAt` in milliseconds since the epoch, when it is a readable timestamp.
    pub fn created_ms(&self) -> Option<u64> {
        self.created_at.as_deref().and_then(timestamp_ms)
    }
}

/// The listed keys in the order a recovery shows them, each with its view marked when it
/// was created since `since` (see [`recovery_order`]).
pub fn arrange_for_recovery(keys: Vec<ListedKey>, since: u64) -> Vec<(ListedKey, ListedKeyView)> {
    let created: Vec<Option<u64>> = keys.iter().map(ListedKey::created_ms).collect();
    let mut slots: Vec<Option<ListedKey>> = keys.into_iter().map(Some).collect();
    recovery_order(&created, since)
        .into_iter()
        .filter_map(|(index, since_attempt)| {
            let key = slots.get_mut(index)?.take()?;
            let view = ListedKeyView { since_attempt, ..key.view() };
            Some((key, view))
        })
        .collect()
}

/// One page of a listing.
pub type ListPage = Vec<ListedKey>;

/// A listing page's keys, or a typed failure (an unexpected shape included). Its texts are
/// capped and have `token` (the credential the page was asked with) removed.
pub fn interpret_list_page(origin: &ApiOrigin, token: &ServiceToken, exchange: Exchange) -> Result<ListPage, Failure> {
    let response = exchange.map_err(|failure| Failure::from_transport(origin.host(), failure, true))?;
    if response.status != 200 {
        return Err(databrain_failure(&response, Operation::ListKeys, token.secret()));
    }
    let unexpected = |what: &str| {
        Failure::with_status(
            ErrorCode::UnexpectedResponse,
            200,
            format!("Unexpected response: Databrain answered the key list with {what}. Nothing was changed; try again later."),
        )
    };
    let body = JsonBody::<ListAnswer>::of(&response);
    let JsonBody::Object(answer) = body else {
        // An object that is not a listing (no `data` array of objects) reads as `Other`.
        let what = if response.body.trim_start().starts_with('{') { "no list of key entries" } else { body.describe() };
        return Err(unexpected(what));
    };
    answer
        .data
        .into_iter()
        .map(|entry| {
            let key = entry
                .key
                .as_deref()
                .and_then(|k| DataAppKey::parse(k).ok())
                .ok_or_else(|| unexpected("an entry without a valid key"))?;
            let text = |field: Text| field.0.map(|t| server_text(&t, 200, token.secret()));
            Ok(ListedKey {
                key,
                name: text(entry.name).unwrap_or_default(),
                description: text(entry.description),
                created_at: text(entry.created_at),
            })
        })
        .collect()
}

/// Collects pages until the last one; stops early when a page only repeats keys already
/// seen (a server that ignores `pageNumber`) or after [`MAX_PAGES`].
#[derive(Debug, Default)]
pub struct KeyListing {
    /// The keys collected so far, each once, in the listing's order.
    pub keys: Vec<ListedKey>,
    pages: u32,
}

impl KeyListing {
    /// Adds a page; returns the next page number to fetch, or `None` when done.
    pub fn add_page(&mut self, page: ListPage) -> Option<u32> {
        self.pages += 1;
        let full = page.len() >= PAGE_SIZE;
        let before = self.keys.len();
        for entry in page {
            if !self.keys.iter().any(|known| known.key == entry.key) {
                self.keys.push(entry);
            }
        }
        let new_keys = self.keys.len() > before;
        (full && new_keys && self.pages < MAX_PAGES).then_some(self.pages + 1)
    }
}

/// The new key from a creation's answer (asked for with `token`), or a typed failure (its
/// outcome unknown when the connection failed).
pub fn interpret_create_answer(
    origin: &ApiOrigin,
    token: &ServiceToken,
    exchange: Exchange,
) -> Result<NewKey, Failure> {
    new_key_from(origin, exchange, Operation::CreateKey, token.secret())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, TransportFailure};
    use serde_json::{json, Value};

    fn token() -> ServiceToken {
        ServiceToken::parse("st_0123456789abcdef").unwrap()
    }

    fn ok(body: String) -> Exchange {
        Ok(ApiResponse { status: 200, content_type: None, body })
    }

    fn page(from: usize, count: usize) -> String {
        let items: Vec<Value> = (from..from + count)
            .map(|i| json!({"key": format!("550e8400-e29b-41d4-a716-{i:012}"), "name": format!("key {i}"), "createdAt": "2026-01-01T00:00:00Z"}))
            .collect();
        json!({ "data": items }).to_string()
    }

    #[test]
    fn builds_list_and_create_requests() {
        let app = DataAppName::parse(" Sales & Ops ").unwrap();
        let list = list_page_request(&ApiOrigin::cloud(), &token(), &app, 2);
        assert_eq!((list.method, list.method.as_str()), (Method::Get, "GET"));
        assert_eq!(list.url, "https://api.usedatabrain.com/api/v2/data-app/api-tokens?dataAppName=Sales%20%26%20Ops&isPagination=true&pageNumber=2");
        assert_eq!(list.header("authorization"), Some("Bearer st_0123456789abcdef"));
        assert_eq!(list.body, None);
        let create =
            create_token_request(&ApiOrigin::cloud(), &token(), &app, &KeyLabel::parse("rotated by Keyturn").unwrap());
        assert_eq!(create.url, "https://api.usedatabrain.com/api/v2/data-app/api-tokens");
        assert_eq!(create.body.as_deref(), Some(r#"{"dataAppName":"Sales & Ops","name":"rotated by Keyturn"}"#));
        assert_eq!(create.header("content-type"), Some("application/json"));
    }

    #[test]
    fn refuses_empty_or_multi_line_names() {
        assert_eq!(DataAppName::parse("  ").unwrap_err().code, ErrorCode::InvalidDataAppName);
        assert_eq!(DataAppName::parse("a\nb").unwrap_err().code, ErrorCode::InvalidDataAppName);
        assert_eq!(KeyLabel::parse(&"x".repeat(201)).unwrap_err().code, ErrorCode::InvalidLabel);
        assert!(KeyLabel::parse(&"x".repeat(200)).is_ok() && DataAppName::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn lists_keys_masked_and_follows_pages_to_the_end() {
        let mut listing = KeyListing::default();
        assert_eq!(
            listing.add_page(interpret_list_page(&ApiOrigin::cloud(), &token(), ok(page(0, 10))).unwrap()),
            Some(2)
        );
        assert_eq!(
            listing.add_page(interpret_list_page(&ApiOrigin::cloud(), &token(), ok(page(10, 10))).unwrap()),
            Some(3)
        );
        assert_eq!(
            listing.add_page(interpret_list_page(&ApiOrigin::cloud(), &token(), ok(page(20, 3))).unwrap()),
            None
        );
        assert_eq!(listing.keys.len(), 23);
        let view = listing.keys[22].view();
        assert_eq!(view.masked_key, "••••0022");
        assert_eq!(view.name, "key 22");
        assert!(!serde_json::to_string(&view).unwrap().contains("550e8400"));
    }

    #[test]
    fn a_recovery_lists_the_keys_created_since_the_attempt_first_and_marks_them() {
        let body = json!({"data": [
            {"key": "550e8400-e29b-41d4-a716-000000000001", "name": "old", "createdAt": "2026-01-01T00:00:00Z"},
            {"key": "550e8400-e29b-41d4-a716-000000000002", "name": "no date"},
            {"key": "550e8400-e29b-41d4-a716-000000000003", "name": "new", "createdAt": "2026-11-25T09:47:00.000Z"},
            {"key": "550e8400-e29b-41d4-a716-000000000005", "name": "newer", "createdAt": "2026-11-25T09:48:00Z"},
            {"key": "550e8400-e29b-41d4-a716-000000000004", "name": "odd date", "createdAt": 1795600000000u64},
        ]});
        let keys = interpret_list_page(&ApiOrigin::cloud(), &token(), ok(body.to_string())).unwrap();
        let arranged = arrange_for_recovery(keys, 1_795_600_000_000);
        let shown: Vec<(&str, bool)> =
            arranged.iter().map(|(_, view)| (view.name.as_str(), view.since_attempt)).collect();
        assert_eq!(shown, [("newer", true), ("new", true), ("old", false), ("no date", false), ("odd date", false)]);
        assert_eq!(arranged[1].0.view().masked_key, "••••0003", "each view stays with its key");
    }

    #[test]
    fn stops_when_the_server_repeats_a_page_or_pages_never_end() {
        let mut listing = KeyListing::default();
        assert_eq!(
            listing.add_page(interpret_list_page(&ApiOrigin::cloud(), &token(), ok(page(0, 10))).unwrap()),
            Some(2)
        );
        assert_eq!(
            listing.add_page(interpret_list_page(&ApiOrigin::cloud(), &token(), ok(page(0, 10))).unwrap()),
            None
        );
        let mut endless = KeyListing::default();
        let mut fetched = 0;
        while endless
            .add_page(interpret_list_page(&ApiOrigin::cloud(), &token(), ok(page(fetched * 10, 10))).unwrap())
            .is_some()
        {
            fetched += 1;
        }
        assert_eq!(fetched as u32 + 1, MAX_PAGES);
    }

    #[test]
    fn listed_texts_are_capped_and_never_hold_the_token() {
        let long = "d".repeat(1_000);
        let body = json!({"data": [{"key": "550e8400-e29b-41d4-a716-000000000001", "name": "st_0123456789abcdef",
            "description": format!("{long} ST_0123456789ABCDEF"), "createdAt": long}]});
        let keys = interpret_list_page(&ApiOrigin::cloud(), &token(), ok(body.to_string())).unwrap();
        assert_eq!(keys[0].name, "[key removed]");
        assert_eq!(keys[0].description.as_deref().map(|d| d.chars().count()), Some(201));
        assert_eq!(keys[0].created_at.as_deref().map(|d| d.chars().count()), Some(201));
        let refused = Ok(ApiResponse {
            status: 400,
            content_type: None,
            body: r#"{"code":"X","message":"bad st_0123456789abcdef"}"#.into(),
        });
        let failure = interpret_list_page(&ApiOrigin::cloud(), &token(), refused).unwrap_err();
        assert!(failure.message.contains("X: bad [key removed]"), "{}", failure.message);
    }

    #[test]
    fn bad_list_answers_are_typed() {
        let code = |exchange: Exchange| interpret_list_page(&ApiOrigin::cloud(), &token(), exchange).unwrap_err().code;
        assert_eq!(code(ok("{}".into())), ErrorCode::UnexpectedResponse);
        assert_eq!(code(ok(r#"{"data":[{"name":"no key"}]}"#.into())), ErrorCode::UnexpectedResponse);
        assert_eq!(code(ok("<html>".into())), ErrorCode::UnexpectedResponse);
        assert_eq!(code(Err(TransportFailure::Network)), ErrorCode::NetworkError);
        let not_found = Ok(ApiResponse {
            status: 400,
            content_type: None,
            body: r#"{"error":{"code":"DATA_APP_NOT_FOUND"}}"#.into(),
        });
        assert_eq!(code(not_found), ErrorCode::DataAppNotFound);
    }

    #[test]
    fn creating_answers_like_rotation() {
        let created = interpret_create_answer(
            &ApiOrigin::cloud(),
            &token(),
            ok(r#"{"key":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}"#.into()),
        );
        assert_eq!(created.unwrap().key, "7c9e6679-7425-40de-944b-e07fc1f90ae7");
        let dropped =
            interpret_create_answer(&ApiOrigin::cloud(), &token(), Err(TransportFailure::Network)).unwrap_err();
        assert_eq!(dropped.code, ErrorCode::OutcomeUnknown);
        assert!(interpret_create_answer(&ApiOrigin::cloud(), &token(), ok("{}".into()))
            .unwrap_err()
            .message
            .contains("list the data app's keys"));
    }
}
