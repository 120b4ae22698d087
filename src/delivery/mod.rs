//! Delivery: the scheduler finds channels whose time has come, builds each one's briefing from what is new for it, and
//! delivers it exactly once through an [`Outbox`].
//!
//! Exactly once, step by step:
//! 1. **Claim.** One transaction writes the delivery row (channel, slot) in state `claimed` with the briefing
//!    it will post, records the items it tells in `delivered_items` and the stories in the channel's memory (so the next
//!    briefing tells only what is new), and moves the schedule to its next run.
//!    A slot can be claimed once (`UNIQUE(channel_id, due_at)`, and the schedule must still point at it).
//! 2. **Post.** Each message carries a nonce derived from (channel, slot, part) with `enforce_nonce`, so a
//!    post repeated after a crash returns the first message instead of making a second one.
//! 3. **Record.** Each part's success is written (`parts_sent`, the message id); then the row is `sent`.
//!
//! Claimed rows are picked up again on every tick (so at start-up too) and finished from the first part not
//! recorded. A slot missed during downtime is delivered once if it is within the grace window; older ones are
//! skipped and logged. 429 and 5xx are retried with backoff; a channel that is gone or forbidden is paused
//! with the reason, and its delivery given up (its items are released for a later briefing).
//!
//! The parts, one job each: [`schedule`] (a channel's times → next run), [`slots`] (which slot is due after
//! downtime, within grace), `compose` (the briefing for a channel's slot, and its claim), `post` (retries,
//! backoff), `pace` (posts spaced under the global limit), `counters` (stats), [`outbox`] (what a post carries, the [`Outbox`] trait, nonces) and the
//! [`Scheduler`] that ties them into a loop.

mod compose;
mod counters;
pub mod outbox;
mod pace;
mod post;
pub mod schedule;
mod scheduler;
pub mod slots;
#[cfg(test)]
pub(crate) mod test_util;

pub use compose::{Channel, Next, next_briefing};
pub use counters::Stats;
pub use outbox::{Outbox, PostError, Scheduled, nonce};
pub use pace::Pacer;
pub use schedule::{Schedule, ScheduleError};
pub use scheduler::{Scheduler, TickReport};
pub use slots::slot_to_deliver;
