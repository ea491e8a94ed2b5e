//! Whether a data model has built with its new key. A replaced key is only proven once the
//! data model has built after the replacement (seed-000), so Keyturn reads
//! `GET https://<api host>/reporting/datamodels/<OID>/builds` (Treasure's "Get the Status of
//! a Build"). Keyturn never starts a build: no Treasure document describes that call.
//!
//! The statuses are documented (`pending`, `building`, `done`, `failed`, `canceled`); the
//! answer's field names are not. So the answer is read defensively: a JSON array of builds,
//! or an object holding one; a build is an object with one of those statuses, and its start
//! time is taken from the first recognisable timestamp field. Only a `done` build that
//! started after the replacement counts as "built with the new key"; an answer that cannot
//! be read that way is said to be unreadable, never a success.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::failure::Failure;
use crate::http::{ApiRequest, Exchange, JsonBody, Method, Text};
use crate::timestamps::timestamp_ms;
use crate::treasure::api_key::TreasureKey;
use crate::treasure::console_url::DataModelTarget;
use crate::treasure::datamodel::{refusal, DataModelAnswer, TreasureCall};

/// The documented build statuses.
pub const STATUSES: [&str; 5] = ["pending", "building", "done", "failed", "canceled"];

/// Timestamp fields a build may carry, the start first.
const TIME_FIELDS: [&str; 6] = ["started_at", "startedAt", "start_time", "created_at", "createdAt", "updated_at"];

/// The request for a data model's builds.
pub fn builds_request(target: &DataModelTarget, key: &TreasureKey) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        url: format!("https://{}/reporting/datamodels/{}/builds", target.region.api_host(), target.oid.as_str()),
        headers: vec![("Authorization", format!("TD1 {}", key.expose())), ("Accept", "application/json".to_string())],
        body: None,
    }
}

/// What the builds say about the key replaced at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum BuildVerdict {
    /// A `done` build started after the replacement: the new key works.
    BuiltWithNewKey,
    /// A build started after the replacement is `pending` or `building`: check again later.
    Building,
    /// The latest build after the replacement `failed`.
    FailedSinceReplacement,
    /// The latest build after the replacement was `canceled`.
    CanceledSinceReplacement,
    /// No build started after the replacement (there may be older ones).
    NotBuiltSince,
    /// The answer could not be read as builds with start times: nothing is claimed.
    Unreadable,
}

impl BuildVerdict {
    /// The verdict's name, as it crosses to the page and into the CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildVerdict::BuiltWithNewKey => "built_with_new_key",
            BuildVerdict::Building => "building",
            BuildVerdict::FailedSinceReplacement => "failed_since_replacement",
            BuildVerdict::CanceledSinceReplacement => "canceled_since_replacement",
            BuildVerdict::NotBuiltSince => "not_built_since",
            BuildVerdict::Unreadable => "unreadable",
        }
    }
}

/// The verdict, the build it rests on, and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct BuildCheck {
    /// What the builds say.
    pub verdict: BuildVerdict,
    /// The status of the build the verdict rests on, if any.
    pub status: Option<String>,
    /// When that build started, in milliseconds since the epoch, if known.
    pub started_at: Option<u64>,
    /// What it means and what to do, in English.
    pub message: String,
}

/// One build as far as Keyturn reads it. Every other field is ignored.
struct Build {
    status: &'static str,
    started_at: Option<u64>,
}

/// A JSON object's members, each kept raw: their values are skipped by syntax alone, so a
/// number no double holds cannot make a build unreadable.
fn raw_members(text: &str) -> Option<std::collections::BTreeMap<String, Box<RawValue>>> {
    text.starts_with('{').then(|| serde_json::from_str(text).ok()).flatten()
}

/// The answer's build entries, as raw JSON: the array itself, or an object's first array
/// member. `None` when the answer holds no array.
fn entries_in(text: &str) -> Option<Vec<Box<RawValue>>> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.starts_with('[') {
        return serde_json::from_str(text).ok();
    }
    let members = raw_members(text)?;
    let list = members.values().find(|value| value.get().starts_with('['))?;
    serde_json::from_str(list.get()).ok()
}

