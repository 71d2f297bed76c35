//! The one thread pool every sweep uses: scoped workers over a slice, results in input order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `run` over `items` on `workers` threads, keeping the input order.
pub fn parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    run: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let mut out = Vec::with_capacity(items.len());
    let done: Result<(), std::convert::Infallible> = parallel_in_order(items, workers, run, |r| {
        out.push(r);
        Ok(())
    });
    let Ok(()) = done;
    out
}

/// Runs `run` over `items` on `workers` threads and hands each result to `consume` in input
/// order, as soon as every earlier one is in: a sweep streams its rows to a file in run
/// order whatever the parallelism. The first error of `consume` stops the workers (the items
/// in flight finish) and is returned.
pub fn parallel_in_order<T: Sync, R: Send, E>(
    items: &[T],
    workers: usize,
    run: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            let tx = tx.clone();
            let (next, stop, run) = (&next, &stop, &run);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, run(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, R> = BTreeMap::new();
        let mut handed = 0;
        for (i, r) in rx {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&handed) {
                handed += 1;
                if let Err(e) = consume(r) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order_whatever_the_workers() {
        let items: Vec<u64> = (0..200).collect();
        // Later items finish first: the order must still be the input's.
        let slow_first = |&x: &u64| {
            std::thread::sleep(std::time::Duration::from_micros((200 - x) * 20));
            x * x
        };
        let want: Vec<u64> = items.iter().map(|x| x * x).collect();
        for workers in [1, 2, 7] {
            assert_eq!(parallel(&items, workers, slow_first), want);
        }
    }

    #[test]
    fn an_error_stops_the_sweep() {
        let items: Vec<u32> = (0..1000).collect();
        let mut seen = Vec::new();
        let r = parallel_in_order(
            &items,
            2,
            |&x| x,
            |x| {
                seen.push(x);
                if x == 10 { Err("stop") } else { Ok(()) }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, (0..=10).collect::<Vec<_>>());
    }
}
