//! Layered DAG layout, axis ticks and dashboard panels.

use nasviz::arch::Dag;
use nasviz::layout::{
    dashboard_panels, format_percent, format_tick, layout_dag, layout_dag_with, layout_graph,
    nice_ticks, DagLayout, Direction, LayoutOptions, Rect, TickStyle,
};
use nasviz::rng::Rng;

fn nb101_cell() -> Dag {
    Dag::new(
        [
            "input",
            "conv3x3-bn-relu",
            "maxpool3x3",
            "conv1x1-bn-relu",
            "output",
        ]
        .map(String::from)
        .to_vec(),
        vec![(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)],
    )
}

/// `n` nodes, every node `j > 0` fed by a random earlier node within
/// `window`, then random edges within `window` up to `m` in all.
fn random_dag(n: usize, m: usize, window: usize, seed: u64) -> Dag {
    let mut rng = Rng::new(seed);
    let mut edges = Vec::new();
    for j in 1..n {
        edges.push((j - 1 - rng.below(window.min(j)), j));
    }
    while edges.len() < m {
        let j = 1 + rng.below(n - 1);
        edges.push((j - 1 - rng.below(window.min(j)), j));
    }
    Dag::new((0..n).map(|i| format!("n{i}")).collect(), edges)
}

fn assert_no_overlaps(l: &DagLayout) {
    let rects: Vec<Rect> = l.nodes.iter().map(|n| n.rect()).collect();
    for i in 0..rects.len() {
        for j in i + 1..rects.len() {
            assert!(
                !rects[i].overlaps(&rects[j]),
                "nodes {i} and {j} overlap: {:?} {:?}",
                rects[i],
                rects[j]
            );
        }
    }
}

fn assert_layers_respect_edges(dag: &Dag, l: &DagLayout) {
    for &(a, b) in &dag.edges {
        assert!(l.nodes[a].layer < l.nodes[b].layer, "edge {a}->{b}");
    }
}

/// True when `p` lies on the border of `r` (within `eps`).
fn on_border(r: Rect, p: [f32; 2], eps: f32) -> bool {
    let inside = p[0] >= r.x - eps
        && p[0] <= r.right() + eps
        && p[1] >= r.y - eps
        && p[1] <= r.bottom() + eps;
    let near_edge = (p[0] - r.x).abs() <= eps
        || (p[0] - r.right()).abs() <= eps
        || (p[1] - r.y).abs() <= eps
        || (p[1] - r.bottom()).abs() <= eps;
    inside && near_edge
}

fn assert_paths_on_nodes(l: &DagLayout) {
    for e in &l.edges {
        assert!(
            e.points.len() >= 2,
            "edge {}->{} has no polyline",
            e.from,
            e.to
        );
        let first = e.points[0];
        let last = e.points[e.points.len() - 1];
        assert!(
            on_border(l.nodes[e.from].rect(), first, 1e-2),
            "edge {}->{} start",
            e.from,
            e.to
        );
        assert!(
            on_border(l.nodes[e.to].rect(), last, 1e-2),
            "edge {}->{} end",
            e.from,
            e.to
        );
    }
}

fn assert_inside_bounds(l: &DagLayout) {
    let b = Rect::from_edges(l.bounds[0], l.bounds[1], l.bounds[2], l.bounds[3]);
    let grown = Rect::new(b.x - 1e-3, b.y - 1e-3, b.w + 2e-3, b.h + 2e-3);
    for n in &l.nodes {
        assert!(grown.contains_rect(&n.rect()));
    }
    for e in &l.edges {
        for &p in &e.points {
            assert!(grown.contains_point(p));
        }
    }
}

