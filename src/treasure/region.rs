//! The one table of Treasure sites: which console hosts belong to which region, which API
//! host serves that region's data models and which serves its Treasure Workflow projects.
//! Keyturn never sends a Treasure key to a host outside it.

use serde::Serialize;

/// A Treasure site that serves data models (seed-000), in the order of [`REGIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)] // the four sites' own names
pub enum Region {
    Us,
    Eu01,
    Ap02,
    Tokyo,
}

/// One row of the site table.
pub struct RegionInfo {
    /// The region this row describes.
    pub region: Region,
    /// Stable identifier used by the popup and in tests (`us`, `eu01`, `ap02`, `tokyo`).
    pub id: &'static str,
    /// The English name shown when `_locales` has none.
    pub label: &'static str,
    /// The reporting API host seed-000 names for data models.
    pub api_host: &'static str,
    /// The Treasure Workflow API host of this site (treasure-workflow-api.md: the servers of
    /// Treasure's "Treasure Workflow (1.0)" API reference). Only workflow calls
    /// (`treasure::workflow`) are sent there.
    pub workflow_host: &'static str,
    /// Console hosts of this site. The first is the canonical one; the others are the
    /// variants Treasure's own documentation uses (the `us01` spelling of the US site and
    /// the `console-next` consoles).
    pub console_hosts: &'static [&'static str],
}

/// The site table, in the order of [`Region`]'s variants.
// AP03 exists for some newer Treasure services, but neither seed-000 nor the v3 API
// reference names it for data models, so it is deliberately absent.
pub const REGIONS: [RegionInfo; 4] = [
    RegionInfo {
        region: Region::Us,
        id: "us",
        label: "US",
        api_host: "api.treasuredata.com",
        workflow_host: "api-workflow.treasuredata.com",
        console_hosts: &[
            "console.treasuredata.com",
            "console.us01.treasuredata.com",
            "console-next.treasuredata.com",
            "console-next.us01.treasuredata.com",
        ],
    },
    RegionInfo {
        region: Region::Eu01,
        id: "eu01",
        label: "EU01",
        api_host: "api.eu01.treasuredata.com",
        workflow_host: "api-workflow.eu01.treasuredata.com",
        console_hosts: &["console.eu01.treasuredata.com", "console-next.eu01.treasuredata.com"],
    },
    RegionInfo {
        region: Region::Ap02,
        id: "ap02",
        label: "Korea (AP02)",
        api_host: "api.ap02.treasuredata.com",
        workflow_host: "api-workflow.ap02.treasuredata.com",
        console_hosts: &["console.ap02.treasuredata.com", "console-next.ap02.treasuredata.com"],
    },
    RegionInfo {
        region: Region::Tokyo,
        id: "tokyo",
        label: "Tokyo",
        api_host: "api.treasuredata.co.jp",
        workflow_host: "api-workflow.treasuredata.co.jp",
        console_hosts: &["console.treasuredata.co.jp", "console-next.treasuredata.co.jp"],
    },
];

impl Region {
    /// This region's row of the table (the table lists the regions in the enum's order).
    pub fn info(self) -> &'static RegionInfo {
        &REGIONS[self as usize]
    }

    /// The API host that serves this region's data models.
    pub fn api_host(self) -> &'static str {
        self.info().api_host
    }

    /// The Treasure Workflow API host of this region.
    pub fn workflow_host(self) -> &'static str {
        self.info().workflow_host
    }

    /// The English name of the region.
    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// The region with this identifier (`us`, `eu01`, …, any case).
    pub fn from_id(id: &str) -> Option<Region> {
        REGIONS.iter().find(|info| info.id.eq_ignore_ascii_case(id.trim())).map(|info| info.region)
    }

    /// The region of a console host; the host must be in the table exactly (lower case,
    /// no port, no trailing dot).
    pub fn of_console_host(host: &str) -> Option<Region> {
        REGIONS.iter().find(|info| info.console_hosts.contains(&host)).map(|info| info.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_hosts_are_the_four_seed_000_names() {
        let hosts: Vec<_> = REGIONS.iter().map(|r| r.api_host).collect();
        assert_eq!(
            hosts,
            [
                "api.treasuredata.com",
                "api.eu01.treasuredata.com",
                "api.ap02.treasuredata.com",
                "api.treasuredata.co.jp"
            ]
        );
    }

    #[test]
    fn workflow_hosts_are_the_four_of_the_workflow_reference() {
        let hosts: Vec<_> = REGIONS.iter().map(|r| (r.id, r.workflow_host)).collect();
        assert_eq!(
            hosts,
            [
                ("us", "api-workflow.treasuredata.com"),
                ("eu01", "api-workflow.eu01.treasuredata.com"),
                ("ap02", "api-workflow.ap02.treasuredata.com"),
                ("tokyo", "api-workflow.treasuredata.co.jp"),
            ]
        );
        for info in &REGIONS {
            assert_eq!(info.region.workflow_host(), info.workflow_host);
            assert_ne!(info.workflow_host, info.api_host, "data model calls never go to the workflow host");
            assert_eq!(Region::of_console_host(info.workflow_host), None);
        }
    }

    #[test]
    fn console_hosts_map_to_their_region_and_nothing_else_does() {
        assert_eq!(Region::of_console_host("console.treasuredata.com"), Some(Region::Us));
        assert_eq!(Region::of_console_host("console.us01.treasuredata.com"), Some(Region::Us));
        assert_eq!(Region::of_console_host("console.eu01.treasuredata.com"), Some(Region::Eu01));
        assert_eq!(Region::of_console_host("console.ap02.treasuredata.com"), Some(Region::Ap02));
        assert_eq!(Region::of_console_host("console.treasuredata.co.jp"), Some(Region::Tokyo));
        assert_eq!(Region::of_console_host("console.ap03.treasuredata.com"), None);
        assert_eq!(Region::of_console_host("api.treasuredata.com"), None);
        assert_eq!(Region::of_console_host("treasuredata.com"), None);
    }

    #[test]
    fn the_table_lists_the_regions_in_the_enums_order() {
        for (index, info) in REGIONS.iter().enumerate() {
            assert_eq!(info.region as usize, index);
            assert_eq!(info.region.info().id, info.id);
        }
    }

    #[test]
    fn region_ids_round_trip() {
        for info in &REGIONS {
            assert_eq!(Region::from_id(info.id), Some(info.region));
        }
        assert_eq!(Region::from_id("EU01"), Some(Region::Eu01));
        assert_eq!(Region::from_id("ap03"), None);
    }
}
