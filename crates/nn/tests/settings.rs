//! Settings by name ([`nn::Settings`], what a sweep job runs from) are the command line's settings: the same
//! names, the same values, the same run.

use nn::{NamedProblem, Settings, Spec};
use serde_json::{Value, json};

/// Pairs as a sweep spec gives them, and the `nn train` flags that say the same.
fn pairs() -> (Vec<(&'static str, Value)>, Vec<&'static str>) {
    let pairs = vec![
        ("hidden", json!("4,4")),
        ("activation", json!("tanh")),
        ("lr", json!(1)),
        ("lr-step", json!("5:0.1")),
        ("no-shuffle", json!(true)),
        ("split", json!("0.6,0.2")),
        ("batch-size", json!(64)),
        ("class-weight", json!("balanced")),
        ("select", json!("val-acc")),
        ("patience", json!(5)),
        ("seed", json!(7)),
        ("target", json!("species")),
        ("drop", json!(["year", "id"])),
        ("missing", json!("mean")),
        ("labels", json!("digits10")),
        ("header", json!("yes")),
        ("max-rows", json!(1000)),
    ];
    let flags = "--hidden 4,4 --activation tanh --lr 1 --lr-step 5:0.1 --no-shuffle --split 0.6,0.2 \
                 --batch-size 64 --class-weight balanced --select val-acc --patience 5 --seed 7 \
                 --target species --drop year,id --missing mean --labels digits10 --header yes --max-rows 1000";
    (pairs, flags.split_whitespace().collect())
}

#[test]
fn named_settings_build_the_spec_of_their_defaults_and_refuse_what_they_must() {
    let (pairs, _) = pairs();
    let s = Settings::from_named(pairs.iter().map(|(k, v)| (*k, v))).unwrap();
    assert_eq!(s.spec.hidden.0, [4, 4]);
    assert!(!s.spec.shuffle);
    assert_eq!(s.spec.lr, Some(1.0));
    assert_eq!(s.spec.lr_step.len(), 1);
    assert_eq!(s.data.drop, ["year", "id"]);
    assert_eq!(s.data.target.as_deref(), Some("species"));
    // Whatever is not named keeps its default.
    assert_eq!(s.spec.epochs, Spec::default().epochs);

    let refused = |name: &str, value: Value| Settings::from_named([(name, &value)]).unwrap_err();
    let e = refused("learning-rate", json!(0.1));
    assert_eq!(e.problem, NamedProblem::Unknown { close: vec![] });
    let e = refused("dropuot", json!(0.1));
    assert_eq!(
        e.problem,
        NamedProblem::Unknown {
            close: vec!["dropout".into()]
        }
    );
    assert!(
        refused("hidden", json!("4,0"))
            .to_string()
            .contains("'0' is not a layer width")
    );
    assert!(
        refused("missing", json!("guess"))
            .to_string()
            .contains("'missing'")
    );
    // A rule between two settings.
    let both = [("lr-step", json!("5:0.1")), ("lr-plateau", json!("0.5:3"))];
    let e = Settings::from_named(both.iter().map(|(k, v)| (*k, v))).unwrap_err();
    assert!(e.to_string().contains("conflicts with lr-step"), "{e}");
}

/// Every setting's name is a flag of `nn train`'s settings (a switch that is on by default is turned off as
/// `--no-NAME`), and the same pairs as flags give the same settings.
#[cfg(feature = "cli")]
#[test]
fn every_named_setting_is_a_flag_and_means_the_same() {
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Train {
        #[command(flatten)]
        spec: Spec,
        #[command(flatten)]
        data: nn::DataSettings,
    }

    let command = Train::command();
    let longs: Vec<&str> = command
        .get_arguments()
        .filter_map(|a| a.get_long())
        .collect();
    for name in Settings::names() {
        let no = format!("no-{name}");
        assert!(
            longs.contains(&name.as_str()) || longs.contains(&no.as_str()),
            "the setting {name} has no flag"
        );
    }
    let (pairs, flags) = pairs();
    let named = Settings::from_named(pairs.iter().map(|(k, v)| (*k, v))).unwrap();
    let parsed = Train::try_parse_from(std::iter::once("train").chain(flags)).unwrap();
    assert_eq!(named.spec, parsed.spec);
    assert_eq!(named.data, parsed.data);
    // And with nothing given, both are the defaults.
    let parsed = Train::try_parse_from(["train"]).unwrap();
    assert_eq!(parsed.spec, Spec::default());
    assert_eq!(parsed.data, nn::DataSettings::default());
}
