//! Answers that arrive out of order: each request takes a ticket, and only
//! the answer to the newest ticket is shown. A search box sends a request
//! per keystroke, and an earlier, larger list (everything, before the
//! search) can come back after a later, smaller one; shown last, it would
//! sit under a search box that no longer describes it.

use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// The newest ticket given out; cloned into the requests that check it.
#[derive(Clone, Default)]
pub struct Latest(Rc<Cell<u64>>);

/// One request's place in line.
#[derive(Clone, Copy)]
pub struct Ticket(u64);

impl Latest {
    /// A ticket newer than every one before it.
    pub fn take(&self) -> Ticket {
        let n = self.0.get() + 1;
        self.0.set(n);
        Ticket(n)
    }

    /// True while no newer ticket has been taken.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.0.get() == ticket.0
    }
}

/// The component's `Latest`, the same on every render.
#[hook]
pub fn use_latest() -> Latest {
    (*use_memo((), |_| Latest::default())).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_ticket_is_current() {
        let latest = Latest::default();
        let first = latest.take();
        assert!(latest.is_current(first));
        let second = latest.clone().take();
        assert!(!latest.is_current(first), "a clone shares the line");
        assert!(latest.is_current(second));
    }
}
