fn main() {
    let p = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&p).unwrap();
    let f = nova_rust::parse_file(&src, false).unwrap();
    let j = serde_json::to_string_pretty(&f).unwrap();
    println!("source {} json {}", src.len(), j.len());
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    for (k, x) in v.as_object().unwrap() {
        println!("{k}: {}", serde_json::to_string(x).unwrap().len());
    }
    if let Some(g) = v.get("graph").and_then(|g| g.as_object()) {
        for (k, x) in g {
            println!("  graph.{k}: {}", serde_json::to_string(x).unwrap().len());
        }
    }
    std::fs::write("/tmp/facts.json", j).unwrap();
}