#[test]
fn nb101_cell_is_clean_and_symmetric() {
    let dag = nb101_cell();
    let l = layout_dag(&dag, &LayoutOptions::default());
    assert_eq!(l.crossings, 0);
    assert_eq!(l.layer_count, 4);
    assert_eq!(
        l.nodes.iter().map(|n| n.layer).collect::<Vec<_>>(),
        [0, 1, 1, 2, 3]
    );
    assert_layers_respect_edges(&dag, &l);
    assert_no_overlaps(&l);
    assert_paths_on_nodes(&l);
    assert_inside_bounds(&l);
    let x: Vec<f32> = l.nodes.iter().map(|n| n.center[0]).collect();
    let y: Vec<f32> = l.nodes.iter().map(|n| n.center[1]).collect();
    // Input, conv1x1 and output on one vertical line; the two branches
    // mirrored about it, at the same height.
    assert!((x[0] - x[3]).abs() < 1e-3 && (x[0] - x[4]).abs() < 1e-3);
    assert!(((x[1] + x[2]) * 0.5 - x[0]).abs() < 1e-3);
    assert!((y[1] - y[2]).abs() < 1e-3);
    // Output below everything else, input above.
    for i in 0..4 {
        assert!(y[4] > y[i]);
        assert!(l.nodes[4].layer > l.nodes[i].layer);
    }
    for i in 1..5 {
        assert!(y[0] < y[i]);
    }
    // Centred in its bounds.
    assert!((x[0] - l.width() * 0.5).abs() < 1e-3);
}

#[test]
fn nb101_cell_left_to_right() {
    let dag = nb101_cell();
    let options = LayoutOptions {
        direction: Direction::LeftToRight,
        ..LayoutOptions::default()
    };
    let l = layout_dag(&dag, &options);
    assert_eq!(l.crossings, 0);
    assert_no_overlaps(&l);
    assert_paths_on_nodes(&l);
    for i in 0..4 {
        assert!(l.nodes[4].center[0] > l.nodes[i].center[0]);
    }
    assert!((l.nodes[0].center[1] - l.nodes[4].center[1]).abs() < 1e-3);
    assert!(l.width() > l.height());
}

#[test]
fn random_nb101_cells_have_no_overlaps_or_backward_edges() {
    let mut rng = Rng::new(3);
    for _ in 0..200 {
        let cell = nasviz::arch::nb101::Cell::random(&mut rng);
        let dag = cell.to_dag();
        let l = layout_dag(&dag, &LayoutOptions::default());
        assert_layers_respect_edges(&dag, &l);
        assert_no_overlaps(&l);
        assert_paths_on_nodes(&l);
        assert_inside_bounds(&l);
        let out = dag.len() - 1;
        for i in 0..out {
            assert!(l.nodes[out].center[1] > l.nodes[i].center[1]);
        }
    }
}

#[test]
fn layout_is_deterministic() {
    for dag in [nb101_cell(), random_dag(300, 700, 20, 5)] {
        let a = layout_dag(&dag, &LayoutOptions::default());
        let b = layout_dag(&dag, &LayoutOptions::default());
        assert_eq!(a, b);
    }
}

#[test]
fn thousand_node_dag() {
    let dag = random_dag(1000, 2000, 32, 11);
    let l = layout_dag(&dag, &LayoutOptions::default());
    assert_eq!(l.nodes.len(), 1000);
    assert_eq!(l.edges.len(), dag.edges.len());
    assert_layers_respect_edges(&dag, &l);
    assert_paths_on_nodes(&l);
    assert_inside_bounds(&l);
    assert_no_overlaps(&l);
    // Uniformly random pairs: many long edges.
    let wide = random_dag(1000, 2000, 1000, 11);
    let l = layout_dag(&wide, &LayoutOptions::default());
    assert_layers_respect_edges(&wide, &l);
    assert_paths_on_nodes(&l);
    assert_no_overlaps(&l);
}

