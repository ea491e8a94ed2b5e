//! Recovering a key whose answer was lost.
//!
//! Keyturn never re-sends a rotation, but the browser below it does: when a reused
//! keep-alive connection drops before any byte of the answer, Chromium and Firefox send the
//! same POST again on their own. If the server had processed the first copy, the key was
//! rotated, the new key's answer is gone, and the second copy fails with
//! `INVALID_DATA_APP_API_KEY` (the key already has an expiry). A connection that drops
//! without a re-send ends in `OUTCOME_UNKNOWN` instead. In both cases the new key exists
//! and a service token can list it (databrain-api.md): this module decides when to offer
//! that, from what the history already knows, and which listed keys to show first.

use serde::Serialize;

use crate::failure::ErrorCode;
use crate::history::{HistoryEntry, DATABRAIN_SERVICE};

/// How far back an attempt by Keyturn on the same key counts (issue: "the last 24 hours").
pub const RECENT_ATTEMPT_MS: u64 = 24 * 60 * 60 * 1000;

/// A listed key created this much before the attempt still counts as created "since" it:
/// `createdAt` comes from the server's clock, the attempt's time from the browser's.
pub const CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// The history's outcome for an attempt that probably took effect but whose answer was lost.
pub const OUTCOME_UNKNOWN: &str = "OUTCOME_UNKNOWN";

/// The outcome an attempt's record takes once its key was recovered with a service token.
pub const RECOVERED: &str = "RECOVERED";

/// What Keyturn offers after a failed rotation or key creation whose key may exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Recovery {
    /// Milliseconds since the epoch: keys created since then (less [`CLOCK_SKEW_MS`]) are
    /// the ones the lost answer would have carried, and are listed first.
    pub since: u64,
}

/// Whether a failed attempt probably issued a key that the user never saw.
///
/// - `OUTCOME_UNKNOWN` (the connection failed after sending): the attempt itself may have
///   issued one, so keys created since it started are candidates.
/// - `INVALID_DATA_APP_API_KEY` (the key already has an expiry) for a key that Keyturn
///   itself rotated, tried to rotate, created or issued at the same origin within
///   [`RECENT_ATTEMPT_MS`]: Keyturn knew that key without an expiry, so it was rotated
///   since, most likely by this very request, re-sent by the browser. Keys created since
///   Keyturn's earliest such record are candidates.
/// - Anything else: `None`, and the failure's own message stands (for a key Keyturn never
///   touched, "already rotated, use the newer key" is the likely truth).
///
/// `attempt` is the record of the failed attempt, not yet in `earlier`.
pub fn recovery_for(code: ErrorCode, attempt: &HistoryEntry, earlier: &[HistoryEntry]) -> Option<Recovery> {
    match code {
        ErrorCode::OutcomeUnknown => Some(Recovery { since: attempt.at }),
        ErrorCode::InvalidDataAppApiKey if attempt.fingerprint != "-" => earlier
            .iter()
            .filter(|entry| {
                entry.service == DATABRAIN_SERVICE
                    && entry.place == attempt.place
                    && entry.at <= attempt.at
                    && attempt.at - entry.at <= RECENT_ATTEMPT_MS
                    && (entry.fingerprint == attempt.fingerprint || entry.issued == attempt.fingerprint)
            })
            .map(|entry| entry.at)
            .min()
            .map(|since| Recovery { since }),
        _ => None,
    }
}

/// The order to show listed keys in when recovering, as `(index into created, created
/// since the attempt)`: first the keys created at or after `since` (less the clock skew),
/// then the older ones, each newest first, so the key the lost answer carried leads (when
/// `since` is when Keyturn issued the key it then rotated, that key is listed too, after
/// it); last, in the listing's order, those without a readable creation time.
pub fn recovery_order(created: &[Option<u64>], since: u64) -> Vec<(usize, bool)> {
    let threshold = since.saturating_sub(CLOCK_SKEW_MS);
    let mut recent: Vec<(usize, u64)> = Vec::new();
    let mut older: Vec<(usize, u64)> = Vec::new();
    let mut unknown: Vec<usize> = Vec::new();
    for (index, at) in created.iter().enumerate() {
        match at {
            Some(at) if *at >= threshold => recent.push((index, *at)),
            Some(at) => older.push((index, *at)),
            None => unknown.push(index),
        }
    }
    recent.sort_by_key(|&(index, at)| (std::cmp::Reverse(at), index));
    older.sort_by_key(|&(index, at)| (std::cmp::Reverse(at), index));
    recent
        .into_iter()
        .map(|(index, _)| (index, true))
        .chain(older.into_iter().map(|(index, _)| (index, false)))
        .chain(unknown.into_iter().map(|index| (index, false)))
        .collect()
}

