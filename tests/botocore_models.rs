//! Issues #13 and #25: every model of a botocore release loads as shipped (`service-2.json.gz`, no preprocessing): through the library
//! for all of them, and through `conform check` for a suite on one.
//!
//! The botocore wheel is fetched from PyPI once into `target/` (like the
//! pytest sdist of the reports test). `BOTOCORE_VERSION` picks another
//! release.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{case_dir, conform, root, text};
use conform::contract::{Contract, Model, RawContract};

const DEFAULT_VERSION: &str = "1.44.8";

/// The `botocore/data` folder of the release, fetched and unpacked once.
fn botocore_data() -> PathBuf {
    static DATA: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DATA.get_or_init(fetch_botocore).clone()
}

fn fetch_botocore() -> PathBuf {
    let version = std::env::var("BOTOCORE_VERSION").unwrap_or_else(|_| DEFAULT_VERSION.to_owned());
    let dir = root().join("target").join(format!("botocore-{version}"));
    let data = dir.join("botocore/data");
    if data.is_dir() {
        return data;
    }
    let wheels = root().join("target/botocore-wheels");
    let pip = Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"])
        .arg(format!("botocore=={version}"))
        .arg("-d")
        .arg(&wheels)
        .status()
        .expect("python3 -m pip runs");
    assert!(pip.success(), "downloading the botocore {version} wheel failed");
    let wheel = std::fs::read_dir(&wheels)
        .expect("the wheel folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("botocore-{version}-"))))
        .expect("the downloaded wheel");
    let tmp = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&tmp);
    let unzip = Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&wheel).arg(&tmp).status().expect("unzip");
    assert!(unzip.success(), "unpacking {} failed", wheel.display());
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another test process unpacked it first.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    assert!(data.is_dir(), "{} holds no botocore/data", dir.display());
    data
}

/// Every `service-2.json.gz` under `data`, with the protocols it lists.
fn models(data: &Path) -> Vec<(PathBuf, serde_json::Value, Vec<String>)> {
    let mut out = Vec::new();
    for service in std::fs::read_dir(data).expect("botocore/data").flatten() {
        for version in std::fs::read_dir(service.path()).into_iter().flatten().flatten() {
            let model = version.path().join("service-2.json.gz");
            if !model.is_file() {
                continue;
            }
            let mut text = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(&model).expect("open"))
                .read_to_string(&mut text)
                .expect("gunzip");
            let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            let meta = &json["metadata"];
            let mut protocols: Vec<String> = meta["protocols"]
                .as_array()
                .map(|l| l.iter().filter_map(|p| p.as_str()).map(str::to_owned).collect())
                .unwrap_or_default();
            if protocols.is_empty() {
                protocols.push(meta["protocol"].as_str().unwrap_or_default().to_owned());
            }
            out.push((model, json, protocols));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Issue #25: every model file of the release loads as shipped, through a
/// contract (the protocol botocore picks), and speaking each protocol it lists.
#[test]
fn every_botocore_model_loads_in_every_protocol_it_lists() {
    let data = botocore_data();
    let all = models(&data);
    let mut by_protocol = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for (model, json, protocols) in &all {
        let raw = RawContract {
            model: model.display().to_string(),
            common_errors: Vec::new(),
            statements: Vec::new(),
            shape: None,
        };
        match Contract::from_raw(&data.join("contract.toml"), raw) {
            Ok(c) => *by_protocol.entry(c.model.protocol().name().to_owned()).or_default() += 1,
            Err(problems) => failures.push(format!("{}: {problems:#?}", model.display())),
        }
        for p in protocols {
            if let Err(problems) = Model::parse_speaking(json, Some(p)) {
                failures.push(format!("{} speaking {p}: {problems:#?}", model.display()));
            }
        }
    }
    let loaded: usize = by_protocol.values().sum();
    println!("botocore models: {loaded} of {} loaded, by the protocol spoken: {by_protocol:?}", all.len());
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(loaded, all.len());
    // botocore 1.44.8 ships 478 model files; another release, its own count.
    if std::env::var("BOTOCORE_VERSION").is_err() {
        assert_eq!(all.len(), 478, "botocore {DEFAULT_VERSION} ships 478 model files");
    }
}

#[test]
fn conform_check_takes_a_gzipped_model_with_look_around_patterns() {
    let data = botocore_data();
    // Lambda: rest-json, and its patterns use look-around.
    let lambda = std::fs::read_dir(data.join("lambda")).expect("lambda").flatten().next().expect("a version").path();
    let model = lambda.join("service-2.json.gz");
    let dir = case_dir(&[
        ("s/suite.toml", "contract = \"contract.toml\"\n"),
        ("s/contract.toml", &format!("model = {:?}\n", model.display().to_string())),
        ("s/c.toml", "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/2015-03-31/functions\"\n"),
    ]);
    let o = conform(&["check", "s"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
