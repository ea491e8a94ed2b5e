//! Databrain: rotating a data app API key (`POST /api/v2/data-app/rotate-api`, seed-003/004)
//! and, with an organisation service token, listing and creating a data app's keys
//! (databrain-api.md).

pub mod credentials;
pub mod endpoint;
pub mod errors;
pub mod grace;
pub mod recovery;
pub mod rotate;
pub mod tokens;

pub use credentials::{DataAppKey, ServiceToken};
pub use endpoint::{is_databrain_app_url, ApiOrigin, CLOUD_API_ORIGIN};
pub use grace::GracePeriod;
pub use rotate::{interpret_rotate_answer, rotate_request, NewKey};
pub use tokens::{
    arrange_for_recovery, create_token_request, interpret_create_answer, interpret_list_page, list_page_request,
    DataAppName, KeyLabel, KeyListing, ListedKey,
};
