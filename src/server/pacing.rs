//! How long to wait after an edit before analysing the document again.
//!
//! A newer version stops an older version's analysis, so a wait saves
//! nothing but the work of an analysis that the next edit would stop. With
//! `diagnostics.debounceMs: "auto"` it is therefore decided per document
//! from what the server sees of it: no wait while its analyses end between
//! its edits (each version's diagnostics then go out as soon as they are
//! computed), nor while an analysis is cheap. Once an edit stops an
//! analysis under way, the edits outpace the analysis, and until one
//! finishes again each edit waits about one analysis' time (an
//! exponentially weighted mean of the document's analyses, at most half a
//! second), so
//! that typing into a 10 MiB document is analysed when the typing pauses,
//! not per keystroke. Waiting as long as the analysis would take bounds the
//! time lost either way: a pause as long as the wait would have seen the
//! analysis end. Now and then an analysis starts in spite of the wait, so
//! that a mean too high (an analysis slowed by a busy machine) corrects
//! itself. A number of milliseconds is a fixed wait instead.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::config::Debounce;

/// An analysis cheaper than this is run after every edit: even per
/// keystroke of a key held down it takes a small part of a core.
const CHEAP: Duration = Duration::from_millis(4);

/// The longest automatic wait. Keystrokes come closer than this while
/// one types, so a longer wait would spare no analysis, only delay the
/// diagnostics of a document whose analysis takes longer (the largest, up
/// to `files.maxSizeMiB`, take a second or more).
const LONGEST_WAIT: Duration = Duration::from_millis(500);

/// While edits outpace the analysis, one still starts at once if none has
/// started for this long, or for this many times the mean cost if longer:
/// what such an analysis may waste is then at most an eighth of a core.
const RECHECK_AFTER: Duration = Duration::from_secs(2);
const RECHECK_COSTS: u32 = 8;

/// Weight of the newest analysis in the mean cost: recent ones count most,
/// as a document's size changes with its edits.
const NEWEST_WEIGHT: f64 = 0.3;

/// What the wait after an edit is decided from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seen {
    /// Mean time of the document's analyses (`None`: never analysed yet).
    pub cost: Option<Duration>,
    /// How long the analysis this edit stops had run (`None`: none was
    /// under way).
    pub cut_short_after: Option<Duration>,
    /// An earlier edit stopped an analysis, and none has finished since.
    pub outpaced: bool,
    /// Since an analysis of the document last started (`None`: never).
    pub since_analysis_started: Option<Duration>,
}

/// The automatic wait after an edit.
pub(crate) fn automatic_wait(seen: Seen) -> Duration {
    let Some(cost) = seen.cost.max(seen.cut_short_after.map(at_least)) else {
        return Duration::ZERO;
    };
    let outpaced = seen.outpaced || seen.cut_short_after.is_some();
    let recheck = RECHECK_AFTER.max(cost.saturating_mul(RECHECK_COSTS));
    let rechecking = seen.since_analysis_started.is_some_and(|t| t >= recheck);
    if cost < CHEAP || !outpaced || rechecking {
        Duration::ZERO
    } else {
        cost.min(LONGEST_WAIT)
    }
}

/// What an analysis stopped after running `ran` is taken to cost: more than
/// that, by how much is unknown; doubling reaches the real cost within a
/// few stopped analyses, as a backoff does.
fn at_least(ran: Duration) -> Duration {
    ran.saturating_mul(2)
}

/// What one open document's wait is decided from, kept across its versions.
#[derive(Debug, Default)]
pub(crate) struct Pacing(Mutex<Recent>);

#[derive(Debug, Default)]
struct Recent {
    /// Mean time of its analyses; raised when a newer version stops one
    /// (see [`at_least`]).
    cost: Option<Duration>,
    outpaced: bool,
    /// Start of the analysis under way, if one is.
    running_since: Option<Instant>,
    last_started: Option<Instant>,
    /// When the current version is to be analysed (`None`: no edit since
    /// the document was opened, so at once).
    due: Option<Instant>,
}

impl Pacing {
    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        // The fields stay meaningful whatever a panicking holder left.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An edit came: the wait before analysing the new version.
    pub fn after_edit(&self, debounce: Debounce) -> Duration {
        let now = Instant::now();
        let mut recent = self.recent();
        let since = |t: Option<Instant>| t.map(|t| now.duration_since(t));
        let cut_short_after = since(recent.running_since);
        let wait = match debounce {
            Debounce::Fixed(ms) => Duration::from_millis(ms),
            Debounce::Auto => automatic_wait(Seen {
                cost: recent.cost,
                cut_short_after,
                outpaced: recent.outpaced,
                since_analysis_started: since(recent.last_started),
            }),
        };
        recent.outpaced |= cut_short_after.is_some();
        recent.due = now.checked_add(wait);
        wait
    }

    /// When the current version is to be analysed, if later than now.
    pub fn due(&self) -> Option<Instant> {
        self.recent().due.filter(|d| *d > Instant::now())
    }

    /// An analysis of the document starts: the time to hand to [`Pacing::ended`].
    pub fn started(&self) -> Instant {
        let now = Instant::now();
        let mut recent = self.recent();
        recent.running_since = Some(now);
        recent.last_started = Some(now);
        now
    }

