//! Following a trace file another process appends to.

use super::*;

impl Viewer {
    /// Follows the file `follower` reads (which has read what the viewer
    /// holds): trials appended to it join the runs as they are written.
    pub fn follow(&mut self, follower: crate::trace::open::Followed) {
        #[cfg(not(target_arch = "wasm32"))]
        self.state
            .set_steerable(crate::trace::enqueue::queue_of(&follower).is_ok());
        self.follow = Some(Follow {
            follower,
            next_poll: 0.0,
        });
        self.state.set_following(true);
    }

    /// Reads what was appended to the followed file (at most every
    /// `POLL_S`); a bad line or a replaced file stops following, with a
    /// notice, and keeps everything read so far.
    pub(super) fn poll_follow(&mut self) {
        let now = self.state.now();
        let Some(mut f) = self.follow.take() else {
            return;
        };
        if now < f.next_poll {
            self.follow = Some(f);
            return;
        }
        f.next_poll = now + state::POLL_S;
        match f.follower.poll() {
            Err(e) => {
                self.state.set_following(false);
                self.state.notify(format!("stopped following: {e}"));
                return;
            }
            Ok(true) => self.absorb(f.follower.trace()),
            Ok(false) => {}
        }
        // enqueued trials move on without new trials (taken, withdrawn)
        #[cfg(not(target_arch = "wasm32"))]
        self.update_queue(&f.follower);
        self.follow = Some(f);
    }

    /// Takes in the trials (and runs) of `trace` the viewer does not hold.
    pub(super) fn absorb(&mut self, trace: &crate::trace::Trace) {
        for (i, r) in trace.runs.iter().enumerate() {
            if i >= self.runs.len() {
                let a = Analytics::with_insight(r);
                self.state.push_run(run_meta(r, &a));
                self.runs.push(r.clone());
                self.analytics.push(a);
                self.caches.push(PointCache::new());
                self.grids.push(Default::default());
                continue;
            }
            self.sync_run(i, r);
        }
    }
}
