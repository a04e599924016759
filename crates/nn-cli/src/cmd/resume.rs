//! `nn train --resume`: a refusal for every flag given whose value differs from the saved run's, unless its
//! setting may change on resume (which [`nn::Spec`] marks beside each setting's definition). A refused flag
//! would otherwise be ignored, and the run would not be the one asked for. The data is checked by its digest
//! when the run starts.

use crate::args::TrainArgs;
use nn_train::ResumeProblem;
use nn_train::job::JobSpec;

/// Compares every setting given on the command line (`given(id)`, the argument id being the setting's
/// name) with the saved run's. `saved` is the file's job.
pub fn check_flags(
    saved: &JobSpec,
    a: &TrainArgs,
    given: impl Fn(&str) -> bool,
) -> Result<(), ResumeProblem> {
    let saved = nn::Spec::from_job(saved);
    let flags = <nn::Spec as clap::Args>::augment_args(clap::Command::new("spec"));
    match (saved.differences(&a.spec).into_iter()).find(|d| !d.may_change && given(d.setting)) {
        None => Ok(()),
        Some(d) => {
            let long = (flags.get_arguments())
                .find(|arg| arg.get_id() == d.setting)
                .and_then(|arg| arg.get_long())
                .unwrap_or(d.setting);
            Err(ResumeProblem::Differs {
                flag: format!("--{long}"),
                saved: d.saved,
                given: d.given,
            })
        }
    }
}