fn build_from(entry: &RawValue) -> Option<Build> {
    let fields = raw_members(entry.get())?;
    let text = |field: &str| fields.get(field).and_then(|raw| serde_json::from_str::<Text>(raw.get()).ok()?.0);
    let status = text("status")?.trim().to_ascii_lowercase();
    let status = STATUSES.into_iter().find(|known| *known == status)?;
    let started_at = TIME_FIELDS.iter().find_map(|field| text(field).as_deref().and_then(timestamp_ms));
    Some(Build { status, started_at })
}

/// Turns the answer to [`builds_request`] (sent with `key`) into a verdict about the key
/// replaced at `replaced_at` (milliseconds since the epoch), or a typed failure.
pub fn interpret_builds_answer(
    target: &DataModelTarget,
    key: &TreasureKey,
    replaced_at: u64,
    exchange: Exchange,
) -> Result<BuildCheck, Failure> {
    let response = exchange.map_err(|failure| Failure::from_transport(target.region.api_host(), failure, true))?;
    if response.status != 200 {
        let body = JsonBody::<DataModelAnswer>::of(&response);
        return Err(refusal(response.status, &body, TreasureCall::Builds(target), key.secret()));
    }
    let unreadable = |why: &str| BuildCheck {
        verdict: BuildVerdict::Unreadable,
        status: None,
        started_at: None,
        message: format!(
            "Keyturn could not read the builds ({why}), so it cannot tell whether data model {} has built with the new \
             key. Open it in the Treasure Console and check its last build there.",
            target.oid.as_str()
        ),
    };
    let Some(entries) = entries_in(&response.body) else {
        return Ok(unreadable("the answer is not a list of builds"));
    };
    if entries.is_empty() {
        return Ok(verdict(
            BuildVerdict::NotBuiltSince,
            None,
            "It has never been built. Build it in the Treasure Console.",
        ));
    }
    let builds: Vec<Build> = entries.iter().filter_map(|entry| build_from(entry)).collect();
    let timed: Vec<&Build> = builds.iter().filter(|build| build.started_at.is_some()).collect();
    if timed.is_empty() {
        return Ok(unreadable("no build with a documented status and a recognisable start time"));
    }
    let latest = timed.iter().max_by_key(|build| build.started_at).copied();
    let Some(latest) = latest.filter(|build| build.started_at >= Some(replaced_at)) else {
        return Ok(verdict(
            BuildVerdict::NotBuiltSince,
            latest,
            "It has not been built since the key was replaced. Build it in the Treasure Console, then check again.",
        ));
    };
    Ok(match latest.status {
        "done" => verdict(BuildVerdict::BuiltWithNewKey, Some(latest), "It has built with the new key."),
        "pending" | "building" => verdict(
            BuildVerdict::Building,
            Some(latest),
            "A build started after the replacement is still running. Check again in a moment.",
        ),
        "failed" => verdict(
            BuildVerdict::FailedSinceReplacement,
            Some(latest),
            "The build after the replacement failed. Check that the key is a current Master key of a user who can \
             read the data model's sources, and whether the build hit the build size limit; the build's log in the \
             Treasure Console says which.",
        ),
        _ => verdict(
            BuildVerdict::CanceledSinceReplacement,
            Some(latest),
            "The build after the replacement was canceled. Build it again in the Treasure Console.",
        ),
    })
}

