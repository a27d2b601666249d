//! Components, SMD's central record (`/hsm/v2/State/Components`), and everything about them:
//! the record ([`record`]), its enumerations ([`attributes`]), the list filters of
//! `GET /State/Components` ([`filter`]), the query forms beyond filters ([`query`]), the
//! PATCH bodies and updates ([`update`]), the batch bodies of `POST` and `BulkNID`
//! ([`batch`]) and BSS's view of a node ([`bss_view`]).

pub mod attributes;
pub mod batch;
pub mod bss_view;
pub mod filter;
pub mod query;
pub mod record;
pub mod update;
