//! Line charts and heat maps for reports (characterization, sweeps), as PNG (with a bundled
//! font, so that a plot looks the same on every machine) or SVG (for papers): the process's
//! plot format (`--plot-format`) picks the one `plot_path` names.

use crate::support::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

/// The file format of plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlotFormat {
    #[default]
    Png,
    Svg,
}

/// The plot format of this process (`--plot-format`; PNG unless set).
static SVG: AtomicBool = AtomicBool::new(false);

pub fn set_format(format: PlotFormat) {
    SVG.store(format == PlotFormat::Svg, Ordering::Relaxed);
}

/// `dir/<stem>.png`, or `.svg` when the process's plot format is SVG.
pub fn plot_path(dir: &Path, stem: &str) -> PathBuf {
    let ext = if SVG.load(Ordering::Relaxed) {
        "svg"
    } else {
        "png"
    };
    dir.join(format!("{stem}.{ext}"))
}

fn is_svg(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

/// Fills `root` white, draws on it with `draw` and writes it to `path`.
fn present<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    path: &Path,
    draw: impl FnOnce(&DrawingArea<DB, Shift>) -> std::result::Result<(), String>,
) -> Result<()> {
    let fail = |e: String| Error::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    draw(&root).map_err(fail)?;
    root.present().map_err(|e| fail(e.to_string()))
}

/// Runs `$draw` (a generic function of a drawing area) on a `$size` canvas written to
/// `$path`, SVG or PNG by its extension.
macro_rules! on_canvas {
    ($path:expr, $size:expr, $draw:expr) => {{
        register_font();
        if is_svg($path) {
            present(
                SVGBackend::new($path, $size).into_drawing_area(),
                $path,
                $draw,
            )
        } else {
            present(
                BitMapBackend::new($path, $size).into_drawing_area(),
                $path,
                $draw,
            )
        }
    }};
}

/// DejaVu Sans (sim/fonts/, its licence beside it).
static FONT: &[u8] = include_bytes!("../../sim/fonts/DejaVuSans.ttf");

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the bundled font parses"));
    });
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Line,
    Points,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub mark: Mark,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Draws `chart` into a 900 x 600 plot at `path` (SVG or PNG by its extension).
pub fn write_chart(chart: &Chart, path: &Path) -> Result<()> {
    write_panels(std::slice::from_ref(chart), path)
}

/// Draws `charts` one above the other into a plot at `path`, 900 wide and 600 tall per chart.
pub fn write_panels(charts: &[Chart], path: &Path) -> Result<()> {
    let height = 600 * charts.len().max(1) as u32;
    on_canvas!(path, (900, height), |root| {
        for (area, chart) in root
            .split_evenly((charts.len().max(1), 1))
            .iter()
            .zip(charts)
        {
            draw(area, chart)?;
        }
        Ok(())
    })
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> std::result::Result<(), String> {
    let all = chart.series.iter().flat_map(|s| &s.points);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = |a: f64, b: f64| if b > a { (b - a) * 0.05 } else { 1.0 };
    let (px, py) = (pad(x0, x1), pad(y0, y1));
    let mut ctx = ChartBuilder::on(area)
        .caption(&chart.title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0 - px..x1 + px, y0 - py..y1 + py)
        .map_err(|e| e.to_string())?;
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, s) in chart.series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let finite = s
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        let legend = match s.mark {
            Mark::Line => ctx.draw_series(LineSeries::new(finite, color.stroke_width(2))),
            Mark::Points => ctx.draw_series(finite.map(|p| Circle::new(p, 4, color.filled()))),
        }
        .map_err(|e| e.to_string())?;
        legend.label(&s.name).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
        });
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A class number under its cell (of `n`), nothing at the cell edges.
fn cell_label(v: &SegmentValue<i32>, n: i32) -> String {
    match v {
        SegmentValue::CenterOf(i) if *i < n => i.to_string(),
        _ => String::new(),
    }
}

/// Draws a confusion matrix (`counts[true][predicted]`) as a 700 x 700 heat map with the
/// count in every cell, at `path` (SVG or PNG by its extension).
pub fn write_confusion(title: &str, counts: &[Vec<u32>], path: &Path) -> Result<()> {
    on_canvas!(path, (700, 700), |root| confusion(root, title, counts))
}

fn confusion<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    counts: &[Vec<u32>],
) -> std::result::Result<(), String> {
    let n = counts.len() as i32;
    let mut ctx = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(50)
        // A segmented 0..n-1 has n cells, one per class.
        .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())
        .map_err(|e| e.to_string())?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc("predicted")
        .y_desc("true")
        .x_labels(n as usize)
        .y_labels(n as usize)
        .x_label_formatter(&|v| cell_label(v, n))
        .y_label_formatter(&|v| cell_label(v, n))
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(|e| e.to_string())?;
    let row_max: Vec<u32> = counts
        .iter()
        .map(|r| r.iter().sum::<u32>().max(1))
        .collect();
    let cells = counts.iter().enumerate().flat_map(|(t, row)| {
        let total = row_max[t];
        row.iter()
            .enumerate()
            .map(move |(p, &c)| (t as i32, p as i32, c, total))
    });
    ctx.draw_series(cells.clone().map(|(t, p, c, total)| {
        let shade = 1.0 - c as f64 / total as f64;
        let v = (255.0 * shade) as u8;
        Rectangle::new(
            [
                (SegmentValue::Exact(p), SegmentValue::Exact(t)),
                (SegmentValue::Exact(p + 1), SegmentValue::Exact(t + 1)),
            ],
            RGBColor(v, v, 255).filled(),
        )
    }))
    .map_err(|e| e.to_string())?;
    ctx.draw_series(cells.filter(|&(_, _, c, _)| c > 0).map(|(t, p, c, _)| {
        Text::new(
            c.to_string(),
            (SegmentValue::CenterOf(p), SegmentValue::CenterOf(t)),
            ("sans-serif", 14).into_font(),
        )
    }))
    .map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_svg_or_png() {
        let dir = tempfile::tempdir().unwrap();
        let counts = vec![vec![3, 1], vec![0, 4]];
        let (svg, png) = (dir.path().join("c.svg"), dir.path().join("c.png"));
        write_confusion("confusion", &counts, &svg).unwrap();
        write_confusion("confusion", &counts, &png).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            text.starts_with("<svg") && text.contains("confusion"),
            "{text}"
        );
        assert!(
            std::fs::read(&png)
                .unwrap()
                .starts_with(b"\x89PNG\r\n\x1a\n")
        );
        // The process's format is PNG unless the command line sets it.
        assert_eq!(plot_path(dir.path(), "x"), dir.path().join("x.png"));
    }
}