#[test]
fn arbitrary_edges_never_panic() {
    let mut rng = Rng::new(17);
    for round in 0..300 {
        let n = rng.below(12);
        let m = rng.below(30);
        // Cycles, self-loops, duplicates and out-of-range endpoints.
        let edges: Vec<(usize, usize)> = (0..m)
            .map(|_| (rng.below(n + 2), rng.below(n + 2)))
            .collect();
        let direction = if round % 2 == 0 {
            Direction::TopToBottom
        } else {
            Direction::LeftToRight
        };
        let options = LayoutOptions {
            direction,
            ..LayoutOptions::default()
        };
        let sizes: Vec<[f32; 2]> = (0..n)
            .map(|_| [rng.below(150) as f32, rng.below(60) as f32])
            .collect();
        let l = layout_graph(n, &edges, &options, |i| sizes.get(i).copied());
        assert_eq!(l.nodes.len(), n);
        assert_no_overlaps(&l);
        assert_inside_bounds(&l);
        let mut valid: Vec<(usize, usize)> = edges
            .iter()
            .copied()
            .filter(|&(a, b)| a < n && b < n)
            .collect();
        valid.sort_unstable();
        valid.dedup();
        let got: Vec<(usize, usize)> = l.edges.iter().map(|e| (e.from, e.to)).collect();
        assert_eq!(got, valid);
        for e in l.edges.iter().filter(|e| e.from != e.to) {
            let first = e.points[0];
            let last = e.points[e.points.len() - 1];
            assert!(on_border(l.nodes[e.from].rect(), first, 1e-2));
            assert!(on_border(l.nodes[e.to].rect(), last, 1e-2));
        }
        for e in &l.edges {
            assert!(e
                .points
                .iter()
                .all(|p| p[0].is_finite() && p[1].is_finite()));
        }
    }
}

#[test]
fn crossing_reduction_reduces_crossings() {
    // Two layers wired in reverse: every pair of edges crosses in input order.
    let k = 6;
    let mut edges = Vec::new();
    for i in 0..k {
        edges.push((i, 2 * k - 1 - i));
    }
    // And a third layer with a zig-zag.
    for i in 0..k {
        edges.push((k + i, 2 * k + (i * 5) % k));
    }
    let dag = Dag::new((0..3 * k).map(|i| i.to_string()).collect(), edges);
    let base = LayoutOptions {
        output_last: false,
        ..LayoutOptions::default()
    };
    let unordered = layout_dag(
        &dag,
        &LayoutOptions {
            crossing_passes: 0,
            ..base.clone()
        },
    );
    let ordered = layout_dag(&dag, &base);
    assert!(
        unordered.crossings >= k * (k - 1) / 2,
        "{}",
        unordered.crossings
    );
    assert_eq!(ordered.crossings, 0);

    let dag = random_dag(200, 450, 15, 9);
    let unordered = layout_dag(
        &dag,
        &LayoutOptions {
            crossing_passes: 0,
            ..LayoutOptions::default()
        },
    );
    let ordered = layout_dag(&dag, &LayoutOptions::default());
    assert!(
        ordered.crossings * 2 < unordered.crossings,
        "{} vs {}",
        ordered.crossings,
        unordered.crossings
    );
}

#[test]
fn empty_and_single_node() {
    let empty = Dag::new(vec![], vec![]);
    let l = layout_dag(&empty, &LayoutOptions::default());
    assert!(l.nodes.is_empty() && l.edges.is_empty());
    assert_eq!(l.bounds, [0.0; 4]);
    assert_eq!(l.layer_count, 0);

    let one = Dag::new(vec!["input".into()], vec![]);
    let l = layout_dag(&one, &LayoutOptions::default());
    assert_eq!(l.nodes.len(), 1);
    assert_eq!(l.nodes[0].size, [96.0, 32.0]);
    assert_eq!(l.nodes[0].center, [48.0, 16.0]);
    assert_eq!(l.bounds, [0.0, 0.0, 96.0, 32.0]);
}

