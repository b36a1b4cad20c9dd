//! Architectures from the parameters of a hyperparameter-search trial
//! (Optuna, Ray Tune, NNI): what the trial's parameters or its recorded
//! attributes say, in the conventions NAS code uses.
//!
//! Tried in order, on parameters, then attributes (a value may also be a
//! JSON string holding an object):
//! 1. nasviz's own architecture JSON: an object with `space`, or with
//!    `matrix` + `ops` (NAS-Bench-101), `links` + `ops` (NAS-Bench-Graph),
//!    `string` (NAS-Bench-201) or `layers` (a layer list);
//! 2. NAS-Bench-201's `|op~0|+|op~0|op~1|+...` string;
//! 3. one NAS-Bench-201 op per cell edge, named `1<-0`, `2<-0`, `2<-1`,
//!    `3<-0`, `3<-1`, `3<-2` (also `edge_1<-0` or `1_0`);
//! 4. NAS-Bench-101 as NNI writes it: `op1` ... `opN` for the interior
//!    vertices and `input1` ... `input{N+1}` the list of each vertex's
//!    inputs (the last is the output's);
//! 5. NAS-Bench-Graph, one parameter per node: `op0` ... `op3` (a GNN op
//!    of the package's list) and `lk0` ... `lk3` or `link0` ... `link3`
//!    (node `i`'s input: 0 the raw input, `k` the `k`-th node, `k <= i`),
//!    the package's own `Arch(lk, op)` fields;
//! 6. `layers`: a list of layer names (a chain).
//!
//! [`params_for`] goes the other way: the parameters that give an edited
//! architecture, in the convention the base trial's parameters use (what
//! nasviz enqueues into a running study).

use crate::arch::{nb101, nb201, nbgraph, sequential::LayerList, Arch, ArchJson};
use serde_json::{Map, Value};

/// The architecture a trial's `params` and `attrs` describe, if any.
pub(crate) fn arch_of(params: &Map<String, Value>, attrs: &Map<String, Value>) -> Option<Arch> {
    for m in [params, attrs] {
        if let Some(a) = m.values().find_map(arch_json) {
            return Some(a);
        }
    }
    for m in [params, attrs] {
        if let Some(a) = m.values().find_map(nb201_string) {
            return Some(a);
        }
    }
    for m in [params, attrs] {
        if let Some(a) = nb201_edges(m)
            .or_else(|| nbgraph_fields(m))
            .or_else(|| nb101_ops(m))
            .or_else(|| layers(m))
        {
            return Some(a);
        }
    }
    None
}

fn arch_json(v: &Value) -> Option<Arch> {
    let parsed;
    let obj = match v {
        Value::Object(_) => v,
        Value::String(s) if s.trim_start().starts_with('{') => {
            parsed = serde_json::from_str::<Value>(s).ok()?;
            &parsed
        }
        _ => return None,
    };
    let o = obj.as_object()?;
    let known = ["space", "matrix", "links", "layers", "string"];
    if !known.iter().any(|k| o.contains_key(*k)) {
        return None;
    }
    let text = obj.to_string();
    let j: ArchJson = serde_json::from_str(&text).ok()?;
    j.to_arch().ok()
}

fn nb201_string(v: &Value) -> Option<Arch> {
    let s = v.as_str().filter(|s| s.starts_with('|'))?;
    nb201::Cell::parse(s).ok().map(Arch::Nb201)
}

/// The NAS-Bench-201 cell edge a parameter name names (`1<-0`,
/// `edge_1<-0`, `1_0`), as an index into [`nb201::EDGES`].
fn nb201_edge(k: &str) -> Option<usize> {
    let key = k.strip_prefix("edge_").unwrap_or(k);
    let (to, from) = key.split_once("<-").or_else(|| key.split_once('_'))?;
    let (to, from) = (
        to.trim().parse::<usize>().ok()?,
        from.trim().parse::<usize>().ok()?,
    );
    nb201::EDGES.iter().position(|&x| x == (to, from))
}

fn nb201_edges(m: &Map<String, Value>) -> Option<Arch> {
    let edge = nb201_edge;
    let mut ops = [None; 6];
    for (k, v) in m {
        if let Some(e) = edge(k) {
            ops[e] = Some(nb201::Op::parse(v.as_str()?)?);
        }
    }
    let ops: Vec<nb201::Op> = ops.iter().copied().collect::<Option<_>>()?;
    let ops: [nb201::Op; 6] = ops.try_into().ok()?;
    Some(Arch::Nb201(nb201::Cell::new(ops)))
}

