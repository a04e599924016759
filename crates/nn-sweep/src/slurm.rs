//! Slurm job arrays: task *i* of the array runs job *i* of the plan with `nn sweep run-one DIR --index i`.

use crate::spec::SlurmSpec;
use std::path::Path;

/// The most tasks in one array: Slurm's default `MaxArraySize` is 1001, so task ids run from 0 to 1000. A
/// larger sweep is submitted as several arrays, array *k* running jobs 1000·k + task id.
pub const MAX_ARRAY: usize = 1000;

/// The pending job indices split into arrays of task ids below [`MAX_ARRAY`]: (offset, task ids).
pub fn arrays(indices: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in indices {
        let offset = i / MAX_ARRAY * MAX_ARRAY;
        match out.iter_mut().find(|(o, _)| *o == offset) {
            Some((_, ids)) => ids.push(i - offset),
            None => out.push((offset, vec![i - offset])),
        }
    }
    out
}

/// The `#SBATCH` settings of a sweep's array.
#[derive(Clone, Debug, PartialEq)]
pub struct SlurmOptions {
    /// `--job-name`.
    pub job_name: String,
    /// `--partition`, if any.
    pub partition: Option<String>,
    /// `--account`, if any.
    pub account: Option<String>,
    /// `--time`, if any.
    pub time: Option<String>,
    /// `--cpus-per-task`: each job trains with this many threads.
    pub cpus_per_task: usize,
    /// `--mem`.
    pub mem: String,
    /// `%P` of `--array`: at most this many tasks at once.
    pub max_parallel: Option<usize>,
    /// Further `#SBATCH` lines (a line without the `#SBATCH` prefix gets it).
    pub extra: Vec<String>,
}

impl SlurmOptions {
    /// The settings of a spec's `[slurm]` table, with Slurm-friendly defaults (1 CPU, 1G per task).
    pub fn from_spec(spec: &SlurmSpec, job_name: &str) -> SlurmOptions {
        SlurmOptions {
            job_name: job_name.to_string(),
            partition: spec.partition.clone(),
            account: spec.account.clone(),
            time: spec.time.clone(),
            cpus_per_task: spec.cpus_per_task.unwrap_or(1),
            mem: spec.mem.clone().unwrap_or_else(|| "1G".into()),
            max_parallel: spec.max_parallel,
            extra: spec.extra.clone(),
        }
    }
}

/// Indices as Slurm's `--array` wants them: runs collapsed, `0-3,5,7-9`.
pub fn array_ranges(indices: &[usize]) -> String {
    let mut sorted = indices.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            sorted[i].to_string()
        } else {
            format!("{}-{}", sorted[i], sorted[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// A word for a shell, in single quotes.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A value as an `#SBATCH` directive reads it: in double quotes, with `\` and `"` escaped by a backslash, so
/// that spaces, quotes, `$` and `#` stay part of the value (sbatch's directive parser groups a double-quoted
/// run into one argument and takes a backslashed character as it is).
pub fn directive_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Refuses a value that would not stay one line of an sbatch script: one with a control character (a
/// newline would start a line of shell). `what` names the setting in the message.
pub fn check_value(what: &str, value: &str) -> Result<(), String> {
    match value.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => {
            let shown: String = format!("{value:?}").chars().take(80).collect();
            Err(format!(
                "{what} {shown} holds the control character U+{:04X}; a value for Slurm must be one line of printable text",
                u32::from(c)
            ))
        }
    }
}

impl SlurmOptions {
    /// Every value is one line of printable text (see [`check_value`]); the error names the first that is not.
    pub fn check(&self, dir: &Path, nn: &Path) -> Result<(), String> {
        let named = [
            ("the job name", Some(&self.job_name)),
            ("partition", self.partition.as_ref()),
            ("account", self.account.as_ref()),
            ("time", self.time.as_ref()),
            ("mem", Some(&self.mem)),
        ];
        for (what, v) in named {
            if let Some(v) = v {
                check_value(what, v)?;
            }
        }
        for extra in &self.extra {
            check_value("the sbatch line", extra)?;
        }
        check_value("the sweep directory", &dir.to_string_lossy())?;
        check_value("the nn binary's path", &nn.to_string_lossy())
    }

    /// The array's options as `(flag, value)`, in the script's order; [`sbatch_args`] and [`sbatch_script`]
    /// both write them.
    fn options(&self, dir: &Path, ids: &[usize]) -> Vec<(&'static str, String)> {
        let mut o = vec![
            ("job-name", self.job_name.clone()),
            (
                "array",
                format!(
                    "{}{}",
                    array_ranges(ids),
                    self.max_parallel.map_or(String::new(), |p| format!("%{p}"))
                ),
            ),
            ("cpus-per-task", self.cpus_per_task.to_string()),
            ("mem", self.mem.clone()),
            ("output", format!("{}/slurm/%A_%a.out", dir.display())),
        ];
        for (flag, v) in [
            ("partition", &self.partition),
            ("account", &self.account),
            ("time", &self.time),
        ] {
            if let Some(v) = v {
                o.push((flag, v.clone()));
            }
        }
        o
    }
}

/// The array's options as arguments of sbatch itself (which override the script's directives), so that
/// what Slurm gets does not depend on how it parses a directive: each value is one argument, as given.
pub fn sbatch_args(dir: &Path, ids: &[usize], opts: &SlurmOptions) -> Vec<String> {
    (opts.options(dir, ids).into_iter())
        .map(|(flag, v)| format!("--{flag}={v}"))
        .collect()
}

/// The batch script: an array over task ids `ids`, task *t* running job `offset + t` of the plan in `dir`
/// (absolute) with `nn` (the absolute path of the binary), its log in `dir/slurm/`. Call
/// [`SlurmOptions::check`] first: a value with a line break would end its directive.
pub fn sbatch_script(
    dir: &Path,
    nn: &Path,
    offset: usize,
    ids: &[usize],
    opts: &SlurmOptions,
) -> String {
    let mut s = String::from("#!/bin/bash\n");
    for (flag, v) in opts.options(dir, ids) {
        s.push_str(&format!("#SBATCH --{flag}={}\n", directive_quote(&v)));
    }
    for extra in &opts.extra {
        let extra = extra.trim();
        let extra = extra.strip_prefix("#SBATCH").unwrap_or(extra).trim();
        s.push_str(&format!("#SBATCH {extra}\n"));
    }
    let (job, index) = if offset == 0 {
        ("t".to_string(), "\"$SLURM_ARRAY_TASK_ID\"".to_string())
    } else {
        (
            format!("{offset} + t"),
            format!("\"$(({offset} + SLURM_ARRAY_TASK_ID))\""),
        )
    };
    s.push_str(&format!(
        "\n# Task t runs job {job} of the sweep in this script's directory; its result lands in jobs/<id>/.\n\
         exec {} sweep run-one {} --index {index}\n",
        shell_quote(&nn.to_string_lossy()),
        shell_quote(&dir.to_string_lossy()),
    ));
    s
}