#[test]
fn caller_sizes_and_unreachable_nodes() {
    // Node 3 is unreachable from the input and feeds node 4; node 5 is isolated.
    let dag = Dag::new(
        (0..7).map(|i| "x".repeat(i + 1)).collect(),
        vec![(0, 1), (1, 2), (2, 4), (3, 4), (4, 6)],
    );
    let l = layout_dag_with(&dag, &LayoutOptions::default(), |i, label| {
        [10.0 * label.len() as f32 + 20.0, 20.0 + i as f32]
    });
    assert_eq!(l.nodes[5].size, [80.0, 25.0]);
    assert_layers_respect_edges(&dag, &l);
    assert_eq!(l.nodes[3].layer, l.nodes[4].layer - 1);
    assert_no_overlaps(&l);
    assert_paths_on_nodes(&l);
    assert_inside_bounds(&l);

    // Invalid sizes fall back to the default.
    let l = layout_graph(2, &[(0, 1)], &LayoutOptions::default(), |i| {
        (i == 0).then_some([f32::NAN, -3.0])
    });
    assert_eq!(l.nodes[0].size, [96.0, 32.0]);
    assert_eq!(l.nodes[1].size, [96.0, 32.0]);
}

#[test]
fn long_edges_pass_through_dummies() {
    // A skip connection from the input to the output.
    let dag = Dag::new(
        ["input", "a", "b", "c", "output"]
            .map(String::from)
            .to_vec(),
        vec![(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)],
    );
    let l = layout_dag(&dag, &LayoutOptions::default());
    assert_eq!(l.crossings, 0);
    let skip = l.edges.iter().find(|e| e.from == 0 && e.to == 4).unwrap();
    assert!(skip.points.len() >= 5);
    assert_paths_on_nodes(&l);
    // The skip edge keeps clear of the chain's boxes.
    for n in &l.nodes[1..4] {
        for &p in &skip.points[1..skip.points.len() - 1] {
            assert!(!n.rect().contains_point(p));
        }
    }
    let curve = skip.curve();
    assert_eq!(curve.len(), skip.points.len() - 1);
    let arrow = skip.arrow().unwrap();
    assert_eq!(arrow.tip, *skip.points.last().unwrap());
    let (shortened, _) = skip.curve_with_arrow(6.0);
    assert_eq!(shortened.len(), curve.len());
}

#[test]
fn fit_into_panel() {
    let l = layout_dag(&nb101_cell(), &LayoutOptions::default());
    let target = Rect::new(100.0, 50.0, 200.0, 400.0);
    let f = l.fitted(target, 1.0);
    let b = Rect::from_edges(f.bounds[0], f.bounds[1], f.bounds[2], f.bounds[3]);
    let grown = Rect::new(
        target.x - 1e-3,
        target.y - 1e-3,
        target.w + 2e-3,
        target.h + 2e-3,
    );
    assert!(grown.contains_rect(&b));
    assert!((b.center()[0] - target.center()[0]).abs() < 1e-3);
}

#[test]
fn ticks_cover_the_range_in_1_2_5_steps() {
    let ranges = [
        (0.0, 1.0),
        (0.8312, 0.9471),
        (-3.0, 17.0),
        (0.0, 423_624.0),
        (1e-9, 3e-9),
        (-1e12, 5e12),
        (1e6, 1e6 + 0.5),
        (0.93, 0.9301),
    ];
    for (min, max) in ranges {
        for target in [2, 5, 8, 10] {
            let t = nice_ticks(min, max, target);
            let eps = t.step * 1e-6;
            assert!(
                t.lo <= min + eps && t.hi >= max - eps,
                "{min}..{max}: {t:?}"
            );
            assert!(t.values.len() >= 2);
            assert!(
                t.values.len() <= target * 3 + 2,
                "{min}..{max} {target}: {t:?}"
            );
            let exp = t.step.log10().floor();
            let mantissa = (t.step / 10f64.powf(exp)).round() as i64;
            assert!([1, 2, 5, 10].contains(&mantissa), "step {}", t.step);
            for w in t.values.windows(2) {
                assert!(((w[1] - w[0]) - t.step).abs() <= t.step * 1e-6);
            }
        }
    }
}

