//! Where items come from: fetching over HTTP ([`fetch`]), parsing feeds ([`feed`]) and pages ([`html`]), and
//! refreshing a source end to end ([`ingest`]).

pub mod feed;
pub mod fetch;
pub mod html;
pub mod ingest;
