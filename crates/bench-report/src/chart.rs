//! The report's chart: preview time against world size, on a log scale,
//! for Custody native, Custody as wasm (Chromium and Node) and the Cedar
//! sweeps, on one change of one kind of world.

use plotters::prelude::*;

use crate::figures::Figures;

const SIZES: [&str; 4] = ["S", "M", "L", "XL"];

/// The series drawn: a label, where its figures come from, a colour.
const SERIES: [(&str, &str, RGBColor); 5] = [
    ("Custody native", "native", RGBColor(31, 119, 180)),
    ("Custody wasm, Chromium", "chromium", RGBColor(44, 160, 44)),
    ("Custody wasm, Node", "node", RGBColor(148, 103, 189)),
    (
        "Cedar, reachable sweep",
        "cedar_reachable",
        RGBColor(255, 127, 14),
    ),
    ("Cedar, full sweep", "cedar_full", RGBColor(214, 39, 40)),
];

/// A series as drawn: its label, colour and (size index, ms) points.
type Drawn = (&'static str, RGBColor, Vec<(f64, f64)>);

/// Writes the chart of `case` on `world` as SVG to `path`; returns false
/// when there is nothing to draw.
pub fn draw(
    figures: &Figures,
    world: &str,
    case: &str,
    path: &std::path::Path,
) -> Result<bool, String> {
    let series: Vec<Drawn> = SERIES
        .iter()
        .map(|(label, suite, colour)| {
            let points: Vec<(f64, f64)> = SIZES
                .iter()
                .enumerate()
                .filter_map(|(i, size)| {
                    let ms = figures.ms(suite, world, size, case)?;
                    (ms > 0.0).then_some((i as f64, ms))
                })
                .collect();
            (*label, *colour, points)
        })
        .filter(|(_, _, points)| !points.is_empty())
        .collect();
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.2.iter().map(|p| p.1))
        .collect();
    let (Some(low), Some(high)) = (
        all.iter().copied().reduce(f64::min),
        all.iter().copied().reduce(f64::max),
    ) else {
        return Ok(false);
    };
    let root = SVGBackend::new(path, (860, 520)).into_drawing_area();
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Preview time by world size: {case}, {world} worlds"),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        // Room below the lowest point for the legend.
        .build_cartesian_2d(-0.2f64..3.2f64, ((low / 30.0)..(high * 2.0)).log_scale())
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_labels(4)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && (0.0..4.0).contains(&i) {
                SIZES[i as usize].to_string()
            } else {
                String::new()
            }
        })
        .x_desc("world size")
        .y_desc("milliseconds (log scale)")
        .y_label_formatter(&|y| format!("{y}"))
        .draw()
        .map_err(|e| fail(&e))?;
    for (label, colour, points) in series {
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(|e| fail(&e))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled())))
            .map_err(|e| fail(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(true)
}