#[test]
fn ticks_handle_degenerate_input() {
    let t = nice_ticks(5.0, 5.0, 5);
    assert!(t.lo < 5.0 && t.hi > 5.0);
    let t = nice_ticks(0.0, 0.0, 5);
    assert!(t.lo < 0.0 && t.hi > 0.0);
    let t = nice_ticks(f64::NAN, f64::NAN, 5);
    assert_eq!((t.lo, t.hi), (0.0, 1.0));
    let t = nice_ticks(f64::NAN, 0.5, 5);
    assert!(t.lo < 0.5 && t.hi > 0.5);
    let t = nice_ticks(f64::NEG_INFINITY, f64::INFINITY, 5);
    assert!(t.values.iter().all(|v| v.is_finite()));
    let t = nice_ticks(1.0, 0.0, 5);
    assert_eq!(t.values, nice_ticks(0.0, 1.0, 5).values);
    let t = nice_ticks(-f64::MAX, f64::MAX, 5);
    assert!(t.values.iter().all(|v| v.is_finite()) && t.values.len() >= 2);
    let t = nice_ticks(1e-310, 2e-310, 5);
    assert!(t.values.iter().all(|v| v.is_finite()) && t.step > 0.0);
    let t = nice_ticks(0.0, 1.0, 0);
    assert!(t.values.len() >= 2);
    let t = nice_ticks(0.0, 1.0, usize::MAX);
    assert!(t.values.len() <= 1001 + 1);
    let t = nice_ticks(1e16, 1e16 + 1.0, 5);
    assert!(t.values.iter().all(|v| v.is_finite()));
}

#[test]
fn tick_labels() {
    assert_eq!(format_tick(0.9, 0.1, TickStyle::Percent), "90%");
    assert_eq!(format_tick(0.925, 0.005, TickStyle::Percent), "92.5%");
    assert_eq!(format_tick(0.9, 0.005, TickStyle::Percent), "90.0%");
    assert_eq!(format_tick(0.93, 0.01, TickStyle::Percent), "93%");
    assert_eq!(
        format_tick(423_624.0, 50_000.0, TickStyle::Plain),
        "423,624"
    );
    assert_eq!(format_tick(-1500.0, 500.0, TickStyle::Plain), "-1,500");
    assert_eq!(format_tick(0.25, 0.05, TickStyle::Plain), "0.25");
    assert_eq!(format_tick(0.3, 0.1, TickStyle::Plain), "0.3");
    assert_eq!(format_tick(f64::NAN, 0.1, TickStyle::Plain), "NaN");
    assert_eq!(format_percent(0.9471, 1), "94.7%");
    let t = nice_ticks(0.9, 0.95, 5);
    assert_eq!(
        t.labels(TickStyle::Percent),
        ["90%", "91%", "92%", "93%", "94%", "95%"]
    );
    let t = nice_ticks(0.0, 12_000.0, 3);
    assert_eq!(
        t.labels(TickStyle::Plain),
        ["0", "5,000", "10,000", "15,000"]
    );
    assert_eq!(t.within(0.0, 12_000.0), [0.0, 5000.0, 10_000.0]);
}

#[test]
fn panels_fit_without_overlap() {
    for (w, h) in [
        (800, 600),
        (1280, 800),
        (1920, 1080),
        (3840, 2160),
        (333, 217),
        (1, 1),
        (0, 0),
        (5000, 300),
        (300, 5000),
    ] {
        let p = dashboard_panels(w, h);
        let window = Rect::new(0.0, 0.0, w as f32, h as f32);
        let named = p.named();
        for (i, (name, r)) in named.iter().enumerate() {
            assert!(r.w >= 0.0 && r.h >= 0.0, "{w}x{h} {name}: {r:?}");
            assert!(window.contains_rect(r), "{w}x{h} {name} outside: {r:?}");
            for (other, s) in &named[i + 1..] {
                assert!(
                    !r.overlaps(s),
                    "{w}x{h}: {name} {r:?} overlaps {other} {s:?}"
                );
            }
            if w >= 800 && h >= 600 {
                assert!(
                    r.w >= 100.0 && r.h >= 18.0,
                    "{w}x{h} {name} too small: {r:?}"
                );
                assert_eq!(r.x.fract(), 0.0);
                assert_eq!(r.h.fract(), 0.0);
            }
        }
        if w >= 800 && h >= 600 {
            assert!(p.scatter.w * p.scatter.h >= p.dag.w * p.dag.h);
            assert!(p.title.bottom() <= p.dag.y && p.title.bottom() <= p.legend.y);
            assert!(p.dag.right() <= p.scatter.x);
            assert!(p.scatter.bottom() <= p.line.y);
            assert!(p.dag.bottom() <= p.table.y);
        }
    }
}