#[allow(clippy::needless_range_loop)] // k is a vertex number, the matrix's column
fn nb101_ops(m: &Map<String, Value>) -> Option<Arch> {
    let mut n = 0;
    while m.contains_key(&format!("op{}", n + 1)) {
        n += 1;
    }
    if n == 0 || n + 2 > nb101::MAX_VERTICES {
        return None;
    }
    let v = n + 2;
    let mut matrix = vec![vec![0i64; v]; v];
    for k in 1..v {
        let inputs = m.get(&format!("input{k}"))?;
        let list: Vec<usize> = match inputs {
            Value::Array(a) => a
                .iter()
                .map(|x| x.as_u64().map(|x| x as usize))
                .collect::<Option<_>>()?,
            Value::Number(x) => vec![x.as_u64()? as usize],
            _ => return None,
        };
        for i in list {
            if i >= k {
                return None;
            }
            matrix[i][k] = 1;
        }
    }
    let mut ops = vec!["input".to_string()];
    for k in 1..=n {
        ops.push(m.get(&format!("op{k}"))?.as_str()?.to_string());
    }
    ops.push("output".into());
    nb101::Cell::new(&matrix, &ops).ok().map(Arch::Nb101)
}

/// The name a NAS-Bench-Graph node's input goes by in `m` (`lk{i}` or
/// `link{i}`).
fn nbgraph_link_key(m: &Map<String, Value>, i: usize) -> Option<String> {
    [format!("lk{i}"), format!("link{i}")]
        .into_iter()
        .find(|k| m.contains_key(k))
}

fn nbgraph_fields(m: &Map<String, Value>) -> Option<Arch> {
    let mut links = [0u8; 4];
    let mut ops = Vec::with_capacity(4);
    for (i, link) in links.iter_mut().enumerate() {
        let l = m.get(&nbgraph_link_key(m, i)?)?;
        let l = l
            .as_u64()
            .or_else(|| l.as_str().and_then(|s| s.trim().parse().ok()))?;
        *link = u8::try_from(l).ok()?;
        ops.push(m.get(&format!("op{i}"))?.as_str()?.to_string());
    }
    nbgraph::GraphArch::from_names(links, &ops)
        .ok()
        .map(Arch::NbGraph)
}

