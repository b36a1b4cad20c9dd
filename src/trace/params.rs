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
//! 5. `layers`: a list of layer names (a chain).

use crate::arch::{nb101, nb201, sequential::LayerList, Arch, ArchJson};
use serde_json::{Map, Value};

/// The architecture a trial's `params` and `attrs` describe, if any.
pub fn arch_of(params: &Map<String, Value>, attrs: &Map<String, Value>) -> Option<Arch> {
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

fn nb201_edges(m: &Map<String, Value>) -> Option<Arch> {
    let edge = |k: &str| -> Option<usize> {
        let key = k.strip_prefix("edge_").unwrap_or(k);
        let (to, from) = key.split_once("<-").or_else(|| key.split_once('_'))?;
        let (to, from) = (
            to.trim().parse::<usize>().ok()?,
            from.trim().parse::<usize>().ok()?,
        );
        nb201::EDGES.iter().position(|&x| x == (to, from))
    };
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
}
