//! After its first epoch the training loop allocates nothing: counted by a global allocator wrapper.

use nn_core::{Network, Output};
use nn_linalg::{Matrix, Threads};
use nn_train::{Optimizer, Samples, Selection, TrainConfig, TrainData, TrainEvent, Trainer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)] // a global allocator is unsafe by nature; this one only counts and forwards to System
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn part(m: usize, offset: usize) -> Samples<f64> {
    let x = Matrix::from_fn(m, 8, |i, j| {
        (((i + offset) * 7 + j * 3) % 11) as f64 / 11.0 - 0.5
    });
    Samples {
        x,
        labels: (0..m).map(|i| (i + offset) % 3).collect(),
    }
}

/// One test in this binary: the counter is process-wide, and the harness would otherwise be starting other
/// tests' threads (which allocate) while this one counts.
#[test]
fn no_allocation_after_the_first_epoch() {
    small_products_every_optimizer();
    parallel_products();
}

fn small_products_every_optimizer() {
    let data = TrainData {
        train: part(100, 0),
        validation: Some(part(30, 100)),
        test: Some(part(30, 130)),
    };
    for (optimizer, batch, selection) in [
        (Optimizer::Gd, None, Selection::VAL_LOSS),
        (Optimizer::MOMENTUM, Some(32), Selection::TEST_ACC), // last batch of 4 exercises the resize path
        (Optimizer::ADAM, Some(10), Selection::Last),
    ] {
        for threads in [Threads::Single, Threads::All] {
            let config = TrainConfig {
                epochs: 20,
                lr: 0.05,
                optimizer,
                batch_size: batch,
                selection,
                threads,
                ..TrainConfig::default()
            };
            let net = Network::<f64>::xavier(8, &[16, 8], 3, Output::Softmax, 0).unwrap();
            let mut t = Trainer::new(config.validate(100, true, true).unwrap(), net);
            let (mut after_first, mut at_end) = (0, 0);
            t.run(&data, &mut |e| match e {
                TrainEvent::Epoch(r) if r.epoch == 1 => {
                    after_first = ALLOCATIONS.load(Ordering::SeqCst)
                }
                TrainEvent::Epoch(r) if r.epoch == 20 => {
                    at_end = ALLOCATIONS.load(Ordering::SeqCst)
                }
                _ => {}
            })
            .unwrap();
            assert!(after_first > 0, "the counter sees the set-up's allocations");
            assert_eq!(
                at_end - after_first,
                0,
                "{} {batch:?} {threads:?}: allocations in epochs 2..=20",
                optimizer.name()
            );
        }
    }
}

/// At digits size (products over 16.8 MFLOP, a hidden layer over 65,536 elements), where products and the
/// activation pass split over the threads: nothing is allocated after the first epoch on one thread or several.
/// (faer's own parallel product allocated 21 small blocks per epoch here; nn-linalg now splits products itself.)
fn parallel_products() {
    let x = Matrix::from_fn(1100, 400, |i, j| ((i * 13 + j * 7) % 17) as f64 / 17.0);
    const { assert!(2 * 1100 * 400 * 64 >= Threads::MIN_PARALLEL_FLOPS) };
    const { assert!(1100 * 64 >= Threads::MIN_PARALLEL_ELEMENTS) };
    let data = TrainData {
        train: Samples {
            x,
            labels: (0..1100).map(|i| i % 10).collect(),
        },
        validation: None,
        test: None,
    };
    for threads in [Threads::Single, Threads::from_count(2), Threads::All] {
        let config = TrainConfig {
            epochs: 6,
            lr: 0.1,
            selection: Selection::Last,
            threads,
            ..TrainConfig::default()
        };
        let net = Network::<f64>::xavier(400, &[64], 10, Output::Softmax, 0).unwrap();
        let mut t = Trainer::new(config.validate(1100, false, false).unwrap(), net);
        let mut counts = Vec::with_capacity(8);
        t.run(&data, &mut |e| {
            if let TrainEvent::Epoch(_) = e {
                counts.push(ALLOCATIONS.load(Ordering::SeqCst));
            }
        })
        .unwrap();
        let per_epoch: Vec<usize> = counts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            per_epoch.iter().all(|&n| n == 0),
            "{threads:?}: allocations in epochs 2..=6: {per_epoch:?}"
        );
    }
}