/// Writes PNG drawings of a few layouts to `$NASVIZ_LAYOUT_PNG_DIR`.
#[test]
#[ignore]
fn dump_png() {
    let dir = std::env::var("NASVIZ_LAYOUT_PNG_DIR").unwrap_or_else(|_| "/tmp".into());
    let skip = Dag::new(
        ["input", "conv3x3", "conv1x1", "maxpool", "output"]
            .map(String::from)
            .to_vec(),
        vec![(0, 1), (1, 2), (2, 4), (0, 4), (0, 3), (3, 4), (1, 4)],
    );
    let mut rng = Rng::new(1);
    let mut graphs = vec![
        ("nb101", nb101_cell(), Direction::TopToBottom),
        ("skip", skip.clone(), Direction::TopToBottom),
        ("skip_lr", skip, Direction::LeftToRight),
        ("rand40", random_dag(40, 80, 6, 2), Direction::TopToBottom),
    ];
    for name in ["c0", "c1", "c2", "c3", "c4", "c5"] {
        let c = nasviz::arch::nb101::Cell::random(&mut rng).to_dag();
        graphs.push((name, c, Direction::TopToBottom));
    }
    for (name, dag, direction) in graphs {
        let options = LayoutOptions {
            direction,
            ..LayoutOptions::default()
        };
        let l = layout_dag(&dag, &options);
        let (w, h) = (l.width() as usize + 21, l.height() as usize + 21);
        let mut img = vec![255u8; w * h * 3];
        let mut put = |x: f32, y: f32, c: [u8; 3]| {
            let (x, y) = ((x + 10.0).round() as isize, (y + 10.0).round() as isize);
            if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                let i = (y as usize * w + x as usize) * 3;
                img[i..i + 3].copy_from_slice(&c);
            }
        };
        for (i, n) in l.nodes.iter().enumerate() {
            let r = n.rect();
            let c = if i == 0 {
                [120, 200, 120]
            } else if i + 1 == l.nodes.len() {
                [230, 140, 120]
            } else {
                [170, 200, 235]
            };
            let mut y = r.y;
            while y <= r.bottom() {
                let mut x = r.x;
                while x <= r.right() {
                    put(x, y, c);
                    x += 0.5;
                }
                y += 0.5;
            }
        }
        for e in &l.edges {
            let (curve, arrow) = e.curve_with_arrow(8.0);
            for seg in curve {
                for k in 0..=400 {
                    let p = seg.point(k as f32 / 400.0);
                    put(p[0], p[1], [60, 60, 60]);
                }
            }
            if let Some(a) = arrow {
                let t = a.triangle(8.0, 7.0);
                for u in 0..=40 {
                    for v in 0..=(40 - u) {
                        let (fu, fv) = (u as f32 / 40.0, v as f32 / 40.0);
                        let x = t[0][0] + (t[1][0] - t[0][0]) * fu + (t[2][0] - t[0][0]) * fv;
                        let y = t[0][1] + (t[1][1] - t[0][1]) * fu + (t[2][1] - t[0][1]) * fv;
                        put(x, y, [200, 0, 0]);
                    }
                }
            }
        }
        let file = std::fs::File::create(format!("{dir}/layout_{name}.png")).unwrap();
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(&img).unwrap();
    }
}
