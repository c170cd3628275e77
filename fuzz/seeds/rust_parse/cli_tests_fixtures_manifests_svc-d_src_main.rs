fn main() {
    println!("svc-d");
}
