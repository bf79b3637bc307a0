//! Many fetches in flight at once, taken as they finish, and cancelled at will.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::{Id, JoinError, JoinSet};

use crate::{FailureKind, FetchFailure, FetchOutcome, FetchRequest, Fetcher};

/// The fetches started by [`Fetcher::start_all`]: each outcome is taken as it finishes, in the
/// order they finish, and those still in flight can be cancelled at any moment.
///
/// Dropping the batch cancels whatever is still in flight.
#[derive(Debug)]
pub struct FetchBatch {
    tasks: JoinSet<FetchOutcome>,
    /// The requests not yet handed back, with their place in the order given.
    pending: HashMap<Id, (usize, FetchRequest)>,
}

impl FetchBatch {
    pub(crate) fn start(fetcher: &Fetcher, requests: Vec<FetchRequest>) -> FetchBatch {
        let mut tasks = JoinSet::new();
        let mut pending = HashMap::with_capacity(requests.len());
        for (index, request) in requests.into_iter().enumerate() {
            let fetcher = fetcher.clone();
            let task_request = request.clone();
            let handle = tasks.spawn(async move { fetcher.fetch(&task_request).await });
            pending.insert(handle.id(), (index, request));
        }
        FetchBatch { tasks, pending }
    }

    /// How many fetches have not been handed back yet.
    pub fn remaining(&self) -> usize {
        self.pending.len()
    }

    /// The next fetch to finish, with its outcome; `None` once every fetch has been handed
    /// back (or cancelled).
    ///
    /// Cancel-safe: a `next` dropped before it completes (in a `select!`, say) loses nothing.
    pub async fn next(&mut self) -> Option<(FetchRequest, FetchOutcome)> {
        self.next_indexed()
            .await
            .map(|(_, request, outcome)| (request, outcome))
    }

    /// A fetch that has already finished, if any, without waiting.
    pub fn try_next(&mut self) -> Option<(FetchRequest, FetchOutcome)> {
        loop {
            let joined = self.tasks.try_join_next_with_id()?;
            if let Some((_, request, outcome)) = self.hand_back(joined) {
                return Some((request, outcome));
            }
        }
    }

    /// Stops every fetch still in flight (their connections are dropped at once) and returns
    /// their requests, in the order they were given. Fetches that had finished but were not
    /// taken yet are among them: take them with [`FetchBatch::try_next`] first to keep them.
    pub fn cancel(&mut self) -> Vec<FetchRequest> {
        self.tasks.abort_all();
        // Dropping the set detaches nothing: aborted tasks end at their next await.
        self.tasks = JoinSet::new();
        let mut unfinished: Vec<(usize, FetchRequest)> =
            self.pending.drain().map(|(_, r)| r).collect();
        unfinished.sort_by_key(|(index, _)| *index);
        unfinished.into_iter().map(|(_, request)| request).collect()
    }

    pub(crate) async fn next_indexed(&mut self) -> Option<(usize, FetchRequest, FetchOutcome)> {
        loop {
            let joined = self.tasks.join_next_with_id().await?;
            if let Some(done) = self.hand_back(joined) {
                return Some(done);
            }
        }
    }

    fn hand_back(
        &mut self,
        joined: Result<(Id, FetchOutcome), JoinError>,
    ) -> Option<(usize, FetchRequest, FetchOutcome)> {
        let (id, outcome) = match joined {
            Ok((id, outcome)) => (id, outcome),
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => (
                error.id(),
                FetchOutcome::Failed(FetchFailure {
                    kind: FailureKind::Connection,
                    status: None,
                    message: "the fetch was cancelled: the runtime is shutting down".to_owned(),
                    attempts: 0,
                    elapsed: Duration::ZERO,
                }),
            ),
        };
        let (index, request) = self.pending.remove(&id)?;
        Some((index, request, outcome))
    }
}