/// The history once a key was recovered: every record at `origin` since `since` (less the
/// clock skew) whose outcome was unknown becomes [`RECOVERED`], the attempt it settles.
/// Returns whether anything changed.
pub fn settle_recovered(history: &mut [HistoryEntry], origin: &str, since: u64) -> bool {
    let threshold = since.saturating_sub(CLOCK_SKEW_MS);
    let mut changed = false;
    for entry in history.iter_mut() {
        if entry.service == DATABRAIN_SERVICE
            && entry.place == origin
            && entry.at >= threshold
            && entry.outcome == OUTCOME_UNKNOWN
        {
            entry.outcome = RECOVERED.to_string();
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://api.usedatabrain.com";
    const KEY: &str = "550e8400-e29b-41d4-a716-446655440001";
    const OTHER: &str = "550e8400-e29b-41d4-a716-446655449999";
    const HOUR: u64 = 60 * 60 * 1000;
    const NOW: u64 = 1_795_600_000_000;

    fn entry(at: u64, outcome: &str, key: &str, issued: &str) -> HistoryEntry {
        HistoryEntry::new(at, DATABRAIN_SERVICE, ORIGIN, "data app key (rotation)", outcome, key).with_issued(issued)
    }

    fn attempt() -> HistoryEntry {
        entry(NOW, "INVALID_DATA_APP_API_KEY", KEY, "")
    }

    #[test]
    fn an_unknown_outcome_always_offers_recovery_from_the_attempt() {
        let recovery = recovery_for(ErrorCode::OutcomeUnknown, &attempt(), &[]);
        assert_eq!(recovery, Some(Recovery { since: NOW }));
    }

    #[test]
    fn an_already_rotated_key_offers_recovery_only_when_keyturn_knew_it_recently() {
        let code = ErrorCode::InvalidDataAppApiKey;
        // Never touched by Keyturn: today's message ("use the newer key") stands.
        assert_eq!(recovery_for(code, &attempt(), &[]), None);
        assert_eq!(recovery_for(code, &attempt(), &[entry(NOW - HOUR, "success", OTHER, "")]), None);
        // Keyturn tried to rotate this very key an hour ago.
        let tried = entry(NOW - HOUR, OUTCOME_UNKNOWN, KEY, "");
        assert_eq!(recovery_for(code, &attempt(), &[tried]), Some(Recovery { since: NOW - HOUR }));
        // Keyturn issued this key (a rotation of another key) ten minutes ago.
        let issued = entry(NOW - HOUR / 6, "success", OTHER, KEY);
        assert_eq!(
            recovery_for(code, &attempt(), std::slice::from_ref(&issued)),
            Some(Recovery { since: NOW - HOUR / 6 })
        );
        // More than a day ago, another origin, another service, or an unfingerprintable key: no.
        assert_eq!(recovery_for(code, &attempt(), &[entry(NOW - 25 * HOUR, "success", OTHER, KEY)]), None);
        let elsewhere = HistoryEntry { place: "https://databrain.example.com".into(), ..issued.clone() };
        assert_eq!(recovery_for(code, &attempt(), &[elsewhere]), None);
        let treasure = HistoryEntry { service: "Treasure".into(), ..issued.clone() };
        assert_eq!(recovery_for(code, &attempt(), &[treasure]), None);
        let unprintable = HistoryEntry { fingerprint: "-".into(), ..attempt() };
        assert_eq!(recovery_for(code, &unprintable, &[HistoryEntry { issued: "-".into(), ..issued }]), None);
    }

    #[test]
    fn the_earliest_recent_record_of_the_key_is_the_point_to_recover_from() {
        let records = [entry(NOW - 2 * HOUR, "success", OTHER, KEY), entry(NOW - HOUR, OUTCOME_UNKNOWN, KEY, "")];
        assert_eq!(
            recovery_for(ErrorCode::InvalidDataAppApiKey, &attempt(), &records),
            Some(Recovery { since: NOW - 2 * HOUR })
        );
    }

    #[test]
    fn other_failures_offer_nothing() {
        let records = [entry(NOW - HOUR, OUTCOME_UNKNOWN, KEY, "")];
        for code in [ErrorCode::AuthenticationError, ErrorCode::InternalServerError, ErrorCode::InvalidRequestBody] {
            assert_eq!(recovery_for(code, &attempt(), &records), None, "{code:?}");
        }
    }

    #[test]
    fn keys_created_since_the_attempt_come_first_then_older_then_unknown() {
        let minute = 60_000;
        let created = [
            Some(NOW - 30 * 24 * HOUR), // 0: a month old
            None,                       // 1: no createdAt
            Some(NOW + 2 * minute),     // 2: after the attempt
            Some(NOW - 3 * minute),     // 3: before it, within the clock skew
            Some(NOW - HOUR),           // 4: an hour old
            Some(NOW + minute),         // 5: after the attempt, earlier than 2
            None,                       // 6: unreadable createdAt
            Some(NOW - 6 * minute),     // 7: just outside the skew
        ];
        assert_eq!(
            recovery_order(&created, NOW),
            [(2, true), (5, true), (3, true), (7, false), (4, false), (0, false), (1, false), (6, false)]
        );
        assert_eq!(recovery_order(&[], NOW), []);
    }

    #[test]
    fn a_recovery_settles_the_unknown_records_since_its_attempt() {
        let mut history = vec![
            entry(NOW, OUTCOME_UNKNOWN, KEY, ""),
            entry(NOW - HOUR, OUTCOME_UNKNOWN, OTHER, ""),
            entry(NOW, "INVALID_DATA_APP_API_KEY", KEY, ""),
        ];
        assert!(settle_recovered(&mut history, ORIGIN, NOW - 60_000));
        let outcomes: Vec<&str> = history.iter().map(|e| e.outcome.as_str()).collect();
        assert_eq!(outcomes, [RECOVERED, OUTCOME_UNKNOWN, "INVALID_DATA_APP_API_KEY"]);
        assert!(!settle_recovered(&mut history, "https://databrain.example.com", 0));
    }
}
