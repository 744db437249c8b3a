//! How long to wait after an edit before analysing the document again.
//!
//! A newer version stops an older version's analysis, so a wait saves
//! nothing but the work of an analysis that the next edit would stop. With
//! `diagnostics.debounceMs: "auto"` it is therefore decided per document
//! from two things the server sees: what its recent analyses cost (an
//! exponentially weighted mean of their times) and how far apart its edits
//! come. No wait while an analysis is cheap, or while edits come further
//! apart than one analysis takes (each then ends before the next edit, and
//! its diagnostics go out at once); otherwise, while edits come faster than
//! the document can be analysed, about one analysis' time (capped), so that
//! typing into a 10 MiB document is analysed when the typing pauses, not
//! per keystroke. Waiting as long as the analysis would take bounds the
//! time lost either way: a pause as long as the wait would have seen the
//! analysis end. The mean is learnt only from analyses that run, so one
//! that runs against it now and then corrects an estimate too high (a first
//! analysis on a busy machine). A number of milliseconds is a fixed wait
//! instead.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::config::Debounce;

/// An analysis cheaper than this is run after every edit: even per
/// keystroke of a key held down it takes a small part of a core.
const CHEAP: Duration = Duration::from_millis(4);

/// The longest automatic wait: the largest documents the server analyses
/// (16 MiB unless `files.maxSizeMiB` says otherwise) take about a second.
const LONGEST_WAIT: Duration = Duration::from_secs(1);

/// Edits outpacing the analysis still let one start at once if none has
/// started for this long, or for this many times the mean cost if longer:
/// what such an analysis may waste is then at most an eighth of a core.
const RECHECK_AFTER: Duration = Duration::from_secs(2);
const RECHECK_COSTS: u32 = 8;

/// Weight of the newest analysis in the mean cost: recent ones count most,
/// as a document's size changes with its edits.
const NEWEST_WEIGHT: f64 = 0.3;

/// What the wait after an edit is decided from.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Seen {
    /// Mean time of the document's analyses (`None`: never analysed yet).
    pub cost: Option<Duration>,
    /// Since its previous edit (`None`: the first since it was opened).
    pub since_previous_edit: Option<Duration>,
    /// How long the analysis this edit stops had run (`None`: none was
    /// under way).
    pub cut_short_after: Option<Duration>,
    /// Since an analysis of it last started (`None`: never).
    pub since_analysis_started: Option<Duration>,
}

