//! After its first epoch the training loop allocates nothing.
//!
//! What is counted, precisely: every allocation (and reallocation) made on the thread that runs the loop and
//! on the threads of the pool its products run on, from the `Start` event to the `End` event. Those threads
//! run only our code while training (the loop, the kernels, the observer below), so this is the claim "the
//! training loop allocates nothing", and nothing else: the test harness's own threads (which allocate, e.g.
//! to report a slow test on a loaded machine) and any other thread in the process are not counted. A
//! thread-local flag marks the counted threads: the observer sets it on the loop's thread at `Start` and, with
//! several threads, on every thread of the current pool through `rayon::broadcast`.

use nn_core::{Network, Output};
use nn_linalg::{Matrix, Threads};
use nn_train::{Optimizer, Samples, Selection, Shift, TrainConfig, TrainData, TrainEvent, Trainer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted. A `const` thread-local without destructor: reading it
    /// never allocates, so the allocator may consult it.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTED.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

#[allow(unsafe_code)] // a global allocator is unsafe by nature; this one only counts and forwards to System
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Marks (or unmarks) the loop's thread and, with several threads, every thread of the pool it runs in.
fn enrol(threads: Threads, on: bool) {
    COUNTED.with(|c| c.set(on));
    if threads != Threads::Single {
        rayon::broadcast(|_| COUNTED.with(|c| c.set(on)));
    }
}

/// Allocations counted in each epoch of a run of `t` on `data`: element i is epoch i + 1's.
fn per_epoch(t: &mut Trainer<f64>, data: &TrainData<f64>, threads: Threads) -> Vec<usize> {
    observed_per_epoch(t, data, threads, |_| {})
}

/// [`per_epoch`], with `observer` seeing every event too (its allocations count).
fn observed_per_epoch(
    t: &mut Trainer<f64>,
    data: &TrainData<f64>,
    threads: Threads,
    mut observer: impl FnMut(&TrainEvent<'_, f64>) + Send,
) -> Vec<usize> {
    let mut marks = Vec::with_capacity(64);
    t.run(data, &mut |e| {
        observer(e);
        match e {
            TrainEvent::Start { .. } => {
                enrol(threads, true);
                marks.push(ALLOCATIONS.load(Ordering::SeqCst));
            }
            TrainEvent::Snapshot { .. } => marks.push(ALLOCATIONS.load(Ordering::SeqCst)),
            TrainEvent::End { .. } => enrol(threads, false),
            _ => {}
        }
    })
    .unwrap();
    marks.windows(2).map(|w| w[1] - w[0]).collect()
}

fn part(m: usize, offset: usize) -> Samples<f64> {
    let x = Matrix::from_fn(m, 8, |i, j| {
        (((i + offset) * 7 + j * 3) % 11) as f64 / 11.0 - 0.5
    });
    Samples::classes(x, (0..m).map(|i| (i + offset) % 3).collect())
}

/// One test in this binary, so that no other test shares the pools while this one counts.
#[test]
fn no_allocation_after_the_first_epoch() {
    the_counter_counts_enrolled_threads_only();
    small_products_every_optimizer();
    parallel_products();
    tensorboard_log();
}

/// The counter itself: an allocation on an enrolled thread counts, one elsewhere does not, and a broadcast
/// enrols every thread of a pool.
fn the_counter_counts_enrolled_threads_only() {
    let allocate = || drop(std::hint::black_box(vec![1u8; 64]));
    let counted = |f: &dyn Fn()| {
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        f();
        ALLOCATIONS.load(Ordering::SeqCst) - before
    };
    assert_eq!(counted(&allocate), 0, "not enrolled");
    COUNTED.with(|c| c.set(true));
    assert_eq!(counted(&allocate), 1, "enrolled");
    COUNTED.with(|c| c.set(false));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        enrol(Threads::from_count(2), true);
        let n = counted(&|| {
            rayon::broadcast(|_| allocate());
        });
        // The broadcast's own bookkeeping may allocate too; each of the two threads allocated once at least.
        assert!(n >= 2, "{n} allocations counted on a pool of 2");
        enrol(Threads::from_count(2), false);
    });
}

