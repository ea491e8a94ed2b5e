//! Reading a data model's region and OID from a Treasure Console URL
//! (`https://<console host>/app/admin/datamodels/<OID>`, seed-000).
//!
//! The parser is deliberately strict: the host must be one of the table's console hosts
//! exactly, and the OID must be a UUID, so nothing taken from a URL can change which host
//! a key goes to or which path it is sent on.

use serde::Serialize;

use crate::failure::{ErrorCode, Failure};
use crate::input::is_uuid;
use crate::treasure::region::Region;
use crate::url::parse_https_url;

const DATA_MODEL_PATH: &str = "/app/admin/datamodels/";

/// A data model's OID: a UUID, so it only ever holds hex digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Oid(String);

impl Oid {
    /// Reads an OID: a UUID, normalised to lower case.
    pub fn parse(text: &str) -> Result<Oid, Failure> {
        let text = text.trim();
        if is_uuid(text) {
            Ok(Oid(text.to_ascii_lowercase()))
        } else {
            Err(Failure::new(
                ErrorCode::InvalidOid,
                "That is not a data model OID. An OID looks like 93d34997-1b2c-4d5e-8f90-123456789abc: \
                 copy it from the data model's address in the Treasure Console.",
            ))
        }
    }

    /// The OID as it goes into the request path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which data model, in which region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DataModelTarget {
    /// The data model's region.
    pub region: Region,
    /// The data model's OID.
    pub oid: Oid,
}

impl DataModelTarget {
    /// The data model's page in its region's Treasure Console (the canonical console host).
    pub fn console_url(&self) -> String {
        format!("https://{}{DATA_MODEL_PATH}{}", self.region.info().console_hosts[0], self.oid.as_str())
    }
}