/// The automatic wait after an edit.
pub(crate) fn automatic_wait(seen: Seen) -> Duration {
    let Some(cost) = seen.cost.max(seen.cut_short_after.map(at_least)) else {
        return Duration::ZERO;
    };
    // An analysis that this edit stops did not end between two edits.
    let edits_outpace_it =
        seen.cut_short_after.is_some() || seen.since_previous_edit.is_some_and(|gap| gap <= cost);
    let recheck = RECHECK_AFTER.max(cost.saturating_mul(RECHECK_COSTS));
    let rechecking = seen.since_analysis_started.is_some_and(|t| t >= recheck);
    if cost < CHEAP || !edits_outpace_it || rechecking {
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
    last_edit: Option<Instant>,
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
        let wait = match debounce {
            Debounce::Fixed(ms) => Duration::from_millis(ms),
            Debounce::Auto => {
                let since = |t: Option<Instant>| t.map(|t| now.duration_since(t));
                automatic_wait(Seen {
                    cost: recent.cost,
                    since_previous_edit: since(recent.last_edit),
                    cut_short_after: since(recent.running_since),
                    since_analysis_started: since(recent.last_started),
                })
            }
        };
        recent.last_edit = Some(now);
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

    /// The wait from the mean cost, the gap since the previous edit and
    /// the running time of an analysis the edit stops; the last analysis
    /// started with the previous edit.
    fn wait(cost: Option<Duration>, gap: Option<Duration>, cut: Option<Duration>) -> Duration {
        automatic_wait(Seen {
            cost,
            since_previous_edit: gap,
            cut_short_after: cut,
            since_analysis_started: gap,
        })
    }

    #[test]
    fn cheap_analyses_are_never_waited_for() {
        // A 150-line template takes well under a millisecond: even edits
        // 10 ms apart are each analysed at once.
        assert_eq!(wait(Some(ms(1)), Some(ms(10)), None), Duration::ZERO);
        assert_eq!(wait(Some(ms(3)), Some(ms(1)), None), Duration::ZERO);
        // Nothing known yet: the document was just opened.
        assert_eq!(wait(None, Some(ms(1)), None), Duration::ZERO);
        // A cheap analysis that an edit stopped right after it started.
        assert_eq!(wait(Some(ms(1)), Some(ms(2)), Some(ms(1))), Duration::ZERO);
    }

    #[test]
    fn edits_further_apart_than_an_analysis_are_not_waited_for() {
        // 10 keystrokes a second into a 5,000-line template (about 10 ms).
        assert_eq!(wait(Some(ms(10)), Some(ms(100)), None), Duration::ZERO);
        // The first edit after opening, or after a pause.
        assert_eq!(wait(Some(ms(600)), None, None), Duration::ZERO);
        assert_eq!(wait(Some(ms(600)), Some(ms(5000)), None), Duration::ZERO);
    }

    #[test]
    fn edits_faster_than_an_analysis_wait_about_one_analysis() {
        // 10 keystrokes a second into a 10 MiB template: each edit waits
        // longer than the typing's gaps, so none is analysed until it pauses.
        assert_eq!(wait(Some(ms(600)), Some(ms(100)), None), ms(600));
        // The first keystroke after a pause started an analysis at once; the
        // second stops it, and waits.
        assert_eq!(wait(Some(ms(600)), Some(ms(100)), Some(ms(90))), ms(600));
        // Capped, for documents whose analysis takes seconds.
        assert_eq!(wait(Some(ms(4000)), Some(ms(100)), None), LONGEST_WAIT);
    }

    #[test]
    fn a_long_burst_of_edits_still_checks_the_cost_now_and_then() {
        // A first analysis slowed by a busy machine says 120 ms; edits
        // 100 ms apart wait, and none is analysed to learn better...
        let seen = |since_analysis_started| Seen {
            cost: Some(ms(120)),
            since_previous_edit: Some(ms(100)),
            cut_short_after: None,
            since_analysis_started,
        };
        assert_eq!(automatic_wait(seen(Some(ms(1900)))), ms(120));
        // ...until none has started for 2 s: this one is analysed at once.
        assert_eq!(automatic_wait(seen(Some(ms(2000)))), Duration::ZERO);
        // For a costly document, only every eight analyses' time.
        let costly = Seen {
            cost: Some(ms(600)),
            ..seen(Some(ms(4000)))
        };
        assert_eq!(automatic_wait(costly), ms(600));
        let costly = Seen {
            since_analysis_started: Some(ms(4800)),
            ..costly
        };
        assert_eq!(automatic_wait(costly), Duration::ZERO);
    }

    #[test]
    fn an_analysis_stopped_by_an_edit_makes_the_next_edits_wait() {
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
        // Another edit right away waits as long.
        assert!(pacing.after_edit(Debounce::Auto) >= ms(60));
    }

    #[test]
    fn the_cost_follows_recent_analyses() {
        let pacing = Pacing::default();
        let start = pacing.started();
        std::thread::sleep(ms(20));
        pacing.ended(start, true);
        pacing.after_edit(Debounce::Auto);
        // Edits 1 ms apart, faster than the 20 ms analysis: a wait.
        assert!(pacing.after_edit(Debounce::Auto) >= ms(20));
        // Much cheaper analyses since (the document shrank): the mean falls
        // below the cheap line, and the wait goes.
        for _ in 0..20 {
            let start = pacing.started();
            pacing.ended(start, true);
        }
        assert_eq!(pacing.after_edit(Debounce::Auto), Duration::ZERO);
    }

    #[test]
    fn a_fixed_debounce_is_kept_whatever_the_cost() {
        let pacing = Pacing::default();
        assert_eq!(pacing.after_edit(Debounce::Fixed(250)), ms(250));
        assert_eq!(pacing.after_edit(Debounce::Fixed(0)), Duration::ZERO);
        assert!(pacing.due().is_none(), "no wait: due at once");
    }
}