/// 100 training rows of 8 features in 3 classes, with validation and test parts of 30.
fn three_parts() -> TrainData<f64> {
    TrainData {
        train: part(100, 0),
        validation: Some(part(30, 100)),
        test: Some(part(30, 130)),
        scaling: None,
    }
}

fn small_products_every_optimizer() {
    let data = three_parts();
    // The 8 features as a 2×4 image, for the shifts.
    let shift = Some(Shift {
        max: 1,
        height: 2,
        width: 4,
    });
    for (optimizer, batch, selection, dropout, shift) in [
        (Optimizer::Gd, None, Selection::VAL_LOSS, 0.0, None),
        (
            Optimizer::MOMENTUM,
            Some(32),
            Selection::TEST_ACC,
            0.0,
            None,
        ), // last batch of 4: resized
        (Optimizer::ADAM, Some(10), Selection::Last, 0.0, None),
        (Optimizer::ADAM, Some(32), Selection::VAL_LOSS, 0.25, None), // dropout masks, also resized
        (Optimizer::ADAM, Some(32), Selection::VAL_LOSS, 0.25, shift), // and shifted images
        (Optimizer::Gd, None, Selection::VAL_LOSS, 0.0, shift),       // full batch, shifted: a copy
        (Optimizer::LBFGS, None, Selection::VAL_LOSS, 0.0, None),
    ] {
        for threads in [Threads::Single, Threads::All] {
            let config = TrainConfig {
                epochs: 20,
                lr: 0.05,
                optimizer,
                batch_size: batch,
                selection,
                threads,
                dropout,
                shift,
                ..TrainConfig::default()
            };
            let net = Network::<f64>::xavier(8, &[16, 8], 3, Output::Softmax, 0).unwrap();
            let mut t = Trainer::new(config.validate(100, true, true).unwrap(), net);
            let counts = per_epoch(&mut t, &data, threads);
            assert_eq!(counts.len(), 20);
            assert!(
                counts[1..].iter().all(|&n| n == 0),
                "{} {batch:?} {threads:?}: allocations in epochs 2..=20: {:?}",
                optimizer.name(),
                &counts[1..]
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
        train: Samples::classes(x, (0..1100).map(|i| i % 10).collect()),
        validation: None,
        test: None,
        scaling: None,
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
        let counts = per_epoch(&mut t, &data, threads);
        assert!(
            counts[1..].iter().all(|&n| n == 0),
            "{threads:?}: allocations in epochs 2..=6: {:?}",
            &counts[1..]
        );
    }
}

/// With `nn train --logdir`'s observer: each epoch's TensorBoard record (every part's scalars, a cost
/// beside each loss, and every class's scores) is encoded into buffers the file keeps, so logging allocates
/// nothing after the first epoch.
fn tensorboard_log() {
    let data = three_parts();
    let dir = std::env::temp_dir().join(format!("nn-allocations-tb-{}", std::process::id()));
    let names = ["a", "b", "c"].map(String::from);
    let mut board = nn_train::tensorboard::TensorBoard::new(&dir).with_classes(&names);
    let config = TrainConfig {
        epochs: 12,
        lr: 0.05,
        lambda: 0.1,
        optimizer: Optimizer::ADAM,
        batch_size: Some(32),
        ..TrainConfig::default()
    };
    let net = Network::<f64>::xavier(8, &[16], 3, Output::Softmax, 0).unwrap();
    let mut t = Trainer::new(config.validate(100, true, true).unwrap(), net);
    let counts = observed_per_epoch(&mut t, &data, Threads::Single, |e| board.event(e));
    assert!(board.problem.is_none(), "{:?}", board.problem);
    assert_eq!(counts.len(), 12);
    assert!(
        counts[1..].iter().all(|&n| n == 0),
        "allocations in epochs 2..=12 with a TensorBoard log: {:?}",
        &counts[1..]
    );
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 1, "one event file");
    let bytes = std::fs::read(files[0].as_ref().unwrap().path()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    // The per-class tags are in every epoch's record (a tag is stored as its bytes).
    for tag in [
        "validation/weighted_f1",
        "test_by_class/recall/c",
        "train_by_class/f1/a",
    ] {
        let found = bytes
            .windows(tag.len())
            .filter(|w| *w == tag.as_bytes())
            .count();
        assert_eq!(found, 12, "{tag}");
    }
}