/// The parameters that give `arch`, written in the convention of `base`
/// (the parameters of the trial it was edited from); parameters that are
/// not the architecture's (a learning rate) are kept. Each value is
/// checked against the study's distribution of that parameter, when
/// `choices` names one (categorical choices); `Err` says why the
/// architecture cannot be written as parameters.
pub fn params_for(
    base: &Map<String, Value>,
    arch: &Arch,
    choices: &dyn Fn(&str) -> Option<Vec<Value>>,
) -> Result<Map<String, Value>, String> {
    let mut out = base.clone();
    write_arch(base, arch, &mut out)?;
    if arch_of(&out, &Map::new()).as_ref() != Some(arch) {
        return Err("the parameters written do not read back as the edited architecture".into());
    }
    for (k, v) in &out {
        if let Some(c) = choices(k) {
            if !c.contains(v) {
                let list: Vec<String> = c.iter().map(Value::to_string).collect();
                return Err(format!(
                    "{k} = {v} is not among the study's choices ({})",
                    list.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// Why `arch` cannot be written where `base`'s parameters are `what`.
fn not_this_space(what: &str, arch: &Arch) -> String {
    format!("{what}; this is {}", arch.space().name())
}

/// Writes `arch` into `out` (a copy of `base`) in the convention `base`'s
/// parameters follow.
fn write_arch(
    base: &Map<String, Value>,
    arch: &Arch,
    out: &mut Map<String, Value>,
) -> Result<(), String> {
    // a whole architecture in one parameter: nasviz's JSON or NB-201's string
    if let Some((k, v)) = base.iter().find(|(_, v)| arch_json(v).is_some()) {
        let j = serde_json::to_value(arch.to_json()).map_err(|e| e.to_string())?;
        let nv = match v {
            Value::String(_) => Value::String(j.to_string()),
            _ => j,
        };
        out.insert(k.clone(), nv);
        return Ok(());
    }
    if let Some((k, _)) = base.iter().find(|(_, v)| nb201_string(v).is_some()) {
        let Arch::Nb201(c) = arch else {
            let what = format!("parameter {k:?} holds a NAS-Bench-201 cell");
            return Err(not_this_space(&what, arch));
        };
        out.insert(k.clone(), Value::String(c.to_string()));
        return Ok(());
    }
    if nb201_edges(base).is_some() {
        let Arch::Nb201(c) = arch else {
            return Err(not_this_space(
                "the parameters are NAS-Bench-201 edges",
                arch,
            ));
        };
        for k in base.keys() {
            if let Some(e) = nb201_edge(k) {
                out.insert(k.clone(), Value::String(c.ops[e].name().to_string()));
            }
        }
        return Ok(());
    }
    if nbgraph_fields(base).is_some() {
        let Arch::NbGraph(g) = arch else {
            return Err(not_this_space(
                "the parameters are NAS-Bench-Graph nodes",
                arch,
            ));
        };
        write_nbgraph(base, g, out);
        return Ok(());
    }
    if nb101_ops(base).is_some() {
        let Arch::Nb101(c) = arch else {
            return Err(not_this_space(
                "the parameters are a NAS-Bench-101 cell",
                arch,
            ));
        };
        write_nb101(c, out);
        return Ok(());
    }
    if layers(base).is_some() {
        let Arch::Sequential(l) = arch else {
            return Err(not_this_space("the parameters are a layer list", arch));
        };
        let names = l.layers.iter().map(|x| Value::String(x.clone())).collect();
        out.insert("layers".into(), Value::Array(names));
        return Ok(());
    }
    Err(if arch_of(&Map::new(), base).is_some() || base.is_empty() {
        "the architecture is not in the trial's parameters (only parameters can be enqueued)".into()
    } else {
        "nasviz does not know how these parameters describe an architecture".into()
    })
}

/// A NAS-Bench-Graph architecture as `op0`..`op3` and the base's link
/// fields (each keeping the base's type, a number or a string).
fn write_nbgraph(base: &Map<String, Value>, g: &nbgraph::GraphArch, out: &mut Map<String, Value>) {
    for i in 0..4 {
        if let Some(k) = nbgraph_link_key(base, i) {
            let l = u64::from(g.links[i]);
            let v = match base.get(&k) {
                Some(Value::String(_)) => Value::String(l.to_string()),
                _ => Value::from(l),
            };
            out.insert(k, v);
        }
        out.insert(format!("op{i}"), Value::String(g.ops[i].name().to_string()));
    }
}

/// A NAS-Bench-101 cell as NNI's `op1`.. and `input1`.. (the base's own
/// `opN`/`inputN` replaced: the cell may have another size).
fn write_nb101(c: &nb101::Cell, out: &mut Map<String, Value>) {
    out.retain(|k, _| {
        let num = |p: &str| {
            k.strip_prefix(p)
                .is_some_and(|n| n.parse::<usize>().is_ok())
        };
        !num("op") && !num("input")
    });
    let n = c.len();
    for v in 1..n {
        if v + 1 < n {
            out.insert(format!("op{v}"), Value::String(c.op(v).name().to_string()));
        }
        let inputs: Vec<Value> = (0..v)
            .filter(|&u| c.has_edge(u, v))
            .map(Value::from)
            .collect();
        out.insert(format!("input{v}"), Value::Array(inputs));
    }
}

fn layers(m: &Map<String, Value>) -> Option<Arch> {
    let l: Vec<String> = m
        .get("layers")?
        .as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    LayerList::new(l).ok().map(Arch::Sequential)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn each_convention_gives_its_architecture() {
        let none = Map::new();
        // NB-201 string in an attribute
        let a = arch_of(
            &map(json!({"lr": 0.1})),
            &map(
                json!({"arch": "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|"}),
            ),
        );
        assert!(matches!(a, Some(Arch::Nb201(_))));
        // per-edge categoricals beside other parameters
        let p = map(
            json!({"lr": 0.1, "1<-0": "nor_conv_3x3", "2<-0": "none", "2<-1": "skip_connect",
            "3<-0": "avg_pool_3x3", "3<-1": "none", "3<-2": "nor_conv_1x1"}),
        );
        let b = arch_of(&p, &none);
        assert_eq!(a, b);
        // one edge missing: nothing
        let mut q = p.clone();
        q.remove("3<-2");
        assert_eq!(arch_of(&q, &none), None);
        // NNI's NAS-Bench-101
        let p = map(json!({"op1": "conv3x3-bn-relu", "op2": "maxpool3x3",
            "input1": [0], "input2": [0, 1], "input3": [2]}));
        let c = arch_of(&p, &none).expect("nb101");
        assert_eq!(c.evaluated_dag().nodes.len(), 4);
        assert!(c.evaluated_dag().has_edge(0, 2));
        // a backward input is no cell
        let p = map(json!({"op1": "conv3x3-bn-relu", "input1": [1], "input2": [1]}));
        assert_eq!(arch_of(&p, &none), None);
        // nasviz's own JSON, as an object or a string
        let g = json!({"space": "nbgraph", "links": [0, 0, 1, 2], "ops": ["gcn", "gat", "sage", "skip"]});
        let d = arch_of(&none, &map(json!({"arch": g.clone()}))).expect("nbgraph");
        let e = arch_of(&map(json!({"arch": g.to_string()})), &none).expect("nbgraph");
        assert_eq!(d, e);
        // a layer list
        let l = arch_of(
            &none,
            &map(json!({"layers": ["input", "conv3x3", "output"]})),
        );
        assert!(matches!(l, Some(Arch::Sequential(_))));
        assert_eq!(arch_of(&map(json!({"lr": 0.1})), &none), None);
    }

    #[test]
    fn params_for_writes_each_convention_back() {
        use crate::arch::Mutation;
        let none = Map::new();
        let no_choices = |_: &str| None;
        let cases = [
            json!({"lr": 0.1, "1<-0": "nor_conv_3x3", "2<-0": "none", "2<-1": "skip_connect",
                "3<-0": "avg_pool_3x3", "3<-1": "none", "3<-2": "nor_conv_1x1"}),
            json!({"arch": "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|"}),
            json!({"lk0": 0, "lk1": 1, "lk2": "1", "lk3": 2, "op0": "gcn", "op1": "gat", "op2": "sage", "op3": "gin", "wd": 5}),
            json!({"op1": "conv3x3-bn-relu", "op2": "maxpool3x3", "input1": [0], "input2": [0, 1], "input3": [2]}),
            json!({"g": {"space": "nbgraph", "links": [0, 0, 1, 2], "ops": ["gcn", "gat", "sage", "skip"]}}),
            json!({"layers": ["input", "conv3x3", "output"]}),
        ];
        for base in cases {
            let base = map(base);
            let arch = arch_of(&base, &none).expect("base reads");
            // the base itself writes back as itself
            assert_eq!(params_for(&base, &arch, &no_choices).as_ref(), Ok(&base));
            // an op changed: the parameters read back as the edit
            let edited = arch
                .mutate(&Mutation::ChangeOp {
                    node: 1,
                    from: None,
                    to: match arch.space() {
                        crate::arch::Space::Nb201 => "nor_conv_1x1".into(),
                        crate::arch::Space::NbGraph => "cheb".into(),
                        crate::arch::Space::Nb101 => "conv1x1-bn-relu".into(),
                        _ => "relu".into(),
                    },
                })
                .expect("an op change");
            let p = params_for(&base, &edited, &no_choices).expect("writes");
            assert_eq!(arch_of(&p, &none).as_ref(), Some(&edited), "{p:?}");
            // what is not the architecture is kept
            for k in ["lr", "wd"] {
                assert_eq!(p.get(k), base.get(k));
            }
        }
        // a choice the study does not offer is refused, by name
        let base = map(
            json!({"lk0": 0, "lk1": 1, "lk2": 1, "lk3": 2, "op0": "gcn", "op1": "gat", "op2": "sage", "op3": "gin"}),
        );
        let arch = arch_of(&base, &none).unwrap();
        let edited = arch
            .mutate(&Mutation::ChangeOp {
                node: 1,
                from: None,
                to: "fc".into(),
            })
            .unwrap();
        let only = |k: &str| (k == "op1" || k == "op0").then(|| vec![json!("gcn"), json!("gat")]);
        let e = params_for(&base, &edited, &only).unwrap_err();
        assert!(e.contains("is not among the study's choices"), "{e}");
        // the architecture in attributes only cannot be enqueued
        let e = params_for(&map(json!({"lr": 0.1})), &arch, &no_choices).unwrap_err();
        assert!(e.contains("not know how"), "{e}");
    }
}