fn verdict(verdict: BuildVerdict, build: Option<&Build>, message: &str) -> BuildCheck {
    BuildCheck {
        verdict,
        status: build.map(|build| build.status.to_string()),
        started_at: build.and_then(|build| build.started_at),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::ErrorCode;
    use crate::http::{ApiResponse, TransportFailure};
    use crate::treasure::parse_console_url;

    const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";
    const REPLACED: u64 = 1_795_600_000_000; // 2026-11-25T09:46:40Z

    fn target() -> DataModelTarget {
        parse_console_url(&format!("https://console.eu01.treasuredata.com/app/admin/datamodels/{OID}")).unwrap()
    }

    fn key() -> TreasureKey {
        TreasureKey::parse("1234/0123456789abcdef0123456789abcdef01234567").unwrap()
    }

    fn check(status: u16, body: &str) -> Result<BuildCheck, Failure> {
        interpret_builds_answer(
            &target(),
            &key(),
            REPLACED,
            Ok(ApiResponse { status, content_type: None, body: body.into() }),
        )
    }

    fn verdict_of(body: &str) -> BuildVerdict {
        check(200, body).unwrap().verdict
    }

    #[test]
    fn builds_the_documented_request() {
        let key = TreasureKey::parse("1234/0123456789abcdef0123456789abcdef01234567").unwrap();
        let request = builds_request(&target(), &key);
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.url, format!("https://api.eu01.treasuredata.com/reporting/datamodels/{OID}/builds"));
        assert_eq!(request.header("authorization"), Some("TD1 1234/0123456789abcdef0123456789abcdef01234567"));
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.body, None);
    }

    #[test]
    fn each_status_after_the_replacement_has_its_verdict() {
        for (status, verdict) in [
            ("done", BuildVerdict::BuiltWithNewKey),
            ("building", BuildVerdict::Building),
            ("pending", BuildVerdict::Building),
            ("failed", BuildVerdict::FailedSinceReplacement),
            ("canceled", BuildVerdict::CanceledSinceReplacement),
        ] {
            let body = format!(
                r#"[{{"id":"b1","status":"done","started_at":"2026-11-20T00:00:00Z"}},
                   {{"id":"b2","status":"{status}","started_at":"2026-11-25T10:00:00Z","size":1e999}}]"#
            );
            let check = check(200, &body).unwrap();
            assert_eq!(check.verdict, verdict, "{status}");
            assert_eq!(check.status.as_deref(), Some(status));
            assert_eq!(check.started_at, Some(REPLACED + 800_000), "10:00:00 is 13 min 20 s after the replacement");
        }
        assert!(check(200, r#"[{"status":"failed","started_at":"2026-11-25T10:00:00Z"}]"#)
            .unwrap()
            .message
            .contains("build size limit"));
    }

    #[test]
    fn only_a_done_build_started_after_the_replacement_is_success() {
        // Older builds only, however many are done.
        assert_eq!(
            verdict_of(
                r#"[{"status":"done","created_at":"2026-11-25T09:46:39Z"},{"status":"done","createdAt":"2026-01-01T00:00:00Z"}]"#
            ),
            BuildVerdict::NotBuiltSince
        );
        assert_eq!(verdict_of("[]"), BuildVerdict::NotBuiltSince);
        // The newest by start time decides, wherever it stands in the list.
        assert_eq!(
            verdict_of(
                r#"[{"status":"done","startedAt":"2026-11-25T11:00:00+01:00"},{"status":"failed","startedAt":"2026-11-25T11:00:00Z"}]"#
            ),
            BuildVerdict::FailedSinceReplacement
        );
        // An object holding the list, statuses in capitals.
        assert_eq!(
            verdict_of(r#"{"count":1,"builds":[{"status":"DONE","start_time":"2026-11-25T10:00:00Z"}]}"#),
            BuildVerdict::BuiltWithNewKey
        );
    }

    #[test]
    fn unreadable_answers_never_claim_success() {
        for body in [
            "<html>ok</html>",
            "",
            "{}",
            r#"{"status":"done"}"#,
            r#"[{"status":"done"}]"#,
            r#"[{"status":"succeeded","started_at":"2026-11-26T00:00:00Z"}]"#,
            r#"[{"status":"done","started_at":1795700000}]"#,
            r#"["done"]"#,
        ] {
            let check = check(200, body).unwrap();
            assert_eq!(check.verdict, BuildVerdict::Unreadable, "{body}");
            assert!(check.message.contains("could not read"), "{body}");
        }
    }

    #[test]
    fn refusals_are_typed_like_the_replacement() {
        assert_eq!(check(401, "{}").unwrap_err().code, ErrorCode::Unauthorized);
        assert!(check(403, "{}").unwrap_err().message.contains("read the data model's builds"));
        assert!(check(404, "{}").unwrap_err().message.contains(OID));
        assert!(check(429, "{}").unwrap_err().message.contains("slow down"));
        assert_eq!(check(503, "<html>").unwrap_err().code, ErrorCode::ServerError);
        let timeout = interpret_builds_answer(&target(), &key(), REPLACED, Err(TransportFailure::Timeout)).unwrap_err();
        assert_eq!(timeout.code, ErrorCode::Timeout);
    }
}
