//! How the passes are told to stop: the caller's flag (a newer version of
//! the document, a cancelled request), asked every so many steps of a
//! pass, so that a long pass stops within it and not only at its end.

use std::cell::Cell;

/// Steps of a pass (a node walked, an expression checked, a dependency
/// followed) between two looks at the caller's flag. A step costs at most
/// a few microseconds, so a pass notices within a few milliseconds.
pub(crate) const STEPS_BETWEEN_STOP_CHECKS: u32 = 1024;

pub struct Stop<'s> {
    asked: &'s (dyn Fn() -> bool + Sync),
    steps: Cell<u32>,
    stopped: Cell<bool>,
}

impl<'s> Stop<'s> {
    pub fn new(asked: &'s (dyn Fn() -> bool + Sync)) -> Self {
        Stop {
            asked,
            steps: Cell::new(0),
            stopped: Cell::new(false),
        }
    }

    /// One step of a pass: whether to stop, asking the caller every
    /// [`STEPS_BETWEEN_STOP_CHECKS`] steps. Once told, it stays stopped
    /// without asking again.
    pub fn step(&self) -> bool {
        if self.stopped.get() {
            return true;
        }
        let steps = self.steps.get() + 1;
        if steps < STEPS_BETWEEN_STOP_CHECKS {
            self.steps.set(steps);
            return false;
        }
        self.now()
    }

    /// Whether to stop, asking the caller now (between passes).
    pub fn now(&self) -> bool {
        if !self.stopped.get() {
            self.steps.set(0);
            self.stopped.set((self.asked)());
        }
        self.stopped.get()
    }

    /// Whether the caller said to stop, without asking again.
    pub fn stopped(&self) -> bool {
        self.stopped.get()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn the_flag_is_asked_every_so_many_steps_and_a_yes_is_kept() {
        let asked = AtomicUsize::new(0);
        let flag = || asked.fetch_add(1, Ordering::SeqCst) >= 2;
        let stop = Stop::new(&flag);
        let steps = STEPS_BETWEEN_STOP_CHECKS as usize;
        assert!((0..2 * steps).all(|_| !stop.step()));
        assert_eq!(asked.load(Ordering::SeqCst), 2);
        // The third look says yes, within the next round of steps.
        assert_eq!((0..steps).position(|_| stop.step()), Some(steps - 1));
        assert!(stop.step() && stop.now() && stop.stopped());
        assert_eq!(asked.load(Ordering::SeqCst), 3);
    }
}