/// Parses a console data model URL, with or without a trailing slash, sub-path, query or
/// fragment.
pub fn parse_console_url(raw: &str) -> Result<DataModelTarget, Failure> {
    let url = parse_https_url(raw)?;
    let region = match url.port {
        None => Region::of_console_host(&url.host),
        Some(_) => None,
    };
    let Some(region) = region else {
        return Err(Failure::new(
            ErrorCode::UnknownConsoleHost,
            "That is not a Treasure Console address. Keyturn knows the US, EU01, Korea (AP02) and Tokyo consoles, \
             such as https://console.treasuredata.com/.",
        ));
    };
    let Some(after_prefix) = url.path.strip_prefix(DATA_MODEL_PATH) else {
        return Err(Failure::new(
            ErrorCode::NotADataModelPage,
            "That console page is not a data model. Open the data model in the Treasure Console; its address reads \
             /app/admin/datamodels/<OID>.",
        ));
    };
    let oid_segment = after_prefix.split('/').next().unwrap_or_default();
    Ok(DataModelTarget { region, oid: Oid::parse(oid_segment)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";

    fn parse(url: &str) -> Result<DataModelTarget, ErrorCode> {
        parse_console_url(url).map_err(|f| f.code)
    }

    #[test]
    fn reads_region_and_oid_from_every_console() {
        for (host, region) in [
            ("console.treasuredata.com", Region::Us),
            ("console.us01.treasuredata.com", Region::Us),
            ("console-next.treasuredata.com", Region::Us),
            ("console.eu01.treasuredata.com", Region::Eu01),
            ("console-next.eu01.treasuredata.com", Region::Eu01),
            ("console.ap02.treasuredata.com", Region::Ap02),
            ("console.treasuredata.co.jp", Region::Tokyo),
        ] {
            let target = parse(&format!("https://{host}/app/admin/datamodels/{OID}")).unwrap();
            assert_eq!(target.region, region, "{host}");
            assert_eq!(target.oid.as_str(), OID);
        }
    }

    #[test]
    fn accepts_slash_subpath_query_fragment_port_and_case() {
        for suffix in ["/", "/edit", "/builds/12", "?tab=settings", "#top", "/?a=b#c"] {
            let url = format!("https://console.treasuredata.com/app/admin/datamodels/{OID}{suffix}");
            assert_eq!(parse(&url).unwrap().oid.as_str(), OID, "{url}");
        }
        let url = format!("  HTTPS://Console.TreasureData.com:443/app/admin/datamodels/{}\n", OID.to_uppercase());
        assert_eq!(parse(&url).unwrap().oid.as_str(), OID);
    }

    #[test]
    fn rejects_plain_http() {
        assert_eq!(
            parse(&format!("http://console.treasuredata.com/app/admin/datamodels/{OID}")),
            Err(ErrorCode::NotHttps)
        );
    }

    #[test]
    fn rejects_look_alike_hosts_and_user_info() {
        for url in [
            format!("https://console.treasuredata.com.evil.example/app/admin/datamodels/{OID}"),
            format!("https://evilconsole.treasuredata.com/app/admin/datamodels/{OID}"),
            format!("https://console.treasuredata.com:8443/app/admin/datamodels/{OID}"),
            format!("https://console.ap03.treasuredata.com/app/admin/datamodels/{OID}"),
            format!("https://api.treasuredata.com/app/admin/datamodels/{OID}"),
        ] {
            assert_eq!(parse(&url), Err(ErrorCode::UnknownConsoleHost), "{url}");
        }
        for url in [
            format!("https://console.treasuredata.com@evil.example/app/admin/datamodels/{OID}"),
            format!("https://user:pw@console.treasuredata.com/app/admin/datamodels/{OID}"),
            format!("https://console.treasuredata.com\\@evil.example/app/admin/datamodels/{OID}"),
            format!("https://console.treasuredata.com./app/admin/datamodels/{OID}"),
        ] {
            assert_eq!(parse(&url), Err(ErrorCode::InvalidUrl), "{url}");
        }
    }

    #[test]
    fn rejects_other_pages_and_non_urls() {
        assert_eq!(parse("https://console.treasuredata.com/app/databases"), Err(ErrorCode::NotADataModelPage));
        assert_eq!(
            parse(&format!("https://console.treasuredata.com/app/admin/datamodel/{OID}")),
            Err(ErrorCode::NotADataModelPage)
        );
        assert_eq!(
            parse(&format!("https://console.treasuredata.com/x/app/admin/datamodels/{OID}")),
            Err(ErrorCode::NotADataModelPage)
        );
        assert_eq!(
            parse(&format!("https://console.treasuredata.com?/app/admin/datamodels/{OID}")),
            Err(ErrorCode::NotADataModelPage)
        );
        assert_eq!(parse(OID), Err(ErrorCode::InvalidUrl));
        assert_eq!(parse(""), Err(ErrorCode::InvalidUrl));
        assert_eq!(parse("javascript:alert(1)"), Err(ErrorCode::InvalidUrl));
    }

    #[test]
    fn an_oid_must_be_a_uuid_and_can_never_reach_the_request_path() {
        for oid in [
            "",
            "93d34997",
            "..",
            "%2e%2e",
            "93d34997-1b2c-4d5e-8f90-123456789abc%2F..%2Fusers",
            "93d34997-1b2c-4d5e-8f90-123456789abcd",
            "93d34997-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        ] {
            let url = format!("https://console.treasuredata.com/app/admin/datamodels/{oid}");
            assert_eq!(parse(&url), Err(ErrorCode::InvalidOid), "{url}");
        }
    }

    #[test]
    fn a_target_s_console_page_is_on_its_region_s_canonical_console() {
        let target =
            parse(&format!("https://console-next.eu01.treasuredata.com/app/admin/datamodels/{}", OID.to_uppercase()))
                .unwrap();
        assert_eq!(target.console_url(), format!("https://console.eu01.treasuredata.com/app/admin/datamodels/{OID}"));
    }

    #[test]
    fn oids_parse_alone_too() {
        assert_eq!(Oid::parse(&format!(" {OID} ")).unwrap().as_str(), OID);
        assert_eq!(Oid::parse("../users").unwrap_err().code, ErrorCode::InvalidOid);
    }
}
