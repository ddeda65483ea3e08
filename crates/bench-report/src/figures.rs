//! The figures a benchmark run gathered: JSON lines written by each runner
//! (the Cedar baseline, the package in Node and in Chromium, the app in
//! Chromium, the server under load) and criterion's medians of the native
//! benchmarks, read into one list.

use std::path::Path;

use serde_json::Value;

/// One measurement. `suite` says who measured (`native`, `node`,
/// `chromium`, `cedar_full`, `cedar_reachable`, `custody_native`, `app`,
/// `server`), `world` and `size` what it ran on, `case` what it timed.
#[derive(Debug, Clone)]
pub struct Figure {
    pub suite: String,
    pub world: String,
    pub size: String,
    pub case: String,
    /// The median, in milliseconds (absent for sizes).
    pub ms: Option<f64>,
    /// Everything else the runner wrote (p99, throughput, bytes, counts).
    pub extra: serde_json::Map<String, Value>,
}

impl Figure {
    pub fn number(&self, key: &str) -> Option<f64> {
        self.extra.get(key).and_then(Value::as_f64)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.extra
            .get(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// Every figure, with lookups by what it measured.
#[derive(Debug, Default)]
pub struct Figures(pub Vec<Figure>);

impl Figures {
    /// The figure of `suite` on `world` at `size` for `case`.
    pub fn get(&self, suite: &str, world: &str, size: &str, case: &str) -> Option<&Figure> {
        self.0
            .iter()
            .find(|f| f.suite == suite && f.world == world && f.size == size && f.case == case)
    }

    pub fn ms(&self, suite: &str, world: &str, size: &str, case: &str) -> Option<f64> {
        self.get(suite, world, size, case).and_then(|f| f.ms)
    }

    pub fn suite<'a>(&'a self, suite: &'a str) -> impl Iterator<Item = &'a Figure> + 'a {
        self.0.iter().filter(move |f| f.suite == suite)
    }
}

/// Reads every `*.jsonl` file of `dir`; a line that is not a figure is
/// reported and skipped, so one runner's slip does not hide the rest.
pub fn read_results(dir: &Path, figures: &mut Figures) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            match serde_json::from_str::<Value>(line).ok().and_then(figure_of) {
                Some(f) => figures.0.push(f),
                None => eprintln!("{}:{}: not a figure, skipped", file.display(), n + 1),
            }
        }
    }
    Ok(())
}

fn figure_of(value: Value) -> Option<Figure> {
    let Value::Object(mut map) = value else {
        return None;
    };
    let mut take = |key: &str| match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let suite = take("suite")?;
    let world = take("world")?;
    let size = take("size")?;
    let case = take("case")?;
    let ms = map.remove("ms").and_then(|v| v.as_f64());
    Some(Figure {
        suite,
        world,
        size,
        case,
        ms,
        extra: map,
    })
}

/// Criterion's median of each native benchmark, from
/// `<dir>/<group>/<bench>/new/estimates.json`; groups are named
/// `<world>_<size>` (`tidy_L`, `irregular_direct_XL`).
pub fn read_criterion(dir: &Path, figures: &mut Figures) {
    let Ok(groups) = std::fs::read_dir(dir) else {
        return;
    };
    let mut found = Vec::new();
    for group in groups.filter_map(Result::ok) {
        let name = group.file_name().to_string_lossy().into_owned();
        let Some((world, size)) = name.rsplit_once('_') else {
            continue;
        };
        let Ok(benches) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for bench in benches.filter_map(Result::ok) {
            let path = bench.path().join("new").join("estimates.json");
            let Some(median_ns) = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v["median"]["point_estimate"].as_f64())
            else {
                continue;
            };
            found.push(Figure {
                suite: "native".to_string(),
                world: world.to_string(),
                size: size.to_string(),
                case: bench.file_name().to_string_lossy().into_owned(),
                ms: Some(median_ns / 1e6),
                extra: serde_json::Map::new(),
            });
        }
    }
    found.sort_by(|a, b| (&a.world, &a.size, &a.case).cmp(&(&b.world, &b.size, &b.case)));
    figures.0.extend(found);
}

/// The raw and gzipped (level 9) size of a file, as a figure of `suite`.
pub fn file_size(path: &Path, suite: &str, case: &str) -> Option<Figure> {
    use std::io::Write;
    let bytes = std::fs::read(path).ok()?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).ok()?;
    let gzipped = gz.finish().ok()?;
    let mut extra = serde_json::Map::new();
    extra.insert("bytes".into(), bytes.len().into());
    extra.insert("gzip_bytes".into(), gzipped.len().into());
    Some(Figure {
        suite: suite.to_string(),
        world: "-".to_string(),
        size: "-".to_string(),
        case: case.to_string(),
        ms: None,
        extra,
    })
}
