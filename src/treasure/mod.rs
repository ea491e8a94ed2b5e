//! Treasure Data: regions, console URLs, API keys, the data model key replacement
//! (`PUT /reporting/datamodels/<OID>`, seed-000), whether a data model has built since, and
//! the `td.apikey` secret of Treasure Workflow projects (workflow.rs).

pub mod api_key;
pub mod builds;
pub mod bulk;
pub mod console_url;
pub mod datamodel;
pub mod job;
pub mod listing;
pub mod region;
pub mod table;
pub mod table_view;
pub mod workflow;
pub mod workflow_load;

pub use api_key::TreasureKey;
pub use console_url::{parse_console_url, DataModelTarget, Oid};
pub use datamodel::{interpret_replace_answer, replace_key_request, DataModelSummary};
pub use region::Region;
