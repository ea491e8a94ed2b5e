//! The grace period before the rotated key expires: rotate-api's `expireAt`, in seconds.
//! The document accepts a number or a numeric string; Keyturn always sends a number.

use serde_json::Value;

use crate::failure::{ErrorCode, Failure};

/// The largest whole number a JSON number (an IEEE double) carries exactly: 2^53 - 1.
const MAX_EXACT: u64 = (1 << 53) - 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GracePeriod(u64);

/// The durations Databrain's documentation lists, offered as presets (seconds, label).
pub const PRESETS: [(u64, &str); 5] = [
    (0, "Expire immediately"),
    (300, "5 minutes"),
    (3600, "1 hour (recommended)"),
    (86400, "24 hours"),
    (604800, "7 days"),
];

impl GracePeriod {
    /// The default, which Databrain recommends: time to update applications.
    pub const RECOMMENDED: GracePeriod = GracePeriod(3600);

    /// From a JSON number or a numeric string (what a form field gives).
    pub fn from_value(value: &Value) -> Result<GracePeriod, Failure> {
        match value {
            Value::Number(number) => match number.as_u64() {
                Some(seconds) if seconds <= MAX_EXACT => Ok(GracePeriod(seconds)),
                _ => Err(invalid(number.as_f64())),
            },
            Value::String(text) => GracePeriod::parse(text),
            _ => Err(invalid(None)),
        }
    }

    /// A non-negative whole number of seconds written in decimal digits.
    pub fn parse(text: &str) -> Result<GracePeriod, Failure> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(decimal_value_of(text)));
        }
        match text.parse::<u64>() {
            Ok(seconds) if seconds <= MAX_EXACT => Ok(GracePeriod(seconds)),
            _ => Err(invalid(Some(f64::INFINITY))),
        }
    }

    /// When a key rotated at `now_ms` (milliseconds since the epoch) stops working.
    pub fn expiry_from(self, now_ms: f64) -> f64 {
        now_ms + self.0 as f64 * 1000.0
    }

    /// Expiring the old key at once breaks every application that still uses it, so it
    /// needs an explicit confirmation.
    pub fn confirm(self, confirmed_immediate: bool) -> Result<GracePeriod, Failure> {
        if self.is_immediate() && !confirmed_immediate {
            return Err(Failure::new(
                ErrorCode::ImmediateExpiryNotConfirmed,
                "Expiring the key immediately stops every application that uses it at once. Confirm that, or choose a grace period.",
            ));
        }
        Ok(self)
    }

    pub fn seconds(self) -> u64 {
        self.0
    }

    pub fn is_immediate(self) -> bool {
        self.0 == 0
    }
}

/// Enough of a plain decimal (`-12`, `1.5`) to say why it was refused, without pulling a
/// float parser into the wasm module.
fn decimal_value_of(text: &str) -> Option<f64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let magnitude = if fraction.trim_end_matches('0').is_empty() { 1.0 } else { 1.5 };
    Some(if negative { -magnitude } else { magnitude })
}

fn invalid(number: Option<f64>) -> Failure {
    let reason = match number {
        Some(n) if n < 0.0 => "it cannot be negative",
        Some(n) if n.is_finite() && n.fract() != 0.0 => "it must be a whole number of seconds",
        Some(n) if n > MAX_EXACT as f64 => "it is too large to send exactly",
        _ => "enter a whole number of seconds, such as 3600 for one hour",
    };
    Failure::new(ErrorCode::InvalidGracePeriod, format!("That grace period is not valid: {reason}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_numbers_and_numeric_strings() {
        for (value, seconds) in [
            (json!(0), 0),
            (json!(3600), 3600),
            (json!("86400"), 86400),
            (json!(" 604800 "), 604800),
            (json!(9007199254740991u64), MAX_EXACT),
            (json!("9007199254740991"), MAX_EXACT),
        ] {
            assert_eq!(GracePeriod::from_value(&value).unwrap().seconds(), seconds, "{value}");
        }
        assert!(GracePeriod::parse("0").unwrap().is_immediate());
    }

    #[test]
    fn immediate_expiry_needs_confirmation() {
        let now = GracePeriod::parse("0").unwrap();
        assert_eq!(now.confirm(false).unwrap_err().code, ErrorCode::ImmediateExpiryNotConfirmed);
        assert!(now.confirm(true).is_ok());
        assert!(GracePeriod::RECOMMENDED.confirm(false).is_ok());
        assert_eq!(GracePeriod::RECOMMENDED.expiry_from(1_000.0), 3_601_000.0);
        assert!(PRESETS
            .iter()
            .any(|(s, label)| *s == GracePeriod::RECOMMENDED.seconds() && label.contains("recommended")));
    }

    #[test]
    fn refuses_negatives_fractions_text_and_inexact_numbers() {
        for (value, says) in [
            (json!(-1), "negative"),
            (json!("-5"), "negative"),
            (json!(1.5), "whole number"),
            (json!("1.5"), "whole number"),
            (json!("1e3"), "seconds"),
            (json!("+60"), "seconds"),
            (json!("abc"), "seconds"),
            (json!(""), "seconds"),
            (json!(null), "seconds"),
            (json!(true), "seconds"),
            (json!(9007199254740992u64), "too large"),
            (json!("9007199254740992"), "too large"),
            (json!("99999999999999999999999"), "too large"),
        ] {
            let failure = GracePeriod::from_value(&value).unwrap_err();
            assert_eq!(failure.code, ErrorCode::InvalidGracePeriod);
            assert!(failure.message.contains(says), "{value}: {}", failure.message);
        }
    }
}