    /// The analysis begun at `start` ended: `finished`, or stopped by a
    /// newer version (or failed). Returns how long it ran.
    pub fn ended(&self, start: Instant, finished: bool) -> Duration {
        let took = start.elapsed();
        let mut recent = self.recent();
        recent.cost = if finished {
            recent.outpaced = false;
            Some(match recent.cost {
                Some(mean) => mean.mul_f64(1.0 - NEWEST_WEIGHT) + took.mul_f64(NEWEST_WEIGHT),
                None => took,
            })
        } else {
            recent.cost.max(Some(at_least(took)))
        };
        if recent.running_since == Some(start) {
            recent.running_since = None;
        }
        took
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Edits that have not outpaced the analysis, the last started 100 ms
    /// ago.
    fn keeping_up(cost: u64) -> Seen {
        Seen {
            cost: Some(ms(cost)),
            cut_short_after: None,
            outpaced: false,
            since_analysis_started: Some(ms(100)),
        }
    }

    #[test]
    fn while_analyses_end_between_edits_there_is_no_wait() {
        // 10 keystrokes a second into a 5,000-line template (about 10 ms).
        assert_eq!(automatic_wait(keeping_up(10)), Duration::ZERO);
        // An edit sent once the previous one's diagnostics came, even to a
        // document whose analysis takes 600 ms.
        assert_eq!(automatic_wait(keeping_up(600)), Duration::ZERO);
        // Nothing known yet: the document was just opened.
        let unknown = Seen {
            cost: None,
            ..keeping_up(0)
        };
        assert_eq!(automatic_wait(unknown), Duration::ZERO);
    }

    #[test]
    fn cheap_analyses_are_never_waited_for() {
        // Even when edits come faster than an analysis of 1 ms.
        let cut = Seen {
            cut_short_after: Some(ms(1)),
            ..keeping_up(1)
        };
        assert_eq!(automatic_wait(cut), Duration::ZERO);
        let outpaced = Seen {
            outpaced: true,
            ..keeping_up(3)
        };
        assert_eq!(automatic_wait(outpaced), Duration::ZERO);
    }

    #[test]
    fn once_edits_outpace_the_analysis_each_waits_about_one_analysis() {
        // 10 keystrokes a second into a 10 MiB template: the first started
        // an analysis at once, the second stops it and waits...
        let cut = Seen {
            cut_short_after: Some(ms(90)),
            ..keeping_up(300)
        };
        assert_eq!(automatic_wait(cut), ms(300));
        // ...as does every one after, until an analysis finishes.
        let outpaced = Seen {
            outpaced: true,
            ..keeping_up(300)
        };
        assert_eq!(automatic_wait(outpaced), ms(300));
        // Capped, for documents whose analysis takes seconds.
        let slow = Seen {
            outpaced: true,
            ..keeping_up(4000)
        };
        assert_eq!(automatic_wait(slow), LONGEST_WAIT);
        // Unknown cost: an analysis cut short costs more than it ran.
        let opened = Seen {
            cost: None,
            cut_short_after: Some(ms(50)),
            ..keeping_up(0)
        };
        assert_eq!(automatic_wait(opened), ms(100));
    }

    #[test]
    fn a_long_burst_of_edits_still_checks_the_cost_now_and_then() {
        // An analysis slowed by a busy machine says 120 ms; edits 100 ms
        // apart wait, and none is analysed to learn better...
        let seen = |since_analysis_started| Seen {
            outpaced: true,
            since_analysis_started: Some(since_analysis_started),
            ..keeping_up(120)
        };
        assert_eq!(automatic_wait(seen(ms(1900))), ms(120));
        // ...until none has started for 2 s: this one is analysed at once.
        assert_eq!(automatic_wait(seen(ms(2000))), Duration::ZERO);
        // For a costly document, only every eight analyses' time.
        let costly = |since| Seen {
            cost: Some(ms(600)),
            ..seen(since)
        };
        assert_eq!(automatic_wait(costly(ms(4000))), LONGEST_WAIT);
        assert_eq!(automatic_wait(costly(ms(4800))), Duration::ZERO);
    }

    #[test]
    fn an_analysis_stopped_by_an_edit_makes_the_edits_wait_until_one_finishes() {
        let pacing = Pacing::default();
        assert_eq!(pacing.after_edit(Debounce::Auto), Duration::ZERO);
        let start = pacing.started();
        std::thread::sleep(ms(30));
        // The next edit comes while that analysis runs: it is slower than
        // the edits, so this one waits, at least twice what it has run.
        let wait = pacing.after_edit(Debounce::Auto);
        assert!(wait >= ms(60), "{wait:?}");
        assert!(pacing.due().is_some());
        let ran = pacing.ended(start, false);
        assert!(ran >= ms(30));
        // Edits go on waiting as long...
        assert!(pacing.after_edit(Debounce::Auto) >= ms(60));
        // ...until an analysis finishes between two edits.
        let start = pacing.started();
        pacing.ended(start, true);
        assert_eq!(pacing.after_edit(Debounce::Auto), Duration::ZERO);
    }

    #[test]
    fn the_cost_follows_recent_analyses() {
        let pacing = Pacing::default();
        let start = pacing.started();
        std::thread::sleep(ms(20));
        pacing.ended(start, true);
        // An edit stops the next analysis right away: the wait is the mean.
        let start = pacing.started();
        let wait = pacing.after_edit(Debounce::Auto);
        assert!(wait >= ms(20), "{wait:?}");
        pacing.ended(start, false);
        // Much cheaper analyses since (the document shrank): the mean falls
        // below the cheap line, and the wait goes.
        for _ in 0..20 {
            let start = pacing.started();
            pacing.ended(start, true);
        }
        let start = pacing.started();
        assert_eq!(pacing.after_edit(Debounce::Auto), Duration::ZERO);
        pacing.ended(start, false);
    }

    #[test]
    fn a_fixed_debounce_is_kept_whatever_the_cost() {
        let pacing = Pacing::default();
        assert_eq!(pacing.after_edit(Debounce::Fixed(250)), ms(250));
        assert_eq!(pacing.after_edit(Debounce::Fixed(0)), Duration::ZERO);
        assert!(pacing.due().is_none(), "no wait: due at once");
    }
}
